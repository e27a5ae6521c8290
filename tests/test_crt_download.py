"""The CRT engine's downloads (engine/crt_download.py) against real servers, seen on the wire.

- the parts after the first carry ``If-Match`` with the first answer's ETag, and the ranges
  cover the object once (FaultProxy records every request head);
- a broken stream is sent again by the CRT, and the file is whole; an object replaced between
  parts fails with PreconditionFailed; a server that answers a Range with other bytes is
  refused (a small HTTP server of its own, since neither moto nor SeaweedFS misbehaves so);
- a named object downloads without botocore being imported at all (its import alone costs
  more than s5cmd's whole small download), and the engine that ran is the CRT's;
- ``cat`` streams an object of several parts in order, on both engines, as s5cmd.

The conformance suites run the rest of the downloads on the CRT engine (the default where
awscrt is installed) and, where parametrized over ``S3ENV_ENGINE``, on botocore's.
"""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import s3env
from devtools.devserver import MotoServer
from s3env.shim.base import ShimRequest
from s3env.shim.boto3.context import Context
from s3env.shim.boto3.engine.crt_download import run_here
from s3env.shim.boto3.errors import message_of
from tests.conftest import S3ENV, Sandbox, make_shim, s3_client, unique_bucket
from tests.faultproxy import FaultProxy

pytest.importorskip("awscrt.s3")

MIB = 1024 * 1024

pytestmark = pytest.mark.usefixtures("sandbox")


def crt_context(url: str) -> Context:
    """A command's context whose engine is the CRT's, for ``url``."""
    profile = s3env.Profile(
        "t",
        endpoint_url=url,
        region="us-east-1",
        addressing_style="path",
        access_key_id="test",
        secret_access_key="test",
    )
    ctx = Context(ShimRequest("cp", [], profile, base_env={**os.environ, "S3ENV_ENGINE": "crt"}))
    assert ctx.engine.name == "crt"
    return ctx


def download(ctx: Context, bucket: str, key: str, path: Path, part_size: int, concurrency: int) -> int:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        return run_here(ctx.engine.download(bucket, key, fd, part_size, concurrency))
    finally:
        os.close(fd)


@pytest.fixture
def object_of_parts(moto: MotoServer) -> tuple[str, str, bytes]:
    bucket = unique_bucket("crtdown")
    data = os.urandom(3 * MIB + 5)  # four 1 MiB parts, the last of 5 bytes
    client = s3_client(moto)
    client.create_bucket(Bucket=bucket)
    client.put_object(Bucket=bucket, Key="big.bin", Body=data)
    return bucket, "big.bin", data


def test_parts_after_the_first_carry_if_match(moto: MotoServer, object_of_parts, tmp_path: Path) -> None:
    bucket, key, data = object_of_parts
    etag = s3_client(moto).head_object(Bucket=bucket, Key=key)["ETag"]
    proxy = FaultProxy(moto.url, cut_after=1 << 40, cuts=0, record_up=True)
    try:
        size = download(crt_context(proxy.url), bucket, key, tmp_path / "out", MIB, 3)
        gets = [(line, headers) for line, headers in proxy.request_heads() if line.startswith("GET ")]
    finally:
        proxy.close()
    assert size == len(data) and (tmp_path / "out").read_bytes() == data
    ranges = sorted(headers["range"] for _, headers in gets)
    assert ranges == [
        f"bytes={start}-{min(start + MIB, len(data)) - 1}" for start in range(0, len(data), MIB)
    ]
    first = [headers for _, headers in gets if headers["range"] == f"bytes=0-{MIB - 1}"]
    assert len(first) == 1 and "if-match" not in first[0]
    assert all(headers["if-match"] == etag for _, headers in gets if headers is not first[0])


def test_broken_streams_are_sent_again(moto: MotoServer, object_of_parts, tmp_path: Path) -> None:
    # The botocore engine resumes a broken part from the byte where it stopped; the CRT sends
    # the part again whole.  Either way: the whole object, once.
    bucket, key, data = object_of_parts
    proxy = FaultProxy(moto.url, cut_after=300_000, cuts=3)
    try:
        assert download(crt_context(proxy.url), bucket, key, tmp_path / "out", MIB, 3) == len(data)
    finally:
        proxy.close()
    assert proxy.cut_count == 3
    assert (tmp_path / "out").read_bytes() == data


