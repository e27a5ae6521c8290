"""Connection failures print their real cause on every command, word for word as s5cmd does.

For each kind of failure — connection refused, a TLS handshake that times out, a name that does
not resolve, an https endpoint that speaks plain HTTP (a Python server: not TLS; a Go server:
HTTP), a self-signed certificate — every command runs on both backends against the same
endpoint and must give the same stdout bytes, stderr and exit status as the real s5cmd binary;
s5cmd's own line must also name the expected cause (so both being wrong the same way fails).

Nothing is normalised: both backends reach the same endpoint (same address and port), and the
DNS case names the resolver from /etc/resolv.conf, which both read.  Every endpoint is local
(127.0.0.1) but the DNS case, whose name ends in ``.invalid`` (RFC 2606: never resolves).
``--retry-count 0`` (s5cmd's global option, honoured by both backends) keeps each case to one
attempt: s5cmd's default 10 retries would back off for ~45 s.  The handshake timeout is Go's
fixed 10 s (``http.DefaultTransport``), the boto3 backend's connect timeout is the same.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import json
import re
import socket
import ssl
import subprocess
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from s3env.core.errors import UsageError
from s3env.core.model import Profile
from s3env.shim.base import ShimRequest
from s3env.shim.frame import split_global_options
from s3env.shim.s5cmd import s5cmd_argv
from tests.conftest import S3ENV, Sandbox

# Every command, once each way where it has two (upload/download, text/--json).
COMMANDS: list[list[str]] = [
    ["ls"],
    ["ls", "s3://bkt/"],
    ["--json", "ls", "s3://bkt/*"],
    ["cp", "up.txt", "s3://bkt/up.txt"],
    ["cp", "s3://bkt/k.txt", "down.txt"],
    ["cp", "s3://bkt/*", "got/"],
    ["mv", "up.txt", "s3://bkt/moved.txt"],
    ["rm", "s3://bkt/k.txt"],
    ["rm", "s3://bkt/*"],
    ["cat", "s3://bkt/k.txt"],
    ["head", "s3://bkt/k.txt"],
    ["mb", "s3://newbkt"],
    ["rb", "s3://bkt"],
    ["du", "s3://bkt/*"],
    ["sync", "dir/", "s3://bkt/dir/"],
    ["sync", "s3://bkt/dir/*", "back/"],
]

# s5cmd's line: aws-sdk-go's RequestError, the Go request (method, URL), then the cause.
REQUEST_ERROR = r'RequestError: send request failed caused by: [A-Z][a-z]+ "{url}[^"]*": {cause}'


def _error_text(line: str) -> str:
    """The message of an ``ERROR "COMMAND": message`` line or of a ``--json`` error object."""
    if line.startswith("{"):
        return json.loads(line)["error"]
    return re.sub(r'^ERROR "[^"]*": ', "", line)


# ---- local servers that fail in one way each -----------------------------------------------


class _Acceptor:
    """A listening socket whose connections ``handle`` serves, each in a thread."""

    def __init__(self, handle: Callable[[socket.socket], None], wrap: ssl.SSLContext | None = None) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.handle, self.wrap = handle, wrap
        self.held: list[socket.socket] = []
        self.closed = False
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.closed:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn: socket.socket) -> None:
        with contextlib.suppress(OSError):
            conn.settimeout(30)
            if self.wrap is not None:
                conn = self.wrap.wrap_socket(conn, server_side=True)  # the client refuses the cert
            self.handle(conn)

    def close(self) -> None:
        self.closed = True
        self.sock.close()
        for conn in self.held:
            with contextlib.suppress(OSError):
                conn.close()


def _silent(_conn: socket.socket) -> None:
    """Accept and never answer (the connection stays open until the test ends)."""


def _self_signed(directory: Path) -> ssl.SSLContext:
    """A server context with a fresh self-signed certificate for 127.0.0.1."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .sign(key, hashes.SHA256())
    )
    (directory / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (directory / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(directory / "cert.pem", directory / "key.pem")
    return context


@contextlib.contextmanager
def _endpoint(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    """(endpoint URL, s5cmd's cause as a regex) for one kind of failure."""
    if kind == "refused":
        with socket.socket() as closed:  # bound, never listening: the kernel refuses
            closed.bind(("127.0.0.1", 0))
            port = closed.getsockname()[1]
            yield f"http://127.0.0.1:{port}", rf"dial tcp 127\.0\.0\.1:{port}: connect: connection refused"
        return
    if kind == "dns":
        yield "http://nonexistent.invalid", r"dial tcp: lookup nonexistent\.invalid on [^ ]+: no such host"
        return
    if kind == "tls-python-http":  # moto (werkzeug) answers a ClientHello with a bare HTML page
        url = request.getfixturevalue("moto").url
        yield url.replace("http://", "https://"), "tls: first record does not look like a TLS handshake"
        return
    if kind == "tls-go-http":  # SeaweedFS (Go) answers it with "HTTP/1.1 400 Bad Request"
        url = request.getfixturevalue("seaweedfs").url
        yield url.replace("http://", "https://"), "http: server gave HTTP response to HTTPS client"
        return
    if kind == "timeout":
        server = _Acceptor(_silent)
        cause = "net/http: TLS handshake timeout"
    else:
        assert kind == "tls-self-signed"
        server = _Acceptor(_silent, wrap=_self_signed(tmp_path))
        cause = "tls: failed to verify certificate: x509: certificate signed by unknown authority"
    try:
        yield f"https://127.0.0.1:{server.port}", cause
    finally:
        server.close()


# ---- the comparison --------------------------------------------------------------------------


def _run(sandbox: Sandbox, work: Path, backend: str, argv: list[str]) -> subprocess.CompletedProcess[bytes]:
    env = {**sandbox.env, "AWS_EC2_METADATA_DISABLED": "true"}
    command = [S3ENV, "--backend", backend, "--profile", "dead", "--retry-count", "0", *argv]
    return subprocess.run(command, capture_output=True, env=env, cwd=work / backend, timeout=120)


def _workdir(work: Path) -> None:
    work.mkdir()
    (work / "up.txt").write_bytes(b"up\n")
    (work / "dir").mkdir()
    (work / "dir" / "a.txt").write_bytes(b"a\n")


KINDS = ["refused", "timeout", "dns", "tls-python-http", "tls-go-http", "tls-self-signed"]


@pytest.mark.parametrize("kind", KINDS)
def test_connection_failures_print_their_cause_as_s5cmd(
    sandbox: Sandbox, tmp_path: Path, request: pytest.FixtureRequest, kind: str
) -> None:
    import s3env

    with _endpoint(kind, tmp_path, request) as (url, cause):
        s3env.open_store().add(
            Profile(
                "dead",
                endpoint_url=url,
                region="us-east-1",
                addressing_style="path",
                access_key_id="test",
                secret_access_key="test",
            )
        )
        for backend in ("s5cmd", "boto3"):
            _workdir(tmp_path / backend)
        runs = [(backend, argv) for argv in COMMANDS for backend in ("s5cmd", "boto3")]
        with ThreadPoolExecutor(len(runs) if kind == "timeout" else 6) as pool:
            results = list(pool.map(lambda run: _run(sandbox, tmp_path, *run), runs))
    by_command: dict[str, dict[str, subprocess.CompletedProcess[bytes]]] = {}
    for (backend, argv), result in zip(runs, results, strict=True):
        by_command.setdefault(" ".join(argv), {})[backend] = result
    line = re.compile(REQUEST_ERROR.format(url=re.escape(url), cause=cause))
    mismatches = []
    for command, result in by_command.items():
        ref, got = result["s5cmd"], result["boto3"]
        errors = ref.stderr.decode().splitlines()
        assert errors and all(line.fullmatch(_error_text(e)) for e in errors), (command, ref.stderr)
        if (got.returncode, got.stdout, got.stderr) != (ref.returncode, ref.stdout, ref.stderr):
            mismatches.append(
                f"{command}\n  s5cmd [{ref.returncode}] {ref.stdout!r} {ref.stderr!r}"
                f"\n  boto3 [{got.returncode}] {got.stdout!r} {got.stderr!r}"
            )
    assert not mismatches, "\n".join(mismatches)
    # Nothing arrived locally from a server that never answered.
    for backend in ("s5cmd", "boto3"):
        names = sorted(p.name for p in (tmp_path / backend).iterdir())
        assert names == ["dir", "up.txt"], (backend, names)


# ---- --retry-count, the knob both backends take -----------------------------------------------


def test_retry_count_is_a_global_option_passed_to_s5cmd() -> None:
    options, rest = split_global_options(["--retry-count", "0", "-p", "x", "ls", "-r", "3"])
    assert options["retry_count"] == 0 and options["profile"] == "x"
    assert rest == ["ls", "-r", "3"]  # after the command, it belongs to the command
    assert split_global_options(["-r=7", "ls"])[0]["retry_count"] == 7
    assert "retry_count" not in split_global_options(["ls"])[0]  # unset: each backend's default
    for bad in (["--retry-count", "-1", "ls"], ["-r", "x", "ls"], ["--retry-count"]):
        with pytest.raises(UsageError):
            split_global_options(bad)
    request = ShimRequest("ls", [], Profile("p", endpoint_url="http://127.0.0.1:9"), retry_count=0)
    assert s5cmd_argv("/bin/s5cmd", request) == ["/bin/s5cmd", "--retry-count", "0", "ls"]


# ---- the pieces of the line -------------------------------------------------------------------


def test_request_url_as_go_prints_it() -> None:
    from s3env.shim.boto3.errors import go_url

    # Go's url.Values.Encode: sorted, "key=" for an empty value; botocore's encoding-type dropped
    assert go_url("http://h:9/b?list-type=2&prefix=&delimiter=%2F&encoding-type=url") == (
        '"http://h:9/b?delimiter=%2F&list-type=2&prefix="'
    )
    assert go_url("http://h/b?delete") == '"http://h/b?delete="'
    assert go_url("https://user:pa55@h/b/k") == '"https://user:***@h/b/k"'  # net/http's stripPassword


def test_nameserver_as_go_reads_resolv_conf(tmp_path: Path) -> None:
    from s3env.shim.boto3.netcause import nameserver

    conf = tmp_path / "resolv.conf"
    conf.write_text("# comment\nsearch example.org\nnameserver 192.0.2.53\nnameserver 192.0.2.54\n")
    assert nameserver(str(conf)) == "192.0.2.53:53"
    conf.write_text("nameserver 2001:db8::1\n")
    assert nameserver(str(conf)) == "[2001:db8::1]:53"
    conf.write_text("search example.org\n")
    assert nameserver(str(conf)) == "127.0.0.1:53"  # Go's default
    assert nameserver(str(tmp_path / "missing")) == "127.0.0.1:53"
