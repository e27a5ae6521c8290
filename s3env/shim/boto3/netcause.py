"""Why a request got no answer, in the words of Go's ``net``, ``crypto/tls`` and ``net/http``.

s5cmd (aws-sdk-go v1 on Go's ``http.DefaultTransport``) reports a request that failed before
its answer as ``RequestError: send request failed caused by: Get "URL": CAUSE``; errors.py
builds that line, this module the ``CAUSE`` from what botocore/urllib3/ssl raised:

=========================  =============================================================
connection refused          ``dial tcp 127.0.0.1:9: connect: connection refused``
                            (any connect errno: ``connect: network is unreachable`` …)
name that does not resolve  ``dial tcp: lookup HOST on NAMESERVER:53: no such host`` (Go's
                            own resolver, as s5cmd's static binary uses: the first
                            ``nameserver`` of /etc/resolv.conf)
connect timeout             ``dial tcp ADDRESS: i/o timeout``
TLS handshake timeout       ``net/http: TLS handshake timeout`` (Go's is 10 s, botocore's
                            connect timeout here too)
answer timeout              ``net/http: timeout awaiting response headers`` (s5cmd itself
                            waits for ever: it has no such timeout)
https to a plain server     ``http: server gave HTTP response to HTTPS client`` when the
                            server answers a TLS hello with ``HTTP/…`` (Go servers such as
                            MinIO or SeaweedFS), else ``tls: first record does not look like
                            a TLS handshake``.  OpenSSL says "wrong version number" for both,
                            so the server's first bytes are asked for again (``_answers_http``)
certificate not trusted     ``tls: failed to verify certificate: x509: certificate signed by
                            unknown authority`` (self-signed, unknown issuer…)
closed without an answer    ``EOF``
=========================  =============================================================

The address in ``dial tcp`` is the one Go dials: the endpoint's IP as it is, or a host name's
first address.
"""

from __future__ import annotations

import contextlib
import os
import socket
import ssl
from collections.abc import Iterator
from urllib.parse import urlsplit

TLS_HANDSHAKE_TIMEOUT = "net/http: TLS handshake timeout"
NOT_TLS = "tls: first record does not look like a TLS handshake"
HTTP_TO_HTTPS = "http: server gave HTTP response to HTTPS client"
VERIFY_FAILED = "tls: failed to verify certificate: "
UNKNOWN_AUTHORITY = "x509: certificate signed by unknown authority"
# OpenSSL's verify codes that Go calls an unknown authority: unable to get the issuer
# certificate (2, 20), self-signed (18, 19), unable to verify the first certificate (21).
_UNKNOWN_AUTHORITY_CODES = frozenset({2, 18, 19, 20, 21})
_EXPIRED_CODES = frozenset({9, 10})  # not yet valid, expired
_HOSTNAME_MISMATCH = 62
# OpenSSL's reasons for a first record that is not TLS at all
_NOT_TLS_REASONS = frozenset(
    {"WRONG_VERSION_NUMBER", "UNKNOWN_PROTOCOL", "PACKET_LENGTH_TOO_LONG", "RECORD_LAYER_FAILURE"}
)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and what it wraps: botocore's ``error`` keyword, ``__cause__``/``__context__``,
    urllib3's ``reason``."""
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        current = todo.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        kwargs = getattr(current, "kwargs", None)
        for nested in (
            kwargs.get("error") if isinstance(kwargs, dict) else None,
            getattr(current, "reason", None),
            current.__cause__,
            current.__context__,
            *[a for a in getattr(current, "args", ()) if isinstance(a, BaseException)],
        ):
            if isinstance(nested, BaseException):
                todo.append(nested)


def _first(exc: BaseException, kind: type[BaseException]) -> BaseException | None:
    return next((e for e in _chain(exc) if isinstance(e, kind)), None)


def _system_error(exc: BaseException) -> OSError | None:
    """The operating system's error under botocore's and urllib3's (some of which are
    ``OSError`` subclasses too)."""
    for error in _chain(exc):
        if isinstance(error, OSError) and type(error).__module__ in ("builtins", "socket", "ssl"):
            return error
    return None


