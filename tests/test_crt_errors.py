"""crt_errors.translate: a request that fails through awscrt prints as it does through botocore.

Each case sends one request twice, to the same server: through awscrt's own S3 client (a
DEFAULT meta-request at ``request_target``'s address, signed with the profile's keys) and
through the client the boto3 backend makes (context.py, ``--retry-count 0``).  Then
``message_of(translate(crt_error, method, url))`` must be ``message_of(botocore_error)``: S3's
error answers from moto and SeaweedFS (no such bucket or key, on GET and on HEAD, whose answer
has no body; wrong keys; a bucket not empty; a bad upload id; a range or a precondition that
fails), and requests that got no answer (a closed port, a name that does not resolve, a server
that closes the connection, https to a server that speaks plain HTTP).  Request ids differ from
one request to the next: each message has its own replaced by ``<id>``, nothing else.

A TLS set-up the client refuses (a self-signed certificate; a Go server answering the TLS hello
in HTTP) fails in awscrt only after s2n's 10-30 s "blinding" delay, per attempt: there the CRT's
error is made as the CRT makes it (``awscrt.exceptions.from_code``: the name is all it carries,
AWS_IO_TLS_ERROR_NEGOTIATION_FAILURE, as observed for both) and botocore's failure is real.
"""

from __future__ import annotations

import contextlib
import io
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from devtools.devserver import MotoServer
from s3env.core.model import Profile
from s3env.shim.base import ShimRequest
from s3env.shim.boto3.cancel import Cancelled
from s3env.shim.boto3.context import Context
from s3env.shim.boto3.engine.crt_address import query_string, request_target
from s3env.shim.boto3.engine.crt_errors import parse_error_answer, translate
from s3env.shim.boto3.errors import ErrorAnswer, TransportFailure, error_code, message_of
from tests.conftest import s3_client, unique_bucket
from tests.test_shim_connection_errors import _Acceptor, _self_signed

pytestmark = pytest.mark.usefixtures("sandbox")  # the backend's client caches botocore's models


def backend_client(url: str, key_id: str = "test", secret: str = "test") -> Any:
    profile = Profile(
        "p",
        endpoint_url=url,
        region="us-east-1",
        addressing_style="path",
        access_key_id=key_id,
        secret_access_key=secret,
    )
    return Context(ShimRequest("cp", [], profile, retry_count=0)).client


def crt_failure(
    url: str,
    method: str,
    operation: str,
    bucket: str,
    key: str = "",
    query: str = "",
    headers: list[tuple[str, str]] = (),  # type: ignore[assignment]
    body: bytes | None = None,
    key_id: str = "test",
    secret: str = "test",
) -> tuple[BaseException, str]:
    """(what awscrt raised, the request's URL) for one request through awscrt's S3 client."""
    from awscrt import auth, http, s3

    target = request_target(url, "us-east-1", "path", bucket, key)
    provider = auth.AwsCredentialsProvider.new_static(key_id, secret)
    signing = s3.create_default_s3_signing_config(region="us-east-1", credential_provider=provider)
    client = s3.S3Client(  # one client per endpoint: a client's connections are by host name
        region="us-east-1",
        signing_config=signing,
        tls_mode=s3.S3RequestTlsMode.ENABLED if target.tls else s3.S3RequestTlsMode.DISABLED,
        retry_config=s3.S3RetryConfig(backoff_scale_factor_ms=1, max_backoff_secs=1),
    )
    fields = http.HttpHeaders([("host", target.host), *headers])
    stream = None
    if body is not None:
        fields.add("content-length", str(len(body)))
        stream = io.BytesIO(body)
    request = http.HttpRequest(method, target.path_and_query(query), fields, stream)
    future = client.make_request(type=s3.S3RequestType.DEFAULT, request=request, operation_name=operation)
    try:
        future.finished_future.result(60)
    except Exception as error:
        return error, target.url(query)
    raise AssertionError(f"{method} {target.url(query)} did not fail")


def botocore_failure(client: Any, operation: str, **params: Any) -> BaseException:
    try:
        getattr(client, operation)(**params)
    except Exception as error:
        return error
    raise AssertionError(f"{operation} did not fail")


def _ids_replaced(message: str, exc: BaseException) -> str:
    """The message with this request's own ids as ``<id>``."""
    metadata = (getattr(exc, "response", None) or {}).get("ResponseMetadata") or {}
    for value in (metadata.get("RequestId"), metadata.get("HostId")):
        if value:
            message = message.replace(value, "<id>")
    return message


