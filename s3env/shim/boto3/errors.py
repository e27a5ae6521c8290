"""Every failure of the boto3 backend as s5cmd words it: the one error mapping.

s5cmd prints an error as ``ERROR "FULL COMMAND": message`` (printer.py), the message being
aws-sdk-go v1's ``Error()`` text or Go's own error text, made one line by ``cleanup_error``
(s5cmd ``command/error.go``).  ``message_of`` turns whatever a command caught into that text:

- an S3 error answer: ``Code: Message`` and ``status code: N, request id: R, host id: H``; a
  HEAD error has no body, and the SDK uses the HTTP status text;
- a request that never got an answer (botocore's connection, timeout and TLS errors):
  ``RequestError: send request failed``, ``caused by: Method "URL": CAUSE``, the cause in Go's
  words (netcause.py), for the request that failed (``note_request``/``tag_failed_request``,
  registered on the client by context.py, remember which one it was);
- the same two for a request the CRT engine sent (engine/crt_errors.py turns what awscrt
  raised into them): ``ErrorAnswer`` (an answer, parsed as botocore parses one) and
  ``TransportFailure`` (no answer, the cause already in Go's words);
- a local file's error: Go's ``*PathError`` (``open PATH: no such file or directory``);
- an error of s5cmd's own (``ShimError`` and its kinds), as it is.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from typing import Any

# ---- s5cmd's own errors ------------------------------------------------------------------------


class ShimError(Exception):
    """A failure reported as s5cmd does, with its message.  ``command`` overrides the full
    command the error line names; ``code`` is the S3 error code, when an answer gave one."""

    def __init__(self, message: str, command: str | None = None, code: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.command = command
        self.code = code


class NotFound(ShimError):
    """s5cmd ``ErrGivenObjectNotFound``: one named object (or local file) is not there."""

    def __init__(self, path: str) -> None:
        super().__init__(f"given object {path} not found")


class ErrorAnswer(Exception):
    """S3's error answer to a request sent without botocore (the CRT engine), parsed as
    botocore parses one: ``response`` has botocore ``ClientError.response``'s shape (``Error``
    with ``Code`` and ``Message``, ``ResponseMetadata`` with ``HTTPStatusCode``, ``RequestId``,
    ``HostId``, ``HTTPHeaders``), so that everything here reads both alike."""

    def __init__(self, response: dict[str, Any], operation_name: str) -> None:
        error = response.get("Error") or {}
        # botocore's ClientError text, for a traceback or a log
        super().__init__(
            f"An error occurred ({error.get('Code') or 'Unknown'}) when calling the {operation_name} "
            f"operation: {error.get('Message') or 'Unknown'}"
        )
        self.response = response
        self.operation_name = operation_name


class TransportFailure(Exception):
    """A request sent without botocore (the CRT engine) that got no answer: ``cause`` is why,
    already in Go's words (``dial tcp …: connect: connection refused``, ``EOF``…)."""

    def __init__(self, method: str, url: str, cause: str) -> None:
        super().__init__(f"{method} {go_url(url)}: {cause}")  # (a password in the URL masked)
        self.method = method
        self.url = url
        self.cause = cause


def send_request_failed(method: str, url: str, cause: str) -> str:
    """aws-sdk-go's ``RequestError`` for a request that got no answer."""
    op = method[:1] + method[1:].lower()  # Go's url.Error: "Get", "Put", "Head"
    return f"RequestError: send request failed\ncaused by: {op} {go_url(url)}: {cause}"


class NoObjectFound(ShimError):
    """s5cmd ``storage.ErrNoObjectFound``: a listing matched nothing."""

    def __init__(self) -> None:
        super().__init__("no object found")


def cleanup_error(message: str) -> str:
    """s5cmd ``cleanupError``: one line."""
    message = message.replace("\n", " ").replace("\t", " ").replace("  ", " ")
    return message.strip()


def go_os_error(op: str, path: str, exc: OSError) -> str:
    """Go's ``*PathError`` text: ``open PATH: no such file or directory``."""
    text = os.strerror(exc.errno) if exc.errno else str(exc)
    return f"{op} {path}: {text[:1].lower()}{text[1:]}"


# ---- S3's answers ------------------------------------------------------------------------------


def _response(exc: BaseException) -> dict[str, Any] | None:
    response = getattr(exc, "response", None)
    return response if isinstance(response, dict) else None


def error_code(exc: BaseException) -> str:
    """The S3 error code of an answer ("" for anything else); a 404 without one is NotFound."""
    response = _response(exc)
    if response is None:
        return ""
    code = str((response.get("Error") or {}).get("Code") or "")
    status = int((response.get("ResponseMetadata") or {}).get("HTTPStatusCode") or 0)
    if code in ("404", "NotFound") or (not code and status == 404):
        return "NotFound"
    return code


def is_not_found(exc: BaseException) -> bool:
    """A HEAD's 404, or a GET's NoSuchKey."""
    return error_code(exc) in ("NotFound", "NoSuchKey")