def test_an_object_replaced_between_parts_fails(moto: MotoServer, object_of_parts, tmp_path: Path) -> None:
    bucket, key, _data = object_of_parts
    # One connection, parts one after another: held in the second part, the object replaced,
    # the third part's If-Match no longer matches.
    proxy = FaultProxy(moto.url, cut_after=1 << 40, cuts=0, pause_down_after=MIB // 2)
    ctx = crt_context(proxy.url)
    failure: list[BaseException] = []

    def run() -> None:
        try:
            download(ctx, bucket, key, tmp_path / "out", MIB, 1)
        except BaseException as exc:
            failure.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    try:
        assert proxy.paused.wait(60), "the download never got going"
        s3_client(moto).put_object(Bucket=bucket, Key=key, Body=os.urandom(3 * MIB + 5))
    finally:
        proxy.resume.set()
        worker.join(60)
        proxy.close()
    assert len(failure) == 1, failure
    assert message_of(failure[0]).startswith("PreconditionFailed: "), message_of(failure[0])


class _HonoursOnlyTheFirstRange(http.server.BaseHTTPRequestHandler):
    """bytes=0-… as asked; any other Range: the whole object (``whole``) or the bytes 10
    before those asked for, with a Content-Range saying so (``shifted``)."""

    protocol_version = "HTTP/1.1"
    data = os.urandom(3 * MIB)
    mode = "whole"

    def log_message(self, *_args: object) -> None:
        return None

    def do_GET(self) -> None:
        asked = self.headers.get("Range", "")
        start, _, end = asked.removeprefix("bytes=").partition("-")
        if start == "0":
            body = self.data[: int(end) + 1]
            self.send_response(206)
            self.send_header("Content-Range", f"bytes 0-{end}/{len(self.data)}")
        elif self.mode == "shifted":
            first, last = int(start) - 10, int(end) - 10
            body = self.data[first : last + 1]
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {first}-{last}/{len(self.data)}")
        else:
            body = self.data
            self.send_response(200)
        self.send_header("ETag", '"e"')
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        return None  # a client that hangs up on a refused answer is no news here


@pytest.fixture
def misbehaving_server() -> Iterator[tuple[str, type[_HonoursOnlyTheFirstRange]]]:
    handler = type("Handler", (_HonoursOnlyTheFirstRange,), {})
    server = _QuietServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("mode", ["whole", "shifted"])
def test_a_range_answered_with_other_bytes_is_refused(
    misbehaving_server: tuple[str, type[_HonoursOnlyTheFirstRange]], tmp_path: Path, mode: str
) -> None:
    url, handler = misbehaving_server
    handler.mode = mode
    ctx = crt_context(url)
    ctx.retry_count = 0
    with pytest.raises(Exception) as caught:
        download(ctx, "b", "k", tmp_path / "out", MIB, 2)
    # Refused by the CRT itself (a Content-Range not the one asked for, a body larger than the
    # part) or else here (RangeIgnoredError): never written at the part's offset.
    assert "range" in message_of(caught.value).lower() or mode == "whole", message_of(caught.value)
    data = (tmp_path / "out").read_bytes()
    assert data[MIB:] == b"\0" * (len(data) - MIB) or not data[MIB:]


# ---- the command line ---------------------------------------------------------------------------

# Runs the real entry point; reports at exit whether botocore was imported, and the engine.
RUNNER = """
import os, sys
real_exit = os._exit
def report(status=0):
    from s3env.shim.boto3.engine import engine_name
    seen = "botocore" in sys.modules, engine_name(os.environ)
    os.write(2, ("\\nBOTOCORE %s ENGINE %s\\n" % seen).encode())
    real_exit(status)
os._exit = report  # the backend ends its process with os._exit, past any atexit
sys.argv = ["s3env", *sys.argv[1:]]
from s3env.cli.entry import main
try:
    main()
finally:
    report()
"""


def test_a_named_object_downloads_without_botocore(
    sandbox: Sandbox, moto: MotoServer, tmp_path: Path
) -> None:
    bucket = unique_bucket("nobotocore")
    s3_client(moto).create_bucket(Bucket=bucket)
    s3_client(moto).put_object(Bucket=bucket, Key="k.bin", Body=b"x" * 5000)
    make_shim(sandbox, moto, profile="nb")
    ran = subprocess.run(
        [
            sys.executable,
            "-c",
            RUNNER,
            "--backend",
            "boto3",
            "-p",
            "nb",
            "cp",
            f"s3://{bucket}/k.bin",
            "k.bin",
        ],
        env={**sandbox.env, "S3ENV_ENGINE": "crt"},
        cwd=tmp_path,
        capture_output=True,
        timeout=60,
    )
    assert ran.stdout == f"cp s3://{bucket}/k.bin k.bin\n".encode(), ran.stderr
    assert ran.stderr.decode().split() == ["BOTOCORE", "False", "ENGINE", "crt"]
    assert (tmp_path / "k.bin").read_bytes() == b"x" * 5000


@pytest.mark.parametrize("engine", ["crt", "botocore"])
def test_cat_streams_the_parts_in_order(sandbox: Sandbox, moto: MotoServer, engine: str) -> None:
    bucket = unique_bucket("crtcat")
    data = os.urandom(20 * MIB + 7)  # three parts of the CRT engine's 8 MiB
    s3_client(moto).create_bucket(Bucket=bucket)
    s3_client(moto).put_object(Bucket=bucket, Key="big.bin", Body=data)
    s3_client(moto).put_object(Bucket=bucket, Key="empty", Body=b"")
    make_shim(sandbox, moto, profile="cat")
    env = {**sandbox.env, "S3ENV_ENGINE": engine}

    def cat(backend: str, key: str) -> subprocess.CompletedProcess[bytes]:
        argv = [S3ENV, "--backend", backend, "-p", "cat", "cat", f"s3://{bucket}/{key}"]
        return subprocess.run(argv, env=env, capture_output=True, timeout=120)

    for key, expected in (("big.bin", data), ("empty", b"")):
        with ThreadPoolExecutor(2) as pool:
            ref, got = pool.map(lambda backend, key=key: cat(backend, key), ["s5cmd", "boto3"])
        assert (got.returncode, got.stderr) == (ref.returncode, ref.stderr) == (0, b""), got.stderr
        assert got.stdout == ref.stdout == expected