def assert_same_message(crt: tuple[BaseException, str], method: str, botocore_error: BaseException) -> str:
    error, url = crt
    translated = translate(error, method, url)
    ours, theirs = message_of(translated), message_of(botocore_error)
    assert _ids_replaced(ours, translated) == _ids_replaced(theirs, botocore_error), (error, url)
    return ours


# ---- S3's error answers ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeded(moto: MotoServer) -> tuple[str, str]:
    """A bucket with one object on moto: (bucket, key)."""
    bucket = unique_bucket("crterr")
    s3 = s3_client(moto)
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="there.txt", Body=b"0123456789")
    return bucket, "there.txt"


def test_answers_without_a_bucket_or_key_print_as_botocore_does(
    moto: MotoServer, seeded: tuple[str, str]
) -> None:
    bucket, _there = seeded
    client = backend_client(moto.url)
    cases = [
        ("GET", "GetObject", "get_object", "no-such-bucket-x", "k"),
        ("HEAD", "HeadObject", "head_object", "no-such-bucket-x", "k"),
        ("GET", "GetObject", "get_object", bucket, "missing/ü key+"),
        ("HEAD", "HeadObject", "head_object", bucket, "missing/ü key+"),
        ("DELETE", "DeleteBucket", "delete_bucket", bucket, ""),
    ]
    messages = []
    for method, operation, call, in_bucket, key in cases:
        params = {"Bucket": in_bucket, **({"Key": key} if key else {})}
        crt = crt_failure(moto.url, method, operation, in_bucket, key)
        messages.append(assert_same_message(crt, method, botocore_failure(client, call, **params)))
    assert [m.partition(":")[0] for m in messages] == [
        "NoSuchBucket",
        "NotFound",
        "NoSuchKey",
        "NotFound",
        "BucketNotEmpty",
    ]
    # the CRT's answers carry moto's request id; a HEAD's, none (botocore reads x-amz-request-id)
    assert re.search(r"request id: \w{20,}, host id: $", messages[0]), messages[0]
    assert messages[1].endswith("status code: 404, request id: , host id: "), messages[1]


def test_answers_to_requests_with_a_query_a_body_or_conditions_print_as_botocore_does(
    moto: MotoServer, seeded: tuple[str, str]
) -> None:
    bucket, there = seeded
    client = backend_client(moto.url)
    etag = s3_client(moto).head_object(Bucket=bucket, Key=there)["ETag"]
    query = query_string(("partNumber", "1"), ("uploadId", "no-such-upload"))
    crt = crt_failure(moto.url, "PUT", "UploadPart", bucket, "k", query=query, body=b"part")
    boto = botocore_failure(
        client, "upload_part", Bucket=bucket, Key="k", PartNumber=1, UploadId="no-such-upload", Body=b"part"
    )
    # moto answers a 500 without a body; the CRT retries it and keeps only its kind
    assert assert_same_message(crt, "PUT", boto).startswith("InternalServerError: Internal Server Error\n")

    crt = crt_failure(
        moto.url, "DELETE", "AbortMultipartUpload", bucket, "k", query=query_string(("uploadId", "nope"))
    )
    boto = botocore_failure(client, "abort_multipart_upload", Bucket=bucket, Key="k", UploadId="nope")
    assert assert_same_message(crt, "DELETE", boto).startswith("NoSuchUpload: ")

    crt = crt_failure(moto.url, "PUT", "PutObject", "no-such-bucket-x", "k", body=b"data")
    boto = botocore_failure(client, "put_object", Bucket="no-such-bucket-x", Key="k", Body=b"data")
    assert assert_same_message(crt, "PUT", boto).startswith("NoSuchBucket: ")

    crt = crt_failure(moto.url, "GET", "GetObject", bucket, there, headers=[("range", "bytes=100-200")])
    boto = botocore_failure(client, "get_object", Bucket=bucket, Key=there, Range="bytes=100-200")
    assert assert_same_message(crt, "GET", boto).startswith("InvalidRange: ")

    wrong = [("if-match", '"0123"')]
    crt = crt_failure(moto.url, "GET", "GetObject", bucket, there, headers=[*wrong, ("range", "bytes=0-3")])
    boto = botocore_failure(
        client, "get_object", Bucket=bucket, Key=there, IfMatch='"0123"', Range="bytes=0-3"
    )
    assert assert_same_message(crt, "GET", boto).startswith("PreconditionFailed: ")
    assert error_code(translate(*crt[:1], "GET", crt[1])) == "PreconditionFailed"  # ranged.py's test

    crt = crt_failure(moto.url, "HEAD", "HeadObject", bucket, there, headers=wrong)
    boto = botocore_failure(client, "head_object", Bucket=bucket, Key=there, IfMatch='"0123"')
    assert assert_same_message(crt, "HEAD", boto).startswith("PreconditionFailed: Precondition Failed")
    assert etag != '"0123"'


