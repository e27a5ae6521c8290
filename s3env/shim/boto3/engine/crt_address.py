"""Where a request of the CRT engine goes: the URL botocore's S3 client would use for it.

The CRT's S3 client takes a request as it goes on the wire (method, path, a ``host`` header;
it connects to that host, over TLS or not as the client is told), so the engine must address
it itself, exactly as the botocore engine does for the same profile, or the two engines would
reach different objects (or sign different paths).  The client the boto3 backend makes
(context.py ``_new_client``) sets the region (default us-east-1), the endpoint URL (None: AWS)
and the addressing style (unless "auto"); botocore then follows S3's endpoint rule set, of
which this is the part such a client can reach:

- a custom endpoint: path style, unless the style is "virtual"; even then an endpoint that is
  an IP address, or a bucket name that is no DNS label (uppercase, ``_``, dots…), stays on the
  path, except that a name with dots does go into the host name on an ``http`` endpoint;
- AWS: virtual hosted for a bucket name that is a DNS label, unless the style is "path";
  ``s3.amazonaws.com`` for us-east-1 (botocore's "legacy" global endpoint), else
  ``s3.REGION.DNS-SUFFIX`` (amazonaws.com, amazonaws.com.cn…);
- the key percent-encoded as botocore's serializer does (all but ``A-Za-z0-9-._~/``; nothing
  normalised: ``..``, ``//``, a trailing ``/`` go as they are); an empty key addresses the
  bucket itself (``/bucket`` or ``/``).

What the rule set treats specially and s3env never made (ARNs, S3 Express ``--x-s3`` and
``--xa-s3`` buckets, region names that are no host label) raises ``AddressNotCovered``: the
botocore engine is the one to use then.

No botocore here: the CRT engine runs without importing it (start-up cost).
"""

from __future__ import annotations

import ipaddress
import re
from typing import NamedTuple
from urllib.parse import quote, urlsplit

# botocore.compat.IPV4_RE: what its rule set calls an IPv4 endpoint (no range check)
_IPV4_RE = re.compile(r"^(?:[0-9]{1,3}\.){3}[0-9]{1,3}$")
# botocore.endpoint_provider.VALID_HOST_LABEL_RE
_HOST_LABEL_RE = re.compile(r"^(?!-)[a-zA-Z\d-]{1,63}(?<!-)$")
# partitions.json: the DNS suffix of each partition, by its region pattern ("aws" otherwise)
_PARTITION_SUFFIXES = (
    (re.compile(r"^cn\-\w+\-\d+$"), "amazonaws.com.cn"),
    (re.compile(r"^eusc\-(de)\-\w+\-\d+$"), "amazonaws.eu"),
    (re.compile(r"^us\-iso\-\w+\-\d+$"), "c2s.ic.gov"),
    (re.compile(r"^us\-isob\-\w+\-\d+$"), "sc2s.sgov.gov"),
    (re.compile(r"^eu\-isoe\-\w+\-\d+$"), "cloud.adc-e.uk"),
    (re.compile(r"^us\-isof\-\w+\-\d+$"), "csp.hci.ic.gov"),
)
_DEFAULT_PORTS = {"http": 80, "https": 443}
# botocore.utils.SAFE_CHARS, and the greedy ``{Key+}`` label's extra "/"
_QUERY_SAFE = "-._~"
_KEY_SAFE = "/~"


class AddressNotCovered(ValueError):
    """A bucket or region for which botocore's rule set takes a path this module does not
    follow (ARNs, S3 Express buckets, a region that is no host label)."""


