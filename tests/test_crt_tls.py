"""The CRT engine's TLS check (engine/crt_tls.py): one handshake beside the first requests,
with the roots the CRT uses, so that a refused certificate fails at once instead of after
s2n's 10-30 s delay per attempt (test_shim_connection_errors.py's self-signed case shows the
whole command; this shows the check itself, both ways)."""

from __future__ import annotations

import threading
from pathlib import Path

from s3env.shim.boto3.engine.crt_tls import TlsWatch
from tests.test_shim_connection_errors import _Acceptor, _self_signed, _silent


def _watch(url: str, cafile: str | None) -> tuple[TlsWatch, threading.Event]:
    refused = threading.Event()
    watch = TlsWatch(url, cafile, refused.set)
    watch._thread.join(15)
    return watch, refused


def test_a_self_signed_certificate_is_refused_at_once(tmp_path: Path) -> None:
    server = _Acceptor(_silent, wrap=_self_signed(tmp_path))
    try:
        watch, refused = _watch(f"https://127.0.0.1:{server.port}", None)
    finally:
        server.close()
    assert refused.is_set()
    assert watch.cause == "tls: failed to verify certificate: x509: certificate signed by unknown authority"


def test_the_same_certificate_in_aws_ca_bundle_is_trusted(tmp_path: Path) -> None:
    server = _Acceptor(_silent, wrap=_self_signed(tmp_path))
    try:
        watch, refused = _watch(f"https://127.0.0.1:{server.port}", str(tmp_path / "cert.pem"))
    finally:
        server.close()
    assert not refused.is_set() and watch.cause is None


def test_no_server_is_no_verdict(tmp_path: Path) -> None:
    """A connection that fails is the requests' to report (the CRT fails those fast)."""
    import socket

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        watch, refused = _watch(f"https://127.0.0.1:{closed.getsockname()[1]}", None)
    assert not refused.is_set() and watch.cause is None
