"""crt_address addresses a request as botocore does: compared with the boto3 backend's own client.

Every case builds the client the backend makes (context.py ``Context.client``, for a profile of
that endpoint, region and addressing style) and asks it for the request: a ``before-send``
handler records the URL and Host header botocore would send and stops it there (no network).
``request_target`` must give the same URL and Host, over hand-picked profiles, bucket names and
keys, then over generated keys and bucket names; ``query_string`` the same query for the
operations that carry one.  Last, objects put through the real CRT client at those addresses
are the objects botocore lists (the CRT sends the path as given: nothing re-encoded or
normalised on the way, and signed as sent).
"""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devtools.devserver import MotoServer
from devtools.sandbox import sandbox_env
from s3env.core.model import Profile
from s3env.shim.base import ShimRequest
from s3env.shim.boto3.context import Context
from s3env.shim.boto3.engine.crt_address import (
    AddressNotCovered,
    bucket_address,
    query_string,
    request_target,
)
from tests.conftest import s3_client, unique_bucket

# (endpoint URL, region, addressing style) as a profile has them ("" region: the default)
PROFILES: list[tuple[str | None, str, str]] = [
    (None, "", "auto"),
    (None, "us-east-1", "virtual"),
    (None, "us-east-1", "path"),
    (None, "eu-west-1", "auto"),
    (None, "cn-north-1", "auto"),
    (None, "us-gov-west-1", "virtual"),
    ("http://127.0.0.1:9000", "", "auto"),
    ("http://127.0.0.1:9000", "", "virtual"),
    ("http://minio.local:9000", "", "auto"),
    ("http://minio.local:9000", "", "virtual"),
    ("https://s3.example.com", "eu-west-1", "auto"),
    ("https://s3.example.com", "", "virtual"),
    ("https://s3.example.com/", "", "path"),
    ("https://s3.example.com:443/base", "", "path"),
    ("https://s3.example.com/base/", "", "virtual"),
    ("http://s3.example.com:80", "", "virtual"),
    ("http://[::1]:9000", "", "virtual"),
    ("http://user:secret@s3.example.com:8080/a/../b", "", "path"),
]
BUCKETS = ["bkt", "my.bucket", "UPPER", "b_x", "1.2.3.4", "ab", "a-b-c", "x" * 63, "-bad-", "b.-c"]
KEYS = [
    "k",
    "a b",
    "dir/file.txt",
    "dir/",
    "ü/日本語/ﬁle",
    "plus+sign",
    "100%",
    "%20 literal",
    "../up/./here/..",
    "~tilde~",
    "/lead//double///",
    "?q=1&x#frag",
    "semi;colon,comma:colon@at$dollar!*'()[]",
    "tab\tnew\nline",
    "",  # the bucket itself
]


class _Captured(Exception):
    """Raised by the ``before-send`` handler: the request botocore was about to send."""

    def __init__(self, url: str, host: str) -> None:
        super().__init__(url, host)
        self.url, self.host = url, host


def _capture(request: Any, **_kwargs: Any) -> None:
    host = request.headers.get("host")
    if host is None:  # botocore's Python signer leaves it to http.client: what that sends
        host = _http_client_host(request.url)
    raise _Captured(request.url, host.decode() if isinstance(host, bytes) else str(host))


def _http_client_host(url: str) -> str:
    """http.client's ``Host``: the connection's host (bracketed if IPv6), its port unless the
    scheme's default."""
    parts = urlsplit(url)
    name = parts.hostname or ""
    name = f"[{name}]" if ":" in name else name
    default = 443 if parts.scheme == "https" else 80
    return name if parts.port in (None, default) else f"{name}:{parts.port}"


@pytest.fixture(scope="module")
def clients(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str | None, str, str], Any]:
    """The boto3 backend's client for a profile, made once each, in a sandbox environment."""
    env = sandbox_env(tmp_path_factory.mktemp("crt-address"))
    made: dict[tuple[str | None, str, str], Any] = {}

    def client(endpoint_url: str | None, region: str, style: str) -> Any:
        if (endpoint_url, region, style) not in made:
            profile = Profile(
                "p",
                endpoint_url=endpoint_url,
                region=region or None,
                addressing_style=style,
                access_key_id="AKIDEXAMPLE",
                secret_access_key="not-a-secret",
            )
            with pytest.MonkeyPatch.context() as patch:  # botocore reads its settings from here
                for name in ("AWS_PROFILE", "AWS_DEFAULT_REGION", "AWS_REGION"):
                    patch.delenv(name, raising=False)
                for name, value in env.items():
                    patch.setenv(name, value)
                made_client = Context(ShimRequest("cp", [], profile, retry_count=0, base_env=env)).client
            made_client.meta.events.register_last("before-send.s3", _capture)
            made[(endpoint_url, region, style)] = made_client
        return made[(endpoint_url, region, style)]

    return client