class RequestTarget(NamedTuple):
    """One request's address, as botocore's S3 client would send it."""

    scheme: str  # "http" or "https"
    netloc: str  # as in botocore's URL: the endpoint's authority, an explicit default port kept
    host: str  # the Host header: host[:port], the port only when not the scheme's default
    path: str  # percent-encoded, as sent
    tls: bool

    def __repr__(self) -> str:
        # an endpoint's user info may hold a password: never in a repr (a log, a traceback)
        user, at, hostport = self.netloc.rpartition("@")
        netloc = f"{user.partition(':')[0]}:***@{hostport}" if at and ":" in user else self.netloc
        return (
            f"RequestTarget(scheme={self.scheme!r}, netloc={netloc!r}, host={self.host!r}, "
            f"path={self.path!r}, tls={self.tls!r})"
        )

    def url(self, query: str = "") -> str:
        """The URL botocore's request would have (errors name it): ``query`` is
        ``query_string``'s result (``""`` or ``"?…"``)."""
        return f"{self.scheme}://{self.netloc}{self.path}{query}"

    def path_and_query(self, query: str = "") -> str:
        """What goes on the request line."""
        return self.path + query


def query_string(*params: tuple[str, str | None]) -> str:
    """``?name=value&…`` encoded as botocore's serializer does (``percent_encode_sequence``),
    in the order given (botocore's: the model's member order, after a fixed part of the
    operation's URI such as ``uploads``); a value of None is a bare name (``?uploads``).
    ``""`` for no parameters."""
    parts = [
        quote(name, safe=_QUERY_SAFE)
        if value is None
        else f"{quote(name, safe=_QUERY_SAFE)}={quote(value, safe=_QUERY_SAFE)}"
        for name, value in params
    ]
    return "?" + "&".join(parts) if parts else ""


def encode_key(key: str) -> str:
    """An object key as botocore puts it in a path (``percent_encode(key, safe='/~')``)."""
    return quote(key.encode("utf-8"), safe=_KEY_SAFE)


class BucketAddress(NamedTuple):
    """Where the requests on one bucket go: all but the key's part of their ``RequestTarget``
    (worked out once per bucket, not once per object)."""

    scheme: str
    netloc: str
    host: str
    base: str  # the path before the key's part
    tls: bool

    def __repr__(self) -> str:
        return repr(self.target("")).replace("RequestTarget(", "BucketAddress(", 1)

    def target(self, key: str) -> RequestTarget:
        """The address of a request on ``key`` ("" for the bucket itself)."""
        return RequestTarget(self.scheme, self.netloc, self.host, _join(self.base, _key_path(key)), self.tls)


def request_target(
    endpoint_url: str | None, region: str, addressing_style: str, bucket: str, key: str
) -> RequestTarget:
    """The address of a request on ``bucket``/``key`` (``key`` "" for the bucket itself) by the
    boto3 backend's client for a profile of ``endpoint_url`` (None: AWS), ``region`` ("": the
    client's default, us-east-1) and ``addressing_style`` ("auto", "path" or "virtual")."""
    return bucket_address(endpoint_url, region, addressing_style, bucket).target(key)


def bucket_address(
    endpoint_url: str | None, region: str, addressing_style: str, bucket: str
) -> BucketAddress:
    """``request_target`` but for the key."""
    region = region or "us-east-1"
    if not bucket:
        raise ValueError("a request target needs a bucket")
    if bucket.startswith("arn:") or bucket.endswith(("--x-s3", "--xa-s3")):
        raise AddressNotCovered(f"bucket {bucket!r}: botocore's rule set treats it specially")
    if not _is_host_label(region, allow_dots=False):
        raise AddressNotCovered(f"region {region!r} is not a host label")
    if endpoint_url is None:
        return _aws_address(region, addressing_style, bucket)
    return _custom_address(endpoint_url, addressing_style, bucket)


def _aws_address(region: str, addressing_style: str, bucket: str) -> BucketAddress:
    suffix = next((s for pattern, s in _PARTITION_SUFFIXES if pattern.match(region)), "amazonaws.com")
    # botocore's default us_east_1_regional_endpoint is "legacy": the global endpoint
    service = f"s3.{suffix}" if region == "us-east-1" else f"s3.{region}.{suffix}"
    if addressing_style != "path" and _is_virtual_hostable(bucket, allow_dots=False):
        return _address("https", f"{bucket}.{service}", "")
    return _address("https", service, f"/{_uri_encode(bucket)}")


