"""Where a request of the CRT engine goes: botocore's URL for the same profile.

(A first cut — path style for custom endpoints, virtual hosts on AWS; being completed.)"""

from __future__ import annotations

from typing import NamedTuple
from urllib.parse import quote, urlsplit


class RequestTarget(NamedTuple):
    scheme: str
    host: str  # the Host header: host[:port], the port only when not the scheme's own
    path: str  # percent-encoded
    tls: bool


def request_target(
    endpoint_url: str | None, region: str, addressing_style: str, bucket: str, key: str
) -> RequestTarget:
    encoded_key = quote(key, safe="/~")
    if endpoint_url is None:
        if addressing_style == "path" or "." in bucket or bucket.lower() != bucket:
            return RequestTarget("https", f"s3.{region}.amazonaws.com", f"/{bucket}/{encoded_key}", True)
        return RequestTarget("https", f"{bucket}.s3.{region}.amazonaws.com", f"/{encoded_key}", True)
    parts = urlsplit(endpoint_url)
    scheme = parts.scheme.lower()
    host = parts.netloc
    base = parts.path.rstrip("/")
    if addressing_style == "virtual":
        return RequestTarget(scheme, f"{bucket}.{host}", f"{base}/{encoded_key}", scheme == "https")
    path = f"{base}/{bucket}/{encoded_key}" if bucket else f"{base}/"
    return RequestTarget(scheme, host, path, scheme == "https")
