"""What awscrt raised for one request of the CRT engine, as the botocore engine's failure of it.

``translate(error, method, url)`` returns what the engine raises instead, so that errors.py's
``message_of`` prints the very line it prints when botocore sent the same request:

- ``awscrt.s3.S3ResponseError`` (S3 answered with an error: status, headers, body) becomes an
  ``ErrorAnswer`` whose ``response`` is what botocore's parser makes of that answer: the XML
  ``<Error>`` body's fields, the request id from ``x-amzn-requestid`` or ``x-amz-request-id``
  (with ``x-amz-id-2`` as the host id); no body (HEAD) or one that is not XML, the status code
  and its reason; an error in a 200 answer (which the CRT reports for every operation but
  GetObject, as botocore does) counts as a 500, as botocore's ``_handle_200_error`` has it;
- ``awscrt.exceptions.AwsCrtError`` for a request that got no answer becomes a
  ``TransportFailure`` whose cause is in Go's words (netcause.py), chosen by the CRT's error
  name, never by its text: connection refused and the other connect errors, a name that does
  not resolve, timeouts, a connection closed without an answer (``EOF``).  The CRT does not say
  why a TLS set-up failed (s2n only logs it), so the handshake is made once more with Python's
  ssl (``netcause.tls_failure``), as botocore would have made it; the same for a connection to
  an https endpoint that closed, which a server that does not speak TLS does.  A CRT error
  without a Go counterpart keeps its own name and words;
- a 5xx answer the CRT retried until it gave up leaves only a name: AWS_ERROR_S3_SLOW_DOWN
  (503) or AWS_ERROR_S3_INTERNAL_ERROR (every other 5xx: 500 is S3's), no body, no headers
  (awscrt 0.38 passes none to ``on_done`` or ``on_headers`` either); it becomes the
  ``ErrorAnswer`` of that status without a body, as botocore has a bodiless one.  An answer
  with a body (S3's ``InternalError``, ``SlowDown``) is printed by botocore with its code,
  message and ids, which are lost here;
- ``AWS_ERROR_S3_CANCELED`` (the engine cancelled the request: Ctrl-C) becomes the backend's
  ``Cancelled``;
- anything else (raised in Python: a body's read, a callback) is returned as it is.

No botocore here (the CRT engine runs without importing it); awscrt only once an error came.
"""

from __future__ import annotations

import re
from typing import Any

from s3env.shim.boto3.cancel import Cancelled
from s3env.shim.boto3.errors import ErrorAnswer, TransportFailure

CANCELED = "AWS_ERROR_S3_CANCELED"