def _host_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    return parts.hostname or "", port or (443 if parts.scheme == "https" else 80)


def _join(host: str, port: int) -> str:
    """Go ``net.JoinHostPort``."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def dial_address(host: str, port: int) -> str:
    """The address Go's dialer names: an IP as it is, else the name's first address."""
    with contextlib.suppress(ValueError):
        import ipaddress

        return _join(str(ipaddress.ip_address(host)), port)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        return _join(host, port)
    return _join(str(infos[0][4][0]), port) if infos else _join(host, port)


def nameserver(resolv_conf: str = "/etc/resolv.conf") -> str:
    """The server Go's resolver asks first (``IP:53``; Go's default when none is listed)."""
    try:
        with open(resolv_conf, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                fields = line.split()
                if len(fields) >= 2 and fields[0] == "nameserver":
                    return _join(fields[1], 53)
    except OSError:
        pass
    return "127.0.0.1:53"


def _dns_error(error: socket.gaierror, host: str) -> str:
    # EAI_AGAIN is a server that failed to answer; the rest, a name that does not exist.
    return lookup_failure(host, temporary=error.errno == socket.EAI_AGAIN)


def lookup_failure(host: str, temporary: bool = False) -> str:
    """Go's text for a name that did not resolve: ``temporary``, the server did not answer."""
    reason = "server misbehaving" if temporary else "no such host"
    return f"dial tcp: lookup {host} on {nameserver()}: {reason}"


def connect_failure(url: str, reason: str) -> str:
    """Go's text for a connect(2) to ``url``'s host that failed with ``reason`` (``connection
    refused``, ``no route to host``, ``i/o timeout`` …)."""
    host, port = _host_port(url)
    separator = " " if reason == "i/o timeout" else " connect: "
    return f"dial tcp {dial_address(host, port)}:{separator}{reason}"


def tls_failure(url: str, timeout: float = 10.0) -> str | None:
    """Go's text for a TLS set-up with ``url``'s server that failed, when the one that failed
    did not say how (the CRT's "TLS negotiation failed"): the handshake is made again here, with
    Python's ssl as botocore's would be (the same verification), and its failure worded as
    ``go_transport_error`` words botocore's; None if it works this time.  ``timeout``: Go's TLS
    handshake timeout."""
    host, port = _host_port(url)
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except socket.gaierror as error:
        return _dns_error(error, host)
    except TimeoutError:
        return connect_failure(url, "i/o timeout")
    except OSError as error:
        return connect_failure(url, _connect_reason(error))
    return _handshake(sock, host, port, ssl.create_default_context())


def handshake_failure(url: str, context: ssl.SSLContext, timeout: float = 10.0) -> str | None:
    """Go's text for a TLS handshake with ``url``'s server that fails under ``context``'s
    verification (refused, or no answer within ``timeout``); None when it works, or when the
    connection itself fails or breaks (the request that meets that reports it)."""
    host, port = _host_port(url)
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except OSError:
        return None
    try:
        with sock, context.wrap_socket(sock, server_hostname=host):
            return None
    except ssl.SSLError as error:
        return _tls_error(error, host, port)
    except TimeoutError:
        return TLS_HANDSHAKE_TIMEOUT
    except OSError:  # a reset, an EOF: nothing certain about TLS; the requests will tell
        return None


def _handshake(sock: socket.socket, host: str, port: int, context: ssl.SSLContext) -> str | None:
    try:
        with sock, context.wrap_socket(sock, server_hostname=host):
            pass
    except ssl.SSLError as error:
        return _tls_error(error, host, port)
    except TimeoutError:
        return TLS_HANDSHAKE_TIMEOUT
    except ConnectionResetError:
        return "read: connection reset by peer"
    except OSError:
        return "EOF"
    return None


def _in_handshake(error: BaseException) -> bool:
    """Whether ``error`` was raised in ssl's ``do_handshake`` (the TLS set-up, not a read)."""
    tb = error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_name == "do_handshake":
            return True
        tb = tb.tb_next
    return False


