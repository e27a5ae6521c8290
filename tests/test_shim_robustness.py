"""The boto3 backend when things go wrong, and on a file too large to hold in memory.

- A response stream broken mid-part is resumed from the byte where it stopped (a fault proxy
  in front of a real moto server cuts connections); when it keeps breaking, the command fails
  with one line and leaves neither the destination nor a temporary file.
- An object replaced during a multi-part download fails with PreconditionFailed (``If-Match``)
  instead of yielding a mix of two versions.
- Bad credentials: SeaweedFS checks signatures (moto does not), so there both backends must
  print the same errors with the same exit statuses.
- Memory: uploading and downloading 512 MiB keeps the process under 200 MiB peak RSS, so the
  memory use does not grow with the file (the same code path carries a 10 GiB file; the
  one-off 10 GiB run is in docs/performance.md).
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

import s3env
from devtools.devserver import MotoServer, run_measured
from s3env.shim.base import ShimRequest
from s3env.shim.boto3.context import Context
from s3env.shim.boto3.ranged import RESUME_ATTEMPTS, RangedDownload, StreamBrokenError
from tests.conftest import ENGINES, S3ENV, Sandbox, Shim, engine_env, s3_client, unique_bucket
from tests.faultproxy import FaultProxy

MIB = 1024 * 1024


# Every test here runs with the sandbox's HOME/XDG_*: backend_client makes the backend's client
# in this process, and that writes botocore's model cache under XDG_CACHE_HOME.
pytestmark = pytest.mark.usefixtures("sandbox")


def backend_client(url: str) -> object:
    """The boto3 backend's own client (same retries, timeouts, checksum settings) for ``url``."""
    profile = s3env.Profile(
        "t",
        endpoint_url=url,
        region="us-east-1",
        addressing_style="path",
        access_key_id="test",
        secret_access_key="test",
    )
    return Context(ShimRequest("cp", [], profile)).client


def add_profile(name: str, url: str, key: str = "test", secret: str = "test") -> None:
    s3env.open_store().add(
        s3env.Profile(
            name,
            endpoint_url=url,
            region="us-east-1",
            addressing_style="path",
            access_key_id=key,
            secret_access_key=secret,
        )
    )


def assert_one_error_line(returncode: int, stdout: bytes, stderr: bytes, pattern: str) -> None:
    """Exit status 1, nothing on stdout, and exactly one stderr line matching ``pattern``."""
    assert returncode == 1 and stdout == b"", (returncode, stdout)
    lines = stderr.decode().splitlines()
    assert len(lines) == 1, lines
    assert re.fullmatch(pattern, lines[0]), lines


@pytest.fixture
def big_object(moto: MotoServer) -> tuple[str, str, bytes]:
    bucket = unique_bucket("ranged")
    data = os.urandom(3 * MIB + 5)
    client = s3_client(moto)
    client.create_bucket(Bucket=bucket)
    client.put_object(Bucket=bucket, Key="big.bin", Body=data)
    return bucket, "big.bin", data