# connect(2) failures, by the CRT's name: Go's words (the C library's, lower case)
_CONNECT_REASONS = {
    "AWS_IO_SOCKET_CONNECTION_REFUSED": "connection refused",
    "AWS_IO_SOCKET_NO_ROUTE_TO_HOST": "no route to host",  # the CRT's name for ENETUNREACH too
    "AWS_IO_SOCKET_NETWORK_DOWN": "network is down",
    "AWS_IO_SOCKET_CONNECT_ABORTED": "software caused connection abort",
    "AWS_IO_SOCKET_INVALID_ADDRESS": "cannot assign requested address",
    "AWS_IO_SOCKET_TIMEOUT": "i/o timeout",  # the connect timeout
}
# names that did not resolve: whether the resolver failed for now (Go: "server misbehaving")
_LOOKUP_FAILURES = {
    "AWS_IO_DNS_INVALID_NAME": False,
    "AWS_IO_DNS_NO_ADDRESS_FOR_HOST": False,
    "AWS_IO_DNS_QUERY_FAILED": False,  # EAI_FAIL, which Go calls "no such host" too
    "AWS_IO_DNS_QUERY_AGAIN": True,
}
# a TLS set-up that failed, without saying how: asked again (netcause.tls_failure)
_TLS_FAILURES = frozenset(
    {
        "AWS_IO_TLS_ERROR_NEGOTIATION_FAILURE",
        "AWS_IO_TLS_ERROR_NOT_NEGOTIATED",
        "AWS_IO_TLS_ERROR_ALERT_RECEIVED",
        "AWS_IO_TLS_ALERT_NOT_GRACEFUL",
        "AWS_IO_TLS_NO_ROOT_CERTIFICATE_FOUND",
        "AWS_IO_TLS_CERTIFICATE_EXPIRED",
        "AWS_IO_TLS_CERTIFICATE_NOT_YET_VALID",
        "AWS_IO_TLS_BAD_CERTIFICATE",
        "AWS_IO_TLS_PEER_CERTIFICATE_EXPIRED",
        "AWS_IO_TLS_BAD_PEER_CERTIFICATE",
        "AWS_IO_TLS_PEER_CERTIFICATE_REVOKED",
        "AWS_IO_TLS_INVALID_CERTIFICATE_CHAIN",
        "AWS_IO_TLS_HOST_NAME_MISMATCH",
        "AWS_IO_TLS_INTERNAL_ERROR",
        "AWS_IO_TLS_CLOSED_ABORT",
    }
)
# the connection ended before an answer: Go's "EOF" (on https, once the handshake is known good)
_CLOSED = frozenset(
    {"AWS_IO_SOCKET_CLOSED", "AWS_ERROR_HTTP_CONNECTION_CLOSED", "AWS_IO_SOCKET_NOT_CONNECTED"}
)
_TIMEOUTS = {
    "AWS_IO_TLS_NEGOTIATION_TIMEOUT": "net/http: TLS handshake timeout",
    "AWS_ERROR_HTTP_RESPONSE_FIRST_BYTE_TIMEOUT": "net/http: timeout awaiting response headers",
}
# 5xx answers the CRT gave up retrying, of which it keeps the kind only: the status they stand for
_STATUS_ONLY = {"AWS_ERROR_S3_INTERNAL_ERROR": 500, "AWS_ERROR_S3_SLOW_DOWN": 503}
# botocore's BaseXMLResponseParser._namespace_re
_NAMESPACE_RE = re.compile("{.*}")


def translate(error: BaseException, method: str, url: str) -> BaseException:
    """What the engine raises for ``error``, raised by awscrt for the request ``method`` ``url``
    (the URL botocore's request would have had: ``RequestTarget.url(query)``)."""
    from awscrt.exceptions import AwsCrtError
    from awscrt.s3 import S3ResponseError

    if isinstance(error, S3ResponseError) and error.status_code:
        return ErrorAnswer(
            parse_error_answer(error.status_code, error.headers or [], error.body),
            error.operation_name or "",
        )
    if not isinstance(error, AwsCrtError):
        return error
    if error.name == CANCELED:
        return Cancelled()
    if error.name in _STATUS_ONLY:
        return ErrorAnswer(parse_error_answer(_STATUS_ONLY[error.name], [], None), "")
    return TransportFailure(method, url, transport_cause(error.name, error.message, url))


def needs_network(error: BaseException) -> bool:
    """Whether ``translate`` may talk to the server to word ``error`` (a TLS failure is
    reproduced with Python's ssl): then not on a thread the CRT needs."""
    name = getattr(error, "name", "")
    return name in _TLS_FAILURES or name in _CLOSED


def transport_cause(name: str, message: str, url: str) -> str:
    """Go's words for why a request to ``url`` got no answer, from the CRT's error ``name``
    (and ``message``, used only for an error Go has no words for)."""
    from s3env.shim.boto3 import netcause

    if name in _CONNECT_REASONS:
        return netcause.connect_failure(url, _CONNECT_REASONS[name])
    if name in _LOOKUP_FAILURES:
        from urllib.parse import urlsplit

        return netcause.lookup_failure(urlsplit(url).hostname or "", temporary=_LOOKUP_FAILURES[name])
    if name in _TIMEOUTS:
        return _TIMEOUTS[name]
    https = url.startswith("https:")
    if name in _TLS_FAILURES or (https and name in _CLOSED):
        cause = netcause.tls_failure(url)
        if cause is not None:
            return cause
    if name in _CLOSED:
        return "EOF"
    return f"{name}: {message}"