def _custom_address(endpoint_url: str, addressing_style: str, bucket: str) -> BucketAddress:
    parts = urlsplit(endpoint_url)
    scheme = parts.scheme
    if scheme not in _DEFAULT_PORTS or parts.query:
        raise AddressNotCovered(f"endpoint {endpoint_url!r} is not an http(s) URL without a query")
    netloc, endpoint_path = parts.netloc, parts.path
    # botocore: with an endpoint URL, path style unless "virtual" was asked for
    if addressing_style == "virtual":
        virtual = False
        if _is_virtual_hostable(bucket, allow_dots=False):
            virtual = not _is_ip(parts.hostname or "")
        elif scheme == "http" and _is_virtual_hostable(bucket, allow_dots=True):
            # the rule set's plain-http branch: dots allowed, on an IP endpoint too
            if netloc.rpartition("@")[2].startswith("["):
                raise AddressNotCovered("a bucket name with dots before an IPv6 address")
            virtual = True
        if virtual:
            return _address(scheme, f"{bucket}.{netloc}", endpoint_path)
    return _address(scheme, netloc, _normalized_path(endpoint_path) + _uri_encode(bucket))


def _address(scheme: str, netloc: str, base: str) -> BucketAddress:
    return BucketAddress(scheme, netloc, _host_header(scheme, netloc), base, scheme == "https")


def _host_header(scheme: str, netloc: str) -> str:
    """The Host botocore signs and sends: without user info, the port only when not the
    scheme's default."""
    hostport = netloc.rpartition("@")[2]
    host, colon, port = hostport.rpartition(":")
    if colon and not host.endswith("]") and ":" in host:  # a bare IPv6 address has no port
        return hostport
    if colon and port.isdigit() and int(port) == _DEFAULT_PORTS[scheme]:
        return host
    return hostport


def _key_path(key: str) -> str:
    """The operation's path after the bucket: ``/{Key+}``, or nothing for the bucket."""
    return "/" + encode_key(key) if key else ""


def _join(base: str, url_path: str) -> str:
    """botocore.awsrequest._urljoin, for the path: the endpoint's path (after the rule set)
    then the operation's."""
    if not url_path or url_path == "/":
        return base or "/"
    if base.endswith("/") and url_path.startswith("/"):
        return base[:-1] + url_path
    return base + url_path


def _normalized_path(path: str) -> str:
    """The rule set's ``url#normalizedPath``: dot segments and empty ones removed, quoted,
    with a trailing slash."""
    normalized = quote(_remove_dot_segments(path) if path else "/")
    return normalized if normalized.endswith("/") else normalized + "/"


def _remove_dot_segments(url: str) -> str:
    """botocore.utils.remove_dot_segments (RFC 3986 5.2.4, and no empty segments)."""
    output: list[str] = []
    for segment in url.split("/"):
        if segment and segment != ".":
            if segment == "..":
                if output:
                    output.pop()
            else:
                output.append(segment)
    first = "/" if url[0] == "/" else ""
    last = "/" if url[-1] == "/" and output else ""
    return first + "/".join(output) + last


def _uri_encode(value: str) -> str:
    """The rule set's ``uriEncode`` (botocore ``percent_encode``)."""
    return quote(value.encode("utf-8"), safe=_QUERY_SAFE)


def _is_host_label(value: str, allow_dots: bool) -> bool:
    if allow_dots:
        return all(_HOST_LABEL_RE.match(label) for label in value.split("."))
    return "." not in value and _HOST_LABEL_RE.match(value) is not None


def _is_virtual_hostable(bucket: str, allow_dots: bool) -> bool:
    """The rule set's ``aws.isVirtualHostableS3Bucket``."""
    if len(bucket) < 3 or bucket.lower() != bucket or _IPV4_RE.match(bucket):
        return False
    return _is_host_label(bucket, allow_dots)


def _is_ip(hostname: str) -> bool:
    """The rule set's ``url#isIp`` (an IPv4 pattern, or an IPv6 address)."""
    if _IPV4_RE.match(hostname):
        return True
    try:
        ipaddress.IPv6Address(hostname.partition("%")[0])
    except ValueError:
        return False
    return True