def test_broken_streams_are_resumed(moto: MotoServer, big_object, tmp_path: Path) -> None:
    bucket, key, data = big_object
    proxy = FaultProxy(moto.url, cut_after=300_000, cuts=3)
    backoffs: list[float] = []
    fd = os.open(tmp_path / "out.bin", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        download = RangedDownload(
            backend_client(proxy.url), bucket, key, fd, MIB, concurrency=3, sleep=backoffs.append
        )
        assert download.run() == len(data)
    finally:
        os.close(fd)
        proxy.close()
    assert (tmp_path / "out.bin").read_bytes() == data
    # Each cut lands mid-body (every response is >= 1 MiB, the cut at 300 kB): one resume each.
    assert proxy.cut_count == 3
    assert len(backoffs) == 3 and all(0 < b <= 2 for b in backoffs)


def test_a_stream_that_keeps_breaking_fails_cleanly(moto: MotoServer, big_object, tmp_path: Path) -> None:
    bucket, key, _data = big_object
    # 4 kB a connection: the headers pass, the body breaks, too often to finish a 1 MiB part.
    proxy = FaultProxy(moto.url, cut_after=4000, cuts=-1)
    try:
        fd = os.open(tmp_path / "lib.bin", os.O_WRONLY | os.O_CREAT, 0o600)
        backoffs: list[float] = []
        download = RangedDownload(
            backend_client(proxy.url), bucket, key, fd, MIB, concurrency=1, sleep=backoffs.append
        )
        with pytest.raises(StreamBrokenError):
            download.run()
        os.close(fd)
    finally:
        proxy.close()
    assert len(backoffs) == RESUME_ATTEMPTS - 1


# The botocore engine resumes a broken part from the byte where it stopped, RESUME_ATTEMPTS
# times, and says so; the CRT engine sends the part again whole (its retry strategy) and, when
# that keeps failing, reports the last request's failure.  Either way: one line, no file.
KEEPS_BREAKING = {
    "botocore": r"download broke off at byte \d+ of 3145733 after {attempts} attempts: .+",
    "crt": r".+",
}


@pytest.mark.parametrize("engine", ["crt", "botocore"])
def test_a_download_that_keeps_breaking_leaves_nothing(
    sandbox: Sandbox, moto: MotoServer, big_object, tmp_path: Path, engine: str
) -> None:
    bucket, key, _data = big_object
    proxy = FaultProxy(moto.url, cut_after=4000, cuts=-1)
    try:
        add_profile("flaky", proxy.url)
        work = tmp_path / "cli"
        work.mkdir()
        r = subprocess.run(
            [S3ENV, "--backend", "boto3", "-p", "flaky", "cp", f"s3://{bucket}/{key}", "out.bin"],
            capture_output=True,
            env={**sandbox.env, "S3ENV_ENGINE": engine},
            cwd=work,
            timeout=120,
        )
    finally:
        proxy.close()
    message = KEEPS_BREAKING[engine].format(attempts=RESUME_ATTEMPTS)
    assert_one_error_line(
        r.returncode, r.stdout, r.stderr, rf'ERROR "cp s3://{bucket}/{key} out\.bin": {message}'
    )
    assert list(work.iterdir()) == []  # neither out.bin nor a temporary file


def test_an_object_replaced_mid_download_fails(moto: MotoServer, big_object, tmp_path: Path) -> None:
    bucket, key, _data = big_object
    replaced: list[bool] = []

    def replace_once(_n: int) -> None:
        if not replaced:
            replaced.append(True)
            s3_client(moto).put_object(Bucket=bucket, Key=key, Body=os.urandom(3 * MIB + 5))

    fd = os.open(tmp_path / "out.bin", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        download = RangedDownload(backend_client(moto.url), bucket, key, fd, MIB, 1, on_bytes=replace_once)
        with pytest.raises(ClientError) as caught:
            download.run()
    finally:
        os.close(fd)
    assert caught.value.response["Error"]["Code"] == "PreconditionFailed"


# ---- bad credentials (SeaweedFS checks them) ---------------------------------------------------


@pytest.mark.parametrize(
    ("profile", "code"),
    [("wrongsecret", "SignatureDoesNotMatch"), ("unknownkey", "InvalidAccessKeyId")],
)
def test_bad_credentials_same_errors_on_both_backends(
    sandbox: Sandbox, seaweedfs: MotoServer, tmp_path: Path, profile: str, code: str
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    bucket = unique_bucket("creds")
    s3_client(seaweedfs).create_bucket(Bucket=bucket)
    s3_client(seaweedfs).put_object(Bucket=bucket, Key="k.txt", Body=b"secret data")
    add_profile("wrongsecret", seaweedfs.url, secret="not-the-secret")
    add_profile("unknownkey", seaweedfs.url, key="AKIDNOSUCHKEY", secret="x")
    (work / "up.txt").write_bytes(b"up")
    cases = [
        (["ls"], code),
        (["ls", f"s3://{bucket}/"], code),
        (["cp", "up.txt", f"s3://{bucket}/up.txt"], code),
        (["cp", f"s3://{bucket}/k.txt", "down.txt"], code),
        (["rm", f"s3://{bucket}/k.txt"], code),
        (["mb", f"s3://{bucket}-new"], code),
        (["cat", f"s3://{bucket}/k.txt"], "Forbidden"),  # a HEAD first: no body, no code
        (["head", f"s3://{bucket}/k.txt"], "Forbidden"),
    ]
    shim = Shim(sandbox, seaweedfs, profile=profile)

    def mask(text: bytes) -> str:
        return re.sub(r"request id: [^,]*,", "request id: R,", text.decode())

    for argv, expected in cases:
        with ThreadPoolExecutor(2) as pool:
            ref_f = pool.submit(shim, "s5cmd", *argv, cwd=work)
            got_f = pool.submit(shim, "boto3", *argv, cwd=work)
            ref, got = ref_f.result(), got_f.result()
        assert (got.returncode, got.stdout, mask(got.stderr)) == (
            ref.returncode,
            ref.stdout,
            mask(ref.stderr),
        )
        assert got.returncode == 1 and got.stdout == b"", argv
        assert mask(got.stderr).startswith(f'ERROR "{" ".join(argv)}": {expected}: '), (argv, got.stderr)
        assert "\n" not in mask(got.stderr).rstrip("\n")
    assert sorted(p.name for p in work.iterdir()) == ["up.txt"]  # nothing downloaded
    objects = s3_client(seaweedfs).list_objects_v2(Bucket=bucket).get("Contents", [])
    assert [o["Key"] for o in objects] == ["k.txt"]  # nothing uploaded, nothing removed


# ---- memory on a large file ---------------------------------------------------------------------


def _peak_rss_mib(argv: list[str], env: dict[str, str], cwd: Path) -> float:
    # Through devserver's launcher: Linux keeps a process's peak RSS across exec, so a command
    # spawned straight from this (large) pytest worker would report the worker's size.
    measured = run_measured(argv, env, cwd)
    assert measured.returncode == 0, measured.stderr
    return measured.max_rss_kib / 1024


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(8 * MIB):
            digest.update(chunk)
    return digest.hexdigest()


@pytest.mark.parametrize("engine", ENGINES)
def test_large_file_memory_stays_bounded(
    sandbox: Sandbox, seaweedfs: MotoServer, tmp_path: Path, engine: str
) -> None:
    size = 512 * MIB + 123
    source = tmp_path / "large.bin"
    with open(source, "wb") as handle:
        left = size
        while left:
            n = min(16 * MIB, left)
            handle.write(os.urandom(n))
            left -= n
    bucket = unique_bucket("large")
    s3_client(seaweedfs).create_bucket(Bucket=bucket)
    add_profile("large", seaweedfs.url)
    base = [S3ENV, "--backend", "boto3", "-p", "large", "cp"]
    env = engine_env(sandbox.env, engine)
    up_mib = _peak_rss_mib([*base, "large.bin", f"s3://{bucket}/large.bin"], env, tmp_path)
    digest = _sha256(source)
    source.unlink()  # (disk: the round trip of one engine at a time)
    (tmp_path / "back").mkdir()
    # (the CRT's own whole-object GET grew with the object here: 336 MiB; crt_download.py)
    down_mib = _peak_rss_mib([*base, f"s3://{bucket}/large.bin", "back/"], env, tmp_path)
    assert _sha256(tmp_path / "back" / "large.bin") == digest
    # A client that held the file (or one 50 MiB part per stream) would need > 512 MiB.
    assert up_mib < 200, f"upload peak RSS {up_mib:.0f} MiB"
    assert down_mib < 200, f"download peak RSS {down_mib:.0f} MiB"


def test_many_files_in_flight_keep_memory_bounded(
    sandbox: Sandbox, seaweedfs: MotoServer, tmp_path: Path
) -> None:
    """The CRT engine holds each request body whole while it sends it: with hundreds of files
    in flight, the bytes held at once are capped, and freed buffers go back to the system
    (glibc kept them in its arenas: 290 MiB for a mix like this one before)."""
    mix = tmp_path / "mix"
    mix.mkdir()
    for i in range(24):
        (mix / f"m{i:02d}.bin").write_bytes(os.urandom(8 * MIB))
    for i in range(50):
        (mix / f"s{i:02d}.bin").write_bytes(os.urandom(100_000))
    (mix / "parts.bin").write_bytes(os.urandom(60 * MIB))
    bucket = unique_bucket("mix")
    s3_client(seaweedfs).create_bucket(Bucket=bucket)
    add_profile("mix", seaweedfs.url)
    argv = [S3ENV, "--backend", "boto3", "-p", "mix", "cp", "mix/", f"s3://{bucket}/"]
    mib = _peak_rss_mib(argv, engine_env(sandbox.env, "crt"), tmp_path)
    objects = s3_client(seaweedfs).list_objects_v2(Bucket=bucket)["Contents"]
    assert len(objects) == 75 and sum(o["Size"] for o in objects) == sum(
        p.stat().st_size for p in mix.iterdir()
    )
    assert mib < 200, f"peak RSS {mib:.0f} MiB"


# ---- a local file that shrinks during its upload ------------------------------------------------


# Every part (the whole file, or each 16 MiB part) is larger than the socket buffers (several MiB
# on loopback): the held part is still being read from the file when it shrinks.
@pytest.mark.parametrize(
    ("size", "flags"), [(40 * MIB, []), (48 * MIB, ["-p", "16"])], ids=["put", "multipart"]
)
@pytest.mark.parametrize("engine", ENGINES)
def test_a_file_that_shrinks_mid_upload_fails_at_once(
    sandbox: Sandbox, moto: MotoServer, tmp_path: Path, size: int, flags: list[str], engine: str
) -> None:
    bucket = unique_bucket("shrink")
    s3_client(moto).create_bucket(Bucket=bucket)
    proxy = FaultProxy(moto.url, cut_after=1 << 40, cuts=0, pause_up_after=1_000_000)
    add_profile("shrink", proxy.url)
    work = tmp_path / "work"
    work.mkdir()
    (work / "big.bin").write_bytes(os.urandom(size))
    argv = [S3ENV, "--backend", "boto3", "-p", "shrink", "cp", *flags, "big.bin", f"s3://{bucket}/big.bin"]
    process = subprocess.Popen(
        argv, env=engine_env(sandbox.env, engine), cwd=work, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        assert proxy.paused.wait(60), "the upload never got going"
        os.truncate(work / "big.bin", 1000)  # mid-upload: 1 MB of the body is on the wire
        proxy.resume.set()
        stdout, stderr = process.communicate(timeout=50)  # well before the server's read timeout
    finally:
        process.kill()
        proxy.close()
    assert_one_error_line(
        process.returncode,
        stdout,
        stderr,
        rf'ERROR "cp big\.bin s3://{bucket}/big\.bin": '
        r"big\.bin shrank during the upload: it ends at byte \d+, before byte \d+",
    )
    assert s3_client(moto).list_objects_v2(Bucket=bucket).get("KeyCount", 0) == 0  # nothing half-written


def test_request_heads_as_s5cmd_100_continue_from_2_mib_no_checksums_md5_on_delete(
    sandbox: Sandbox, moto: MotoServer, tmp_path: Path
) -> None:
    """botocore asks every file PUT to wait for "100 Continue" (a round trip per small file),
    s5cmd's SDK only from 2 MiB; botocore checksums uploads and puts CRC32 on DeleteObjects,
    s5cmd sends no checksum and Content-MD5.  Seen on the wire, both backends send the same."""
    proxy = FaultProxy(moto.url, cut_after=1 << 40, cuts=0, record_up=True)
    add_profile("wire", proxy.url)
    sizes = {"small": 4096, "below": 2 * MIB - 1, "at": 2 * MIB, "above": 3 * MIB}
    for name, size in sizes.items():
        (tmp_path / name).write_bytes(os.urandom(size))
    expects: dict[str, dict[str, str | None]] = {}
    try:
        for backend, engine in (("s5cmd", ""), *(("boto3", engine) for engine in ENGINES)):
            label = engine or backend
            bucket = unique_bucket(f"expect-{label[:5]}")
            s3_client(moto).create_bucket(Bucket=bucket)
            for name in sizes:
                result = subprocess.run(
                    [S3ENV, "--backend", backend, "-p", "wire", "cp", name, f"s3://{bucket}/{name}"],
                    env=engine_env(sandbox.env, engine),
                    cwd=tmp_path,
                    capture_output=True,
                    timeout=120,
                )
                assert result.returncode == 0, result.stderr
            rm = subprocess.run(
                [S3ENV, "--backend", backend, "-p", "wire", "rm", f"s3://{bucket}/*"],
                env=engine_env(sandbox.env, engine),
                capture_output=True,
                timeout=120,
            )
            assert rm.returncode == 0, rm.stderr
            deletes = [h for line, h in proxy.request_heads() if line.startswith(f"POST /{bucket}?delete")]
            assert deletes, proxy.request_heads()
            # Content-MD5 on DeleteObjects, as s5cmd: older stores refuse it without one.
            for headers in deletes:
                assert "content-md5" in headers and not [h for h in headers if "checksum" in h], headers
            heads = [(line, h) for line, h in proxy.request_heads() if line.startswith(f"PUT /{bucket}/")]
            puts = {line.split()[1].rsplit("/", 1)[-1]: headers.get("expect") for line, headers in heads}
            # Nor any checksum (boto3's default since 1.36, which many S3-compatible stores refuse).
            assert not [h for _, headers in heads for h in headers if "checksum" in h], heads
            assert puts.keys() == sizes.keys(), puts
            expects[label] = puts
            # Which engine sent the PUTs: the CRT's S3 client names itself in the User-Agent.
            agents = {headers.get("user-agent", "").split("/")[0] for _, headers in heads}
            wanted = {"crt": {"CRTS3NativeClient"}, "botocore": {"Botocore"}}.get(label, agents)
            assert agents == wanted, (label, agents)
    finally:
        proxy.close()
    for engine in ENGINES:
        expected = {"small": None, "below": None, "at": "100-continue", "above": "100-continue"}
        assert expects[engine] == expected, engine
        assert {k: v and v.lower() for k, v in expects["s5cmd"].items()} == expects[engine]


def test_a_file_body_is_the_size_at_the_start(tmp_path: Path) -> None:
    from s3env.shim.boto3.cancel import Cancellation
    from s3env.shim.boto3.multipart import FileChangedError, FileRange

    path = tmp_path / "f"
    path.write_bytes(b"0123456789")
    fd = os.open(path, os.O_RDONLY)
    try:
        body = FileRange(fd, 0, 10, "f", Cancellation())
        assert body.seek(0, os.SEEK_END) == 10 and body.tell() == 10  # what botocore measures
        body.seek(0)
        assert body.read(4) == b"0123"
        with open(path, "ab") as grow:
            grow.write(b"more")
        assert body.read() == b"456789" and body.read() == b""  # growth is not sent
        part = FileRange(fd, 4, 3, "f", Cancellation())  # a part: its own range only
        assert part.read() == b"456" and part.read() == b""
        body.seek(0)
        os.truncate(path, 3)
        with pytest.raises(
            FileChangedError, match="f shrank during the upload: it ends at byte 3, before byte 10"
        ):
            body.read()
    finally:
        os.close(fd)


def test_a_range_answered_with_other_bytes_is_refused(tmp_path: Path) -> None:
    # A server that honours the first Range but not the next ones: writing its answer at the
    # part's offset would corrupt the file, so the download stops instead.
    import io

    from s3env.shim.boto3.ranged import RangeIgnoredError

    data = os.urandom(3000)

    class HonoursOnlyTheFirstRange:
        def get_object(self, Bucket: str, Key: str, Range: str = "", IfMatch: str = "") -> dict:
            if Range == "bytes=0-999":
                return {"ContentRange": "bytes 0-999/3000", "ETag": '"e"', "Body": io.BytesIO(data[:1000])}
            return {"ContentLength": 3000, "ETag": '"e"', "Body": io.BytesIO(data)}

    fd = os.open(tmp_path / "out", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        with pytest.raises(RangeIgnoredError, match="bytes=1000-1999"):
            RangedDownload(HonoursOnlyTheFirstRange(), "b", "k", fd, 1000, 1).run()
    finally:
        os.close(fd)
    assert (tmp_path / "out").read_bytes() == data[:1000]


# Headers that carry an object's settings (and what must never be there): compared on the wire.
SETTING_HEADERS = (
    "content-type",
    "cache-control",
    "content-encoding",
    "content-disposition",
    "expires",
    "x-amz-storage-class",
    "x-amz-acl",
    "x-amz-server-side-encryption",
    "x-amz-metadata-directive",
    "x-amz-copy-source",
    "expect",
)


def test_object_settings_on_the_wire_alike_on_both_engines(
    sandbox: Sandbox, moto: MotoServer, tmp_path: Path
) -> None:
    """cp's object flags reach the server as the same headers from either engine, as s5cmd
    sends them: on a single PUT, on CreateMultipartUpload (not on its parts), and on a
    server-side copy; and no request of either carries a checksum."""
    proxy = FaultProxy(moto.url, cut_after=1 << 40, cuts=0, record_up=True)
    add_profile("flags", proxy.url)
    (tmp_path / "small.txt").write_bytes(b"x" * 100)
    (tmp_path / "big.bin").write_bytes(os.urandom(11 * MIB + 17))
    flags = [
        "--storage-class", "STANDARD_IA", "--acl", "public-read", "--cache-control", "max-age=5",
        "--expires", "2030-01-02T03:04:05Z", "--content-encoding", "gzip",
        "--content-disposition", "attachment", "--metadata", "Color=blue", "--metadata", "b=2",
        "--sse", "AES256", "--content-type", "text/x-flag",
    ]  # fmt: skip
    seen: dict[str, list[tuple[str, list[tuple[str, str]]]]] = {}
    try:
        for backend, engine in (("s5cmd", ""), *(("boto3", engine) for engine in ENGINES)):
            label = engine or backend
            bucket = unique_bucket(f"flags-{label[:5]}")
            s3_client(moto).create_bucket(Bucket=bucket)
            before = len(proxy.request_heads())
            for argv in (
                ["cp", *flags, "small.txt", f"s3://{bucket}/small.txt"],
                ["cp", "-p", "5", *flags, "big.bin", f"s3://{bucket}/big.bin"],
                ["cp", *flags, f"s3://{bucket}/small.txt", f"s3://{bucket}/copy.txt"],
            ):
                result = subprocess.run(
                    [S3ENV, "--backend", backend, "-p", "flags", *argv],
                    env=engine_env(sandbox.env, engine),
                    cwd=tmp_path,
                    capture_output=True,
                    timeout=120,
                )
                assert result.returncode == 0, (label, argv, result.stderr)
            heads = proxy.request_heads()[before:]
            assert not [h for _, headers in heads for h in headers if "checksum" in h], (label, heads)

            def request_kind(line: str, bucket: str = bucket) -> str:
                method, target, _ = line.split(" ")
                path, _, query = target.replace(bucket, "B").partition("?")
                # the upload id left out, the query in one order and form (Go's "uploads=")
                fields = sorted(
                    f.rstrip("=") for f in query.split("&") if f and not f.startswith("uploadId=")
                )
                return f"{method} {path}" + ("?" + "&".join(fields) if fields else "")

            seen[label] = sorted(
                (
                    request_kind(line),
                    sorted(
                        (name, value.lower() if name == "expect" else value.replace(bucket, "B"))
                        for name, value in headers.items()
                        if name in SETTING_HEADERS or name.startswith("x-amz-meta-")
                    ),
                )
                for line, headers in heads
                if not line.startswith(("HEAD ", "GET "))
            )  # (sorted by request, then by its settings: parts differ in Expect only)
    finally:
        proxy.close()
    for engine in ENGINES:
        assert seen[engine] == seen["s5cmd"], engine
    put = dict(dict(seen["crt"])["PUT /B/small.txt"])
    assert put["expires"] == "Wed, 02 Jan 2030 03:04:05 GMT" and put["x-amz-meta-color"] == "blue", put