def parse_error_answer(status: int, headers: list[tuple[str, str]], body: bytes | None) -> dict[str, Any]:
    """botocore's parse of an S3 error answer (``RestXMLParser._do_error_parse``, after
    ``_handle_200_error``), as ``ClientError.response`` has it."""
    fields = {name.lower(): value for name, value in headers}
    if status == 200:  # an error in a 200 answer: botocore makes it a 500 (and retries it)
        status = 500
    parsed = _parse_error_body(body, fields) if body else None
    if parsed is None:  # no body (HEAD) or not XML: the status code and its reason
        import http.client

        parsed = {
            "Error": {"Code": str(status), "Message": http.client.responses.get(status, "")},
            "ResponseMetadata": {
                "RequestId": fields.get("x-amz-request-id", ""),
                "HostId": fields.get("x-amz-id-2", ""),
            },
        }
    metadata = parsed.setdefault("ResponseMetadata", {})
    metadata.update(HTTPStatusCode=status, HTTPHeaders=fields)
    return parsed


def _parse_error_body(body: bytes, headers: dict[str, str]) -> dict[str, Any] | None:
    from xml.etree import ElementTree  # (only for a failure: 3 ms of every command's start)

    try:
        parser = ElementTree.XMLParser(target=ElementTree.TreeBuilder(), encoding="utf-8")
        parser.feed(body)
        root = parser.close()
    except ElementTree.ParseError:
        return None
    parsed = _replace_nodes(_name_to_node(root))
    if root.tag == "Error":  # S3's form: the ids from the headers (botocore drops the body's)
        parsed.pop("RequestId", None)
        parsed.pop("HostId", None)
        return {"Error": parsed, "ResponseMetadata": _response_metadata(headers)}
    if "RequestId" in parsed:  # the other rest-xml services' form
        parsed["ResponseMetadata"] = {"RequestId": parsed.pop("RequestId")}
    answer: dict[str, Any] = {"Error": {"Message": "", "Code": ""}}
    _merge(answer, parsed)
    return answer


def _response_metadata(headers: dict[str, str]) -> dict[str, str]:
    """botocore ``RestXMLParser._populate_response_metadata``."""
    if "x-amzn-requestid" in headers:
        return {"RequestId": headers["x-amzn-requestid"]}
    if "x-amz-request-id" in headers:
        return {"RequestId": headers["x-amz-request-id"], "HostId": headers.get("x-amz-id-2", "")}
    return {}


def _name_to_node(parent: Any) -> dict[str, Any]:
    """botocore ``_build_name_to_xml_node``: children by tag, repeated ones in a list (of
    which a list's first element stands for it)."""
    if isinstance(parent, list):
        return _name_to_node(parent[0])
    nodes: dict[str, Any] = {}
    for item in parent:
        key = _NAMESPACE_RE.sub("", item.tag)
        if key in nodes:
            nodes[key] = [*nodes[key], item] if isinstance(nodes[key], list) else [nodes[key], item]
        else:
            nodes[key] = item
    return nodes


def _replace_nodes(parsed: dict[str, Any]) -> dict[str, Any]:
    """botocore ``_replace_nodes``: a node with children as a dict, else its text."""
    for key, value in parsed.items():
        if list(value):
            parsed[key] = _replace_nodes(_name_to_node(value))
        else:
            parsed[key] = value.text
    return parsed


def _merge(into: dict[str, Any], extra: dict[str, Any]) -> None:
    """botocore ``merge_dicts``: nested dicts merged, anything else replaced."""
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


#: what a failed request of the CRT engine raises, once translated (Cancelled aside)
REQUEST_FAILURES: tuple[type[BaseException], ...] = (ErrorAnswer, TransportFailure)
