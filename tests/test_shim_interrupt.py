"""Ctrl-C (SIGINT), SIGTERM and SIGHUP in the middle of a transfer, held to the real s5cmd.

s5cmd catches SIGINT and SIGTERM (``signal.NotifyContext``): every request is cancelled, nothing
more is printed (cancellation errors are not reported), and it exits 1; SIGHUP it does not
catch, so it dies of it.  The boto3 backend must end the same way (same exit status, same
stdout and stderr) and, beyond s5cmd, leave nothing behind: no object that was not complete
before the signal, no multipart upload (s5cmd leaves its own behind: its abort carries the
cancelled context), no temporary file, no ``cp`` line after the signal.

The signal must land mid-transfer: the command goes through ``FaultProxy``, which holds the
first connection that passes N bytes (upstream for uploads, downstream for downloads) until the
test releases it.  A held connection is the worst case: the worker on it is stuck in a socket
call and cannot notice anything; the command must still end within a generous bound (s5cmd
takes milliseconds; the boto3 backend gives its workers half a second, then cleans up after
them).  After the command has ended the held connection is closed, so a body the server was
still receiving arrives incomplete: an object appears only if its client sent it again.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ENGINES, S3ENV, Sandbox, engine_env, make_shim, s3_client, unique_bucket
from tests.faultproxy import FaultProxy

MIB = 1024 * 1024
BOUND = 8.0  # seconds from the signal to the end of the process: generous (s5cmd: ~0.01 s)
SIGNALS = [signal.SIGINT, signal.SIGTERM]
#: (backend, engine) of each run of an upload case: s5cmd, then the boto3 backend on each engine
RUNS = [("s5cmd", ""), *(("boto3", engine) for engine in ENGINES)]
#: the boto3 backend on each transfer engine (downloads: both are run against s5cmd)
BOTO3_ENGINES = ("boto3/crt", "boto3/botocore")


@dataclass
class Outcome:
    returncode: int
    stdout: bytes
    stderr: bytes
    seconds: float  # from the signal to the end of the process


def interrupted(
    sandbox: Sandbox,
    proxy: FaultProxy,
    backend: str,
    argv: list[str],
    cwd: Path,
    signum: int,
    engine: str = "",
) -> Outcome:
    """Run ``s3env --backend BACKEND ARGV`` (``boto3/ENGINE``: with ``S3ENV_ENGINE=ENGINE``)
    through ``proxy``, signal it once the proxy holds a connection, and collect how it ended.
    The held connection is closed only after the process has ended."""
    backend, _, named = backend.partition("/")  # "boto3/crt": the boto3 backend on that engine
    engine = named or engine
    profile = f"held-{backend}-{time.monotonic_ns()}"
    make_shim(sandbox, proxy, profile=profile)  # type: ignore[arg-type]
    process = subprocess.Popen(
        [S3ENV, "--backend", backend, "-p", profile, *argv],
        env=engine_env(sandbox.env, engine),
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        if not proxy.paused.wait(60):
            process.kill()
            pytest.fail(f"the transfer never got going: {process.communicate()}")
        time.sleep(0.3)  # the other workers run on meanwhile
        start = time.monotonic()
        process.send_signal(signum)
        try:
            stdout, stderr = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            stdout, stderr = process.communicate()
            return Outcome(-999, stdout, stderr, float("inf"))
        return Outcome(process.returncode, stdout, stderr, time.monotonic() - start)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        proxy.drop.set()  # the held connection is closed: the server never gets more of it
        proxy.resume.set()


def uploads_left(client, bucket: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [u["Key"] for u in client.list_multipart_uploads(Bucket=bucket).get("Uploads", [])]


def keys(client, bucket: str) -> dict[str, int]:  # type: ignore[no-untyped-def]
    listing = client.list_objects_v2(Bucket=bucket).get("Contents", [])
    return {item["Key"]: item["Size"] for item in listing}


def settle() -> None:
    """Give the server a moment to take in a body cut short by ``interrupted``."""
    time.sleep(1.0)


# ---- one object ------------------------------------------------------------------------------


@pytest.mark.parametrize("signum", SIGNALS, ids=lambda s: signal.Signals(s).name)
@pytest.mark.parametrize(
    ("size", "flags"),
    [(24 * MIB, ["-p", "64"]), (16 * MIB, ["-p", "5"])],
    ids=["put", "multipart"],
)
def test_an_interrupted_upload_commits_nothing(
    sandbox: Sandbox, moto, tmp_path: Path, signum: int, size: int, flags: list[str]
) -> None:  # type: ignore[no-untyped-def]
    client = s3_client(moto)
    (tmp_path / "big.bin").write_bytes(os.urandom(size))
    outcomes: dict[str, Outcome] = {}
    for backend, engine in RUNS:
        label = engine or backend
        bucket = unique_bucket(f"int-up-{label[:2]}")
        client.create_bucket(Bucket=bucket)
        proxy = FaultProxy(moto.url, cut_after=1 << 40, cuts=0, pause_up_after=1 * MIB, record_up=True)
        try:
            argv = ["cp", *flags, "big.bin", f"s3://{bucket}/big.bin"]
            outcomes[label] = outcome = interrupted(sandbox, proxy, backend, argv, tmp_path, signum, engine)
            settle()
            heads = [line for line, _headers in proxy.request_heads()]
        finally:
            proxy.close()
        assert keys(client, bucket) == {}, label  # nothing committed
        if backend == "boto3":
            assert uploads_left(client, bucket) == [], label
            # no CompleteMultipartUpload was ever sent: the signal came before the parts were in
            assert not [h for h in heads if h.startswith("POST ") and "uploadId=" in h], heads
            assert outcome.seconds < BOUND, outcome
    ref = outcomes["s5cmd"]
    assert (ref.returncode, ref.stdout, ref.stderr) == (1, b"", b"")  # what s5cmd does
    for engine in ENGINES:
        got = outcomes[engine]
        assert (got.returncode, got.stdout, got.stderr) == (ref.returncode, ref.stdout, ref.stderr), engine


@pytest.mark.parametrize("signum", [*SIGNALS, signal.SIGHUP], ids=lambda s: signal.Signals(s).name)
def test_an_interrupted_download_leaves_no_file(sandbox: Sandbox, moto, tmp_path: Path, signum: int) -> None:  # type: ignore[no-untyped-def]
    """A ranged download (5 MiB parts, in parallel) held mid-body: neither the destination nor
    the temporary file beside it remains.  SIGHUP, which s5cmd does not catch, kills both
    backends (s5cmd leaves its temporary file then; the boto3 backend cleans up first)."""
    client = s3_client(moto)
    bucket = unique_bucket("int-down")
    client.create_bucket(Bucket=bucket)
    client.put_object(Bucket=bucket, Key="big.bin", Body=os.urandom(16 * MIB))
    outcomes: dict[str, Outcome] = {}
    for backend in ("s5cmd", *BOTO3_ENGINES):
        dest = tmp_path / backend.replace("/", "-")
        dest.mkdir()
        proxy = FaultProxy(moto.url, cut_after=1 << 40, cuts=0, pause_down_after=2 * MIB)
        try:
            argv = ["cp", "-p", "5", f"s3://{bucket}/big.bin", f"{dest.name}/"]
            outcomes[backend] = outcome = interrupted(sandbox, proxy, backend, argv, tmp_path, signum)
        finally:
            proxy.close()
        if backend != "s5cmd":
            assert sorted(os.listdir(dest)) == [], backend  # neither big.bin nor big.binXXXXXXXX
            assert outcome.seconds < BOUND, (backend, outcome)
    ref = outcomes["s5cmd"]
    expected = -signal.SIGHUP if signum == signal.SIGHUP else 1
    assert (ref.returncode, ref.stdout, ref.stderr) == (expected, b"", b"")
    for backend in BOTO3_ENGINES:
        got = outcomes[backend]
        assert (got.returncode, got.stdout, got.stderr) == (ref.returncode, ref.stdout, ref.stderr), backend


# ---- many objects ----------------------------------------------------------------------------


def _check_lines(stdout: bytes, pattern: str) -> list[str]:
    lines = stdout.decode().splitlines()
    for line in lines:
        assert re.fullmatch(pattern, line), line
    return lines


@pytest.mark.parametrize("command", ["cp", "sync"])
def test_an_interrupted_batch_upload_prints_only_what_it_committed(
    sandbox: Sandbox, moto, tmp_path: Path, command: str
) -> None:  # type: ignore[no-untyped-def]
    """30 files, 4 workers; one worker is held mid-file.  After the signal: every ``cp`` line
    printed names an object that is there, whole; the held file is not there (not sent
    again), and no line names it."""
    client = s3_client(moto)
    files = {f"f{i:02d}.bin": os.urandom(200_000 + i) for i in range(30)}
    src = tmp_path / "src"
    src.mkdir()
    for name, data in files.items():
        (src / name).write_bytes(data)
    for backend, engine in RUNS:
        label = engine or backend
        bucket = unique_bucket(f"int-many-{label[:2]}")
        client.create_bucket(Bucket=bucket)
        proxy = FaultProxy(moto.url, cut_after=1 << 40, cuts=0, pause_up_after=100_000)
        try:
            argv = ["--numworkers", "4", command, "src/", f"s3://{bucket}/up/"]
            outcome = interrupted(sandbox, proxy, backend, argv, tmp_path, signal.SIGINT, engine)
            settle()
        finally:
            proxy.close()
        assert (outcome.returncode, outcome.stderr) == (1, b""), (label, outcome)
        lines = _check_lines(outcome.stdout, rf"cp src/(f\d\d\.bin) s3://{bucket}/up/\1")
        stored = keys(client, bucket)
        printed = {line.split()[1].rsplit("/", 1)[1] for line in lines}
        assert {f"up/{name}" for name in printed} <= set(stored), label
        assert len(stored) < len(files), label  # the held one (at least) is not there
        for key, size in stored.items():
            assert size == len(files[key.rsplit("/", 1)[1]]), key  # whole, or not at all
        if backend == "boto3":
            assert outcome.seconds < BOUND, outcome
            assert uploads_left(client, bucket) == []


def test_an_interrupted_batch_download_leaves_no_temporary_file(
    sandbox: Sandbox, moto, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    client = s3_client(moto)
    bucket = unique_bucket("int-many-down")
    client.create_bucket(Bucket=bucket)
    objects = {f"p/f{i:02d}.bin": os.urandom(200_000 + i) for i in range(30)}
    for key, data in objects.items():
        client.put_object(Bucket=bucket, Key=key, Body=data)
    for backend in ("s5cmd", *BOTO3_ENGINES):
        dest = tmp_path / backend.replace("/", "-")
        dest.mkdir()
        proxy = FaultProxy(moto.url, cut_after=1 << 40, cuts=0, pause_down_after=100_000)
        try:
            argv = ["--numworkers", "4", "sync", f"s3://{bucket}/p/*", f"{dest.name}/"]
            outcome = interrupted(sandbox, proxy, backend, argv, tmp_path, signal.SIGINT)
        finally:
            proxy.close()
        assert (outcome.returncode, outcome.stderr) == (1, b""), (backend, outcome)
        lines = _check_lines(outcome.stdout, rf"cp s3://{bucket}/p/(f\d\d\.bin) {dest.name}/\1")
        printed = {line.rsplit("/", 1)[1] for line in lines}
        names = set(os.listdir(dest))
        assert printed <= names, backend
        assert len(printed) < len(objects), backend  # the held one (at least) was not
        if backend != "s5cmd":
            assert outcome.seconds < BOUND, outcome
            # every file there is whole: no temporary file, nothing half-written
            for name in names:
                assert f"p/{name}" in objects, name
                assert (dest / name).read_bytes() == objects[f"p/{name}"], name


# The public way in: s3env.shim.run (no signal handler of s3env's; Python's own raises
# KeyboardInterrupt in the main thread).
LIBRARY_SCRIPT = """
import gc, sys
import s3env