def test_answers_to_wrong_keys_print_as_botocore_does(seaweedfs: MotoServer) -> None:
    """SeaweedFS checks signatures (moto does not), and sends S3's x-amz-request-id."""
    bucket = unique_bucket("crtkeys")
    s3_client(seaweedfs).create_bucket(Bucket=bucket)
    expected = {("nobody", "test"): "InvalidAccessKeyId", ("test", "wrong"): "SignatureDoesNotMatch"}
    for (key_id, secret), code in expected.items():
        client = backend_client(seaweedfs.url, key_id, secret)
        for method, operation, call in (
            ("GET", "GetObject", "get_object"),
            ("HEAD", "HeadObject", "head_object"),
        ):
            crt = crt_failure(seaweedfs.url, method, operation, bucket, "k", key_id=key_id, secret=secret)
            boto = botocore_failure(client, call, Bucket=bucket, Key="k")
            message = assert_same_message(crt, method, boto)
            assert message.startswith(code if method == "GET" else "Forbidden: Forbidden"), message
            if method == "GET":  # the ids are S3's headers', and there
                metadata = translate(crt[0], method, crt[1]).response["ResponseMetadata"]  # type: ignore[attr-defined]
                assert metadata["RequestId"] and f"request id: {metadata['RequestId']}" in message


def _answer_200_with_an_error(conn: socket.socket) -> None:
    """Every request on the connection: S3's "200 OK" whose body is an error (what S3 may
    answer a CompleteMultipartUpload or a CopyObject with).  Not S3's usual InternalError: the
    CRT retries that one, and then keeps only its kind (crt_errors' doc)."""
    body = (
        b"<Error><Code>AccessDenied</Code><Message>Access Denied</Message>"
        b"<RequestId>R200</RequestId><HostId>H200</HostId></Error>"
    )
    head = b"HTTP/1.1 200 OK\r\nx-amz-request-id: R200\r\nx-amz-id-2: H200\r\nContent-Length: %d\r\n\r\n"
    while True:
        request = b""
        while b"\r\n\r\n" not in request:
            chunk = conn.recv(65536)
            if not chunk:
                return
            request += chunk
        length = re.search(rb"(?i)content-length: *(\d+)", request)
        rest = int(length.group(1)) if length else 0
        rest -= len(request.partition(b"\r\n\r\n")[2])
        while rest > 0:
            rest -= len(conn.recv(65536))
        conn.sendall(head % len(body) + body)


def test_an_error_in_a_200_answer_prints_as_botocore_does() -> None:
    with server(_answer_200_with_an_error) as url:
        query = query_string(("uploadId", "u1"))
        part = b'<Part><PartNumber>1</PartNumber><ETag>"e"</ETag></Part>'
        parts = b"<CompleteMultipartUpload>" + part + b"</CompleteMultipartUpload>"
        crt = crt_failure(url, "POST", "CompleteMultipartUpload", "bkt", "k", query=query, body=parts)
        boto = botocore_failure(
            backend_client(url),
            "complete_multipart_upload",
            Bucket="bkt",
            Key="k",
            UploadId="u1",
            MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": '"e"'}]},
        )
    message = assert_same_message(crt, "POST", boto)
    status = "status code: 500, request id: R200, host id: H200"
    assert message == f"AccessDenied: Access Denied\n\t{status}"


def test_an_error_answer_is_parsed_as_botocore_parses_it() -> None:
    """The forms botocore takes apart besides S3's own: an error in a 200 answer (a 500 for
    botocore), a body that is not XML, the other rest-xml services' ``<ErrorResponse>``."""
    headers = [("x-amz-request-id", "R1"), ("x-amz-id-2", "H1")]
    body = b"<Error><Code>InternalError</Code><Message>later</Message><RequestId>X</RequestId></Error>"
    answer = ErrorAnswer(parse_error_answer(200, headers, body), "CompleteMultipartUpload")
    assert message_of(answer) == "InternalError: later\n\tstatus code: 500, request id: R1, host id: H1"
    answer = ErrorAnswer(parse_error_answer(502, headers, b"<html>proxy</html"), "GetObject")
    assert message_of(answer) == "BadGateway: Bad Gateway\n\tstatus code: 502, request id: R1, host id: H1"
    body = (
        b"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>m</Message></Error>"
        b"<RequestId>Q</RequestId></ErrorResponse>"
    )
    response = parse_error_answer(400, [], body)
    assert response["Error"] == {"Type": "Sender", "Code": "Throttling", "Message": "m"}
    assert response["ResponseMetadata"]["RequestId"] == "Q"