def _s3_error_text(response: dict[str, Any]) -> tuple[str, str]:
    """(code, aws-sdk-go's text) of an S3 error answer."""
    import http

    error = response.get("Error") or {}
    meta = response.get("ResponseMetadata") or {}
    status = int(meta.get("HTTPStatusCode") or 0)
    code = str(error.get("Code") or "")
    message = str(error.get("Message") or "")
    if not code or code.isdigit():  # no error body (HEAD): the SDK uses the status text
        try:
            phrase = http.HTTPStatus(status).phrase
        except ValueError:
            phrase = ""
        code, message = phrase.replace(" ", ""), phrase
    request_id = meta.get("RequestId", "")
    host_id = meta.get("HostId", "")
    return code, f"{code}: {message}\n\tstatus code: {status}, request id: {request_id}, host id: {host_id}"


# ---- which request failed ----------------------------------------------------------------------

_LAST_REQUEST = threading.local()
_REQUEST_ATTRIBUTE = "s3env_request"


def note_request(request: Any) -> None:
    """``before-send``: the request about to leave this thread (its method and URL)."""
    _LAST_REQUEST.value = (request.method, request.url)


def tag_failed_request(caught_exception: BaseException | None = None, **_kwargs: Any) -> None:
    """``needs-retry``: an exception raised while sending carries the request it failed, so it
    is reported right in whatever thread catches it."""
    sent = getattr(_LAST_REQUEST, "value", None)
    if caught_exception is not None and sent is not None:
        # (an exception type with __slots__ refuses it: the thread's record serves then)
        with contextlib.suppress(AttributeError):
            setattr(caught_exception, _REQUEST_ATTRIBUTE, sent)


def _failed_request(exc: BaseException) -> tuple[str, str]:
    sent = getattr(exc, _REQUEST_ATTRIBUTE, None) or getattr(_LAST_REQUEST, "value", None)
    url = str(getattr(exc, "kwargs", {}).get("endpoint_url") or "")
    if sent is not None and (not url or sent[1] == url):
        return sent
    return "GET", url


# ---- everything, as s5cmd prints it --------------------------------------------------------


def request_errors() -> tuple[type[BaseException], ...]:
    """What a botocore call raises for a failed request (an answer, or none), and what the CRT
    engine raises for one."""
    from botocore.exceptions import BotoCoreError, ClientError

    from s3env.shim.boto3.proxy import ProxyRefusedError

    return (ClientError, BotoCoreError, ProxyRefusedError, ErrorAnswer, TransportFailure)


def from_exception(exc: BaseException) -> ShimError:
    """Any failure as the ``ShimError`` s5cmd would report (the printer makes it one line)."""
    from s3env.shim.boto3.multipart import FileChangedError

    if isinstance(exc, ShimError):
        return exc
    if isinstance(exc, TransportFailure):
        return ShimError(send_request_failed(exc.method, exc.url, exc.cause))
    # No botocore exception exists unless botocore was imported: the CRT engine's failures are
    # reported without importing it (start-up cost).
    boto = sys.modules.get("botocore.exceptions")
    if (
        boto is not None
        and isinstance(exc, boto.HTTPClientError)
        and isinstance(exc.kwargs.get("error"), FileChangedError)
    ):
        exc = exc.kwargs["error"]  # raised by the body while it was being sent
    if isinstance(exc, FileChangedError):
        return ShimError(str(exc))
    response = _response(exc)
    if response is not None:
        code, text = _s3_error_text(response)
        return ShimError(text, code=code)
    if boto is not None and isinstance(exc, boto.BotoCoreError):  # before OSError: botocore's
        from s3env.shim.boto3.netcause import go_transport_error  # ReadTimeoutError is one too

        method, url = _failed_request(exc)
        cause = go_transport_error(exc, url) if url else None
        if cause is not None:
            return ShimError(send_request_failed(method, url, cause))
        return ShimError(str(exc))
    if isinstance(exc, OSError):
        return ShimError(go_os_error("open", exc.filename or "", exc))
    return ShimError(str(exc))


def message_of(exc: BaseException) -> str:
    return from_exception(exc).message


def go_url(url: str) -> str:
    """A request's URL as aws-sdk-go's errors quote it (Go's ``%q`` of ``URL.String()``): the
    query in Go's ``url.Values.Encode`` order and form (sorted, ``key=``), without the
    ``encoding-type`` botocore adds to listings; a password in it as ``***`` (net/http's
    ``stripPassword``)."""
    from urllib.parse import urlsplit

    from s3env.shim.boto3.gofmt import go_quote

    parts = urlsplit(url)
    netloc = parts.netloc
    user, at, host = netloc.rpartition("@")
    if at and ":" in user:
        netloc = f"{user.partition(':')[0]}:***@{host}"
    params = [p if "=" in p else p + "=" for p in parts.query.split("&") if p]
    query = "&".join(sorted(p for p in params if not p.startswith("encoding-type=")))
    return go_quote(f"{parts.scheme}://{netloc}{parts.path}" + (f"?{query}" if query else ""))