def botocore_sends(client: Any, operation: str, **params: Any) -> tuple[str, str]:
    """(URL, Host) of the request botocore's ``operation`` would send."""
    try:
        getattr(client, operation)(**params)
    except _Captured as sent:
        return sent.url, sent.host
    raise AssertionError(f"{operation} was not sent")


def botocore_target(client: Any, bucket: str, key: str) -> tuple[str, str]:
    """(URL, Host) for an object (HeadObject) or, for key "", the bucket (HeadBucket)."""
    if key:
        return botocore_sends(client, "head_object", Bucket=bucket, Key=key)
    return botocore_sends(client, "head_bucket", Bucket=bucket)


def covered(
    endpoint_url: str | None, region: str, style: str, bucket: str, key: str
) -> tuple[str, str] | None:
    try:
        target = request_target(endpoint_url, region, style, bucket, key)
    except AddressNotCovered:
        return None
    return target.url(), target.host


def _mismatches(clients: Any, cases: list[tuple[tuple[str | None, str, str], str, str]]) -> list[str]:
    found = []
    for profile, bucket, key in cases:
        ours = covered(*profile, bucket, key)
        if ours is None:
            found.append(f"{profile} {bucket!r} {key!r}: not covered")
        elif ours != (theirs := botocore_target(clients(*profile), bucket, key)):
            found.append(f"{profile} {bucket!r} {key!r}: {ours} != {theirs}")
    return found


def test_hand_picked_profiles_and_buckets_are_addressed_as_botocore_does(clients: Any) -> None:
    keys = ["k", "a b/ü+", ""]
    cases = [(profile, bucket, key) for profile in PROFILES for bucket in BUCKETS for key in keys]
    # a dotted bucket name before an IPv6 address: botocore's Host is then not its URL's
    odd = [c for c in cases if c[0] == ("http://[::1]:9000", "", "virtual") and c[1] == "my.bucket"]
    for profile, bucket, key in odd:
        with pytest.raises(AddressNotCovered):
            request_target(*profile, bucket, key)
    mismatches = _mismatches(clients, [c for c in cases if c not in odd])
    assert not mismatches, "\n".join(mismatches)


def test_hand_picked_keys_are_encoded_as_botocore_does(clients: Any) -> None:
    profiles = [
        (None, "", "auto"),
        ("http://minio.local:9000", "", "virtual"),
        ("https://s3.example.com/base", "", "path"),
    ]
    mismatches = _mismatches(clients, [(profile, "bkt", key) for profile in profiles for key in KEYS])
    assert not mismatches, "\n".join(mismatches)


def test_what_matters_on_the_wire() -> None:
    """The fields the CRT engine uses, spelled out for a few profiles."""
    target = request_target("https://s3.example.com:443/base", "", "path", "bkt", "a b/ü+")
    assert target == ("https", "s3.example.com:443", "s3.example.com", "/base/bkt/a%20b/%C3%BC%2B", True)
    target = request_target("http://minio.local:9000", "us-east-1", "virtual", "bkt", "")
    assert (target.host, target.path, target.tls) == ("bkt.minio.local:9000", "/", False)
    target = request_target(None, "eu-west-1", "auto", "My.Bucket", "k/")
    assert (target.host, target.path) == ("s3.eu-west-1.amazonaws.com", "/My.Bucket/k/")
    assert target.path_and_query(query_string(("versionId", "v 1"))) == "/My.Bucket/k/?versionId=v%201"


def test_a_password_in_the_endpoint_is_not_in_the_repr() -> None:
    target = request_target("http://user:s3cr3t@s3.example.com:8080", "", "path", "bkt", "k")
    assert target.host == "s3.example.com:8080" and "s3cr3t" in target.url()
    assert "s3cr3t" not in repr(target) and "user:***@s3.example.com:8080" in repr(target)
    address = bucket_address("http://user:s3cr3t@s3.example.com:8080", "", "path", "bkt")
    assert "s3cr3t" not in repr(address) and repr(address).startswith("BucketAddress(")


def test_what_the_rule_set_treats_specially_is_refused() -> None:
    for bucket in (
        "arn:aws:s3:us-east-1:123456789012:accesspoint/ap",
        "b--usw2-az1--x-s3",
        "ap--usw2-az1--xa-s3",
    ):
        with pytest.raises(AddressNotCovered):
            request_target("http://127.0.0.1:9000", "us-east-1", "path", bucket, "k")
    with pytest.raises(AddressNotCovered):
        request_target(None, "not.a.label", "auto", "bkt", "k")