def _answers_http(host: str, port: int, timeout: float = 5.0) -> bool:
    """Go's test for an https endpoint that speaks HTTP: the answer to a TLS hello begins with
    ``HTTP/``.  OpenSSL does not say what it read, so a hello is sent once more, directly."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    outgoing = ssl.MemoryBIO()
    tls = context.wrap_bio(ssl.MemoryBIO(), outgoing)
    with contextlib.suppress(ssl.SSLWantReadError):
        tls.do_handshake()
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(outgoing.read())
            head = b""
            while len(head) < 5:
                chunk = sock.recv(5 - len(head))
                if not chunk:
                    break
                head += chunk
    except OSError:
        return False
    return head == b"HTTP/"


def _tls_error(error: ssl.SSLError, host: str, port: int) -> str:
    if isinstance(error, ssl.SSLCertVerificationError):
        code = error.verify_code
        if code in _UNKNOWN_AUTHORITY_CODES:
            return VERIFY_FAILED + UNKNOWN_AUTHORITY
        if code in _EXPIRED_CODES:
            return VERIFY_FAILED + "x509: certificate has expired or is not yet valid"
        if code == _HOSTNAME_MISMATCH:
            return VERIFY_FAILED + f"x509: certificate is not valid for {host}"
        return VERIFY_FAILED + f"x509: {error.verify_message}"
    reason = str(error.reason or "")
    if isinstance(error, ssl.SSLEOFError) or reason == "UNEXPECTED_EOF_WHILE_READING":
        return "EOF"
    if reason in _NOT_TLS_REASONS:
        return HTTP_TO_HTTPS if _answers_http(host, port) else NOT_TLS
    for prefix in ("SSLV3_ALERT_", "TLSV1_ALERT_", "TLSV13_ALERT_"):
        if reason.startswith(prefix):  # the server's alert, as Go's "remote error"
            return "remote error: tls: " + reason.removeprefix(prefix).lower().replace("_", " ")
    return "tls: " + (reason.lower().replace("_", " ") or str(error))


def go_transport_error(exc: BaseException, url: str) -> str | None:
    """Go's text for a request to ``url`` that failed with ``exc`` (a botocore connection,
    timeout or TLS error), or None when ``exc`` is none of those."""
    from botocore import exceptions as boto

    host, port = _host_port(url)
    if isinstance(exc, boto.ProxyConnectionError):
        proxy_host, proxy_port = _host_port(str(exc.kwargs.get("proxy_url") or ""))
        refused = _system_error(exc)
        reason = _connect_reason(refused) if refused is not None else "connection refused"
        return f"proxyconnect tcp: dial tcp {dial_address(proxy_host, proxy_port)}: connect: {reason}"
    if isinstance(exc, boto.SSLError):
        error = _first(exc, ssl.SSLError)
        if isinstance(error, ssl.SSLError):
            return _tls_error(error, host, port)
        return None
    if isinstance(exc, boto.ConnectTimeoutError):
        return f"dial tcp {dial_address(host, port)}: i/o timeout"
    if isinstance(exc, boto.ReadTimeoutError):
        timeout = _first(exc, TimeoutError)
        if timeout is not None and _in_handshake(timeout):
            return TLS_HANDSHAKE_TIMEOUT
        return "net/http: timeout awaiting response headers"
    if isinstance(exc, boto.EndpointConnectionError):
        resolution = _first(exc, socket.gaierror)
        if isinstance(resolution, socket.gaierror):
            return _dns_error(resolution, host)
        refused = _system_error(exc)
        if refused is not None:
            return f"dial tcp {dial_address(host, port)}: connect: {_connect_reason(refused)}"
        return None
    if isinstance(exc, boto.ConnectionClosedError):
        from http.client import RemoteDisconnected

        # http.client's RemoteDisconnected is a ConnectionResetError too, but it is a server
        # that closed the connection without an answer: Go's (s5cmd's) "EOF"
        reset = _first(exc, ConnectionResetError)
        if reset is not None and not isinstance(reset, RemoteDisconnected):
            return "read: connection reset by peer"
        return "EOF"
    return None


def _connect_reason(error: OSError) -> str:
    """Go's text for a connect(2) errno: the C library's, in lower case."""
    text = os.strerror(error.errno) if error.errno else str(error)
    return text[:1].lower() + text[1:]