try:
    s3env.shim.run(["cp", "-p", "5", "big.bin", sys.argv[2]], profile=sys.argv[1])
except KeyboardInterrupt:
    assert gc.isenabled() and gc.get_freeze_count() == 0  # the caller's collector as it was
    print("KeyboardInterrupt", flush=True)
    sys.exit(3)
print("finished", flush=True)
"""


@pytest.mark.parametrize("engine", ENGINES)
def test_library_use_gets_keyboard_interrupt_after_the_clean_up(
    sandbox: Sandbox, moto, tmp_path: Path, engine: str
) -> None:  # type: ignore[no-untyped-def]
    """Called from Python (no signal handlers of s3env's), Ctrl-C still stops the transfer,
    aborts the multipart upload, and then reaches the caller as ``KeyboardInterrupt``."""
    import sys

    client = s3_client(moto)
    bucket = unique_bucket("int-lib")
    client.create_bucket(Bucket=bucket)
    (tmp_path / "big.bin").write_bytes(os.urandom(16 * MIB))
    proxy = FaultProxy(moto.url, cut_after=1 << 40, cuts=0, pause_up_after=1 * MIB)
    make_shim(sandbox, proxy, profile="lib")  # type: ignore[arg-type]
    process = subprocess.Popen(
        [sys.executable, "-c", LIBRARY_SCRIPT, "lib", f"s3://{bucket}/big.bin"],
        env=engine_env(sandbox.env, engine),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert proxy.paused.wait(60), "the transfer never got going"
        time.sleep(0.3)
        start = time.monotonic()
        process.send_signal(signal.SIGINT)
        assert process.stdout is not None
        line = process.stdout.readline()  # the caller has its KeyboardInterrupt ...
        seconds = time.monotonic() - start
        proxy.drop.set()  # ... then the held worker may end, and the interpreter with it
        proxy.resume.set()
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        proxy.drop.set()
        proxy.resume.set()
        proxy.close()
    assert line == b"KeyboardInterrupt\n", (line, stdout, stderr)
    assert seconds < BOUND
    assert process.returncode == 3
    settle()
    assert keys(client, bucket) == {} and uploads_left(client, bucket) == []