# keys: any text S3 takes (no NUL: botocore and S3 refuse it), surrogates excluded (not UTF-8)
_KEY_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=40
)
_BUCKET_TEXT = st.from_regex(r"[a-zA-Z0-9][a-zA-Z0-9.\-_]{1,20}[a-zA-Z0-9]", fullmatch=True)
_HYPOTHESIS_PROFILES = [
    (None, "", "auto"),
    (None, "eu-west-1", "path"),
    ("http://127.0.0.1:9000", "", "virtual"),
    ("http://minio.local:9000", "", "virtual"),
    ("https://s3.example.com/base", "", "virtual"),
    ("https://s3.example.com:443", "", "path"),
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(profile=st.sampled_from(_HYPOTHESIS_PROFILES), bucket=_BUCKET_TEXT, key=_KEY_TEXT)
def test_generated_keys_and_buckets_are_addressed_as_botocore_does(
    clients: Any, profile: tuple[str | None, str, str], bucket: str, key: str
) -> None:
    ours = covered(*profile, bucket, key)
    if ours is not None:
        assert ours == botocore_target(clients(*profile), bucket, key)


def _queries(upload_id: str, version_id: str, part: int) -> list[tuple[str, dict[str, Any], str]]:
    """(operation, its parameters, query_string's answer) for the queries the engine sends."""
    return [
        ("create_multipart_upload", {}, query_string(("uploads", None))),
        (
            "upload_part",
            {"PartNumber": part, "UploadId": upload_id, "Body": b""},
            query_string(("partNumber", str(part)), ("uploadId", upload_id)),
        ),
        (
            "complete_multipart_upload",
            {"UploadId": upload_id, "MultipartUpload": {"Parts": [{"PartNumber": 1, "ETag": "e"}]}},
            query_string(("uploadId", upload_id)),
        ),
        ("abort_multipart_upload", {"UploadId": upload_id}, query_string(("uploadId", upload_id))),
        ("get_object", {"VersionId": version_id}, query_string(("versionId", version_id))),
        (
            "get_object",
            {"PartNumber": part, "VersionId": version_id},
            query_string(("partNumber", str(part)), ("versionId", version_id)),
        ),
        ("head_object", {"VersionId": version_id}, query_string(("versionId", version_id))),
        ("delete_object", {"VersionId": version_id}, query_string(("versionId", version_id))),
        ("put_object", {"Body": b""}, ""),
    ]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(upload_id=_KEY_TEXT, version_id=_KEY_TEXT, part=st.integers(1, 10000))
def test_query_strings_are_encoded_as_botocore_does(
    clients: Any, upload_id: str, version_id: str, part: int
) -> None:
    client = clients("http://127.0.0.1:9000", "", "path")
    for operation, params, query in _queries(upload_id, version_id, part):
        url, _host = botocore_sends(client, operation, Bucket="bkt", Key="k e+y", **params)
        target = request_target("http://127.0.0.1:9000", "", "path", "bkt", "k e+y")
        assert target.url(query) == url, operation


def test_importing_it_does_not_import_botocore() -> None:
    code = (
        "import sys; import s3env.shim.boto3.engine.crt_address as a, s3env.shim.boto3.engine.crt_errors; "
        "a.request_target(None, '', 'auto', 'b', 'k'); "
        "assert not [m for m in sys.modules if m.startswith('botocore')], 'botocore imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


# ---- on the wire: the CRT puts objects at those addresses, botocore lists them ------------------

WIRE_KEYS = [k for k in KEYS if k and "\n" not in k] + ["dot/./seg", "a/../b", "sp ace/"]


@pytest.fixture
def crt_put(moto: MotoServer) -> Iterator[Callable[[str, str, bytes], None]]:
    """PUT an object through awscrt's S3 client at ``request_target``'s address on ``moto``."""
    from awscrt import auth, http, s3

    provider = auth.AwsCredentialsProvider.new_static("test", "test")
    signing = s3.create_default_s3_signing_config(region="us-east-1", credential_provider=provider)
    client = s3.S3Client(region="us-east-1", signing_config=signing, tls_mode=s3.S3RequestTlsMode.DISABLED)

    def put(bucket: str, key: str, body: bytes) -> None:
        target = request_target(moto.url, "us-east-1", "path", bucket, key)
        headers = http.HttpHeaders([("host", target.host), ("content-length", str(len(body)))])
        request = http.HttpRequest("PUT", target.path_and_query(), headers, io.BytesIO(body))
        client.make_request(
            type=s3.S3RequestType.DEFAULT, request=request, operation_name="PutObject"
        ).finished_future.result(30)

    yield put


def test_objects_put_through_the_crt_are_where_botocore_finds_them(
    moto: MotoServer, crt_put: Callable[[str, str, bytes], None], tmp_path: Path
) -> None:
    bucket = unique_bucket("addr")
    s3 = s3_client(moto)
    s3.create_bucket(Bucket=bucket)
    for index, key in enumerate(WIRE_KEYS):
        crt_put(bucket, key, f"{index}".encode())
    listed = {o["Key"]: o["Size"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]}
    assert sorted(listed) == sorted(WIRE_KEYS)
    for index, key in enumerate(WIRE_KEYS):
        assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == f"{index}".encode(), key