# ---- requests that got no answer ---------------------------------------------------------------


@contextlib.contextmanager
def closed_port() -> Iterator[str]:
    with socket.socket() as closed:  # bound, never listening: the kernel refuses
        closed.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{closed.getsockname()[1]}"


def _read_head(conn: socket.socket) -> None:
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = conn.recv(65536)
        if not chunk:
            return
        head += chunk


def _close_after_request(conn: socket.socket) -> None:
    """Read the request, then end the connection without an answer (FIN, not RST: what the
    client still sends is read until it closes)."""
    _read_head(conn)
    conn.shutdown(socket.SHUT_WR)
    while conn.recv(65536):
        pass
    conn.close()


@contextlib.contextmanager
def server(handle: Callable[[socket.socket], None], scheme: str = "http") -> Iterator[str]:
    acceptor = _Acceptor(handle)
    try:
        yield f"{scheme}://127.0.0.1:{acceptor.port}"
    finally:
        acceptor.close()


@pytest.mark.parametrize("kind", ["refused", "dns", "closed", "https-to-python-http"])
def test_requests_without_an_answer_print_as_botocore_does(kind: str, moto: MotoServer) -> None:
    with contextlib.ExitStack() as stack:
        if kind == "refused":
            url, cause = (
                stack.enter_context(closed_port()),
                r"dial tcp 127\.0\.0\.1:\d+: connect: connection refused",
            )
        elif kind == "dns":
            url, cause = (
                "http://nonexistent.invalid",
                r"dial tcp: lookup nonexistent\.invalid on \S+: no such host",
            )
        elif kind == "closed":
            url, cause = stack.enter_context(server(_close_after_request)), "EOF"
        else:  # moto (werkzeug) answers a TLS hello with an HTML page
            url, cause = (
                moto.url.replace("http://", "https://"),
                "tls: first record does not look like a TLS handshake",
            )
        client = backend_client(url)
        for method, operation, call, body in (
            ("GET", "GetObject", "get_object", None),
            ("PUT", "PutObject", "put_object", b"data"),
            ("HEAD", "HeadObject", "head_object", None),
        ):
            crt = crt_failure(url, method, operation, "bkt", "dir/a b", body=body)
            params: dict[str, Any] = {"Bucket": "bkt", "Key": "dir/a b", **({"Body": body} if body else {})}
            message = assert_same_message(crt, method, botocore_failure(client, call, **params))
            assert isinstance(translate(crt[0], method, crt[1]), TransportFailure)
            request = rf'{method.title()} "{re.escape(url)}/bkt/dir/a%20b"'
            pattern = rf"RequestError: send request failed\ncaused by: {request}: {cause}"
            assert re.fullmatch(pattern, message), message


def _answer_tls_hello_in_http(conn: socket.socket) -> None:
    conn.recv(65536)
    conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    time.sleep(0.2)
    conn.close()


@pytest.mark.parametrize("kind", ["self-signed", "go-http"])
def test_tls_failures_print_as_botocore_does(kind: str, tmp_path: Path) -> None:
    from awscrt.exceptions import from_code

    negotiation_failure = from_code(1029)  # what awscrt raised for both (see the module's doc)
    assert negotiation_failure.name == "AWS_IO_TLS_ERROR_NEGOTIATION_FAILURE"
    if kind == "self-signed":
        acceptor = _Acceptor(_read_head, wrap=_self_signed(tmp_path))
        cause = "tls: failed to verify certificate: x509: certificate signed by unknown authority"
    else:
        acceptor = _Acceptor(_answer_tls_hello_in_http)
        cause = "http: server gave HTTP response to HTTPS client"
    try:
        url = f"https://127.0.0.1:{acceptor.port}"
        target = request_target(url, "us-east-1", "path", "bkt", "k")
        boto = botocore_failure(backend_client(url), "get_object", Bucket="bkt", Key="k")
        message = assert_same_message((negotiation_failure, target.url()), "GET", boto)
    finally:
        acceptor.close()
    assert message == f'RequestError: send request failed\ncaused by: Get "{url}/bkt/k": {cause}'


def test_a_cancelled_request_is_the_backends_cancelled() -> None:
    from awscrt import auth, http, s3

    held: list[socket.socket] = []
    with server(held.append) as url:  # accepts, never answers
        target = request_target(url, "us-east-1", "path", "bkt", "k")
        provider = auth.AwsCredentialsProvider.new_static("test", "test")
        client = s3.S3Client(
            region="us-east-1",
            signing_config=s3.create_default_s3_signing_config(
                region="us-east-1", credential_provider=provider
            ),
            tls_mode=s3.S3RequestTlsMode.DISABLED,
        )
        request = http.HttpRequest("GET", target.path, http.HttpHeaders([("host", target.host)]))
        meta = client.make_request(type=s3.S3RequestType.DEFAULT, request=request, operation_name="GetObject")
        deadline = time.monotonic() + 10
        while not held and time.monotonic() < deadline:
            time.sleep(0.01)
        meta.cancel()
        with pytest.raises(Exception) as caught:
            meta.finished_future.result(10)
    assert isinstance(translate(caught.value, "GET", target.url()), Cancelled)


def test_what_is_no_crt_error_is_left_as_it_is() -> None:
    for error in (OSError(5, "Input/output error"), ValueError("x"), Cancelled()):
        assert translate(error, "PUT", "http://h/b/k") is error


def test_a_crt_error_without_go_words_keeps_its_own() -> None:
    from awscrt.exceptions import from_code

    error = from_code(14356)  # AWS_ERROR_S3_OBJECT_MODIFIED
    failure = translate(error, "GET", "http://127.0.0.1:9000/b/k")
    assert message_of(failure) == (
        'RequestError: send request failed\ncaused by: Get "http://127.0.0.1:9000/b/k": '
        "AWS_ERROR_S3_OBJECT_MODIFIED: The object modified during download."
    )


def test_the_names_it_maps_are_awscrts() -> None:
    """Every CRT error name the translation knows is one awscrt has (a rename would silently
    turn its Go words into the CRT's own)."""
    import _awscrt

    from s3env.shim.boto3.engine import crt_errors

    known = {_awscrt.get_error_name(code) for code in range(20000)}
    tables = (
        crt_errors._CONNECT_REASONS,
        crt_errors._LOOKUP_FAILURES,
        crt_errors._TLS_FAILURES,
        crt_errors._CLOSED,
        crt_errors._TIMEOUTS,
        crt_errors._STATUS_ONLY,
    )
    names = {crt_errors.CANCELED}.union(*tables)
    assert names <= known, names - known


def test_a_silent_tls_server_is_a_handshake_timeout() -> None:
    """(the CRT reports it, after a long while, as a failed negotiation: asked again here)"""
    from s3env.shim.boto3.netcause import tls_failure

    held: list[socket.socket] = []
    with server(held.append, scheme="https") as url:
        assert tls_failure(url, timeout=0.5) == "net/http: TLS handshake timeout"
        failure = translate(from_code_named("AWS_IO_TLS_NEGOTIATION_TIMEOUT"), "GET", url)
        assert message_of(failure).endswith(f'Get "{url}": net/http: TLS handshake timeout')


def from_code_named(name: str) -> BaseException:
    import _awscrt
    from awscrt.exceptions import from_code

    return from_code(next(code for code in range(20000) if _awscrt.get_error_name(code) == name))


def test_messages_need_no_botocore() -> None:
    """The CRT engine reports its failures without importing botocore (start-up cost)."""
    code = """if True:
        import sys
        from awscrt.exceptions import from_code
        from s3env.shim.boto3.engine.crt_errors import parse_error_answer, translate
        from s3env.shim.boto3.errors import ErrorAnswer, message_of
        refused = message_of(translate(from_code(1047), "GET", "http://127.0.0.1:1/b/k"))
        assert refused.endswith(": dial tcp 127.0.0.1:1: connect: connection refused"), refused
        answer = ErrorAnswer(parse_error_answer(404, [], None), "HeadObject")
        assert message_of(answer).startswith("NotFound: Not Found"), message_of(answer)
        assert not [m for m in sys.modules if m.startswith("botocore")], "botocore imported"
    """
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_a_password_in_the_endpoint_is_not_in_a_failures_repr() -> None:
    from awscrt.exceptions import from_code

    failure = translate(from_code(1047), "GET", "http://user:s3cr3t@127.0.0.1:1/b/k")
    assert "s3cr3t" not in repr(failure) and "s3cr3t" not in str(failure)
    assert "s3cr3t" not in message_of(failure) and "user:***@127.0.0.1:1" in message_of(failure)
