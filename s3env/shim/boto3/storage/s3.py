"""S3 as s5cmd's ``storage/s3.go`` sees it: listings, versions, stat and buckets, on the
command's botocore client (``ctx.client``).

Listings walk page by page: the common prefixes (directories) of a page, then its objects,
each kept if it matches the URL's pattern (a raw URL matches nothing, as s5cmd's has no
pattern); an object modified after the listing began is skipped; a failure becomes an error
entry, and a listing of anything but a whole bucket that matched nothing ends with
``NoObjectFound``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from s3env.shim.boto3.errors import (
    NoObjectFound,
    NotFound,
    from_exception,
    is_not_found,
    request_errors,
)
from s3env.shim.boto3.storage.object import Object, to_ns
from s3env.shim.boto3.urls import ObjectURL, version_arg

if TYPE_CHECKING:
    from s3env.shim.boto3.context import Context

Items = Callable[[dict[str, Any]], list[tuple[dict[str, Any], bool]]]


def list_objects(ctx: Context, url: ObjectURL) -> Iterator[Object]:
    """s5cmd ``listObjectsV2``."""

    def contents(page: dict[str, Any]) -> list[tuple[dict[str, Any], bool]]:
        return [(item, False) for item in page.get("Contents") or []]

    return _list(ctx, url, "list_objects_v2", contents)


def list_object_versions(ctx: Context, url: ObjectURL, version_id: str = "") -> Iterator[Object]:
    """s5cmd ``listObjectVersions`` (``--all-versions``, ``--version-id``): per page, common
    prefixes, then the versions, then the delete markers (size 0, no ETag); given
    ``version_id``, only that version.  Each object's URL carries its version id."""

    def versions_then_markers(page: dict[str, Any]) -> list[tuple[dict[str, Any], bool]]:
        versions = [(item, False) for item in page.get("Versions") or []]
        return versions + [(item, True) for item in page.get("DeleteMarkers") or []]

    return _list(ctx, url, "list_object_versions", versions_then_markers, version_id)


def _list(
    ctx: Context, url: ObjectURL, operation: str, items_of: Items, version_id: str = ""
) -> Iterator[Object]:
    """One paginated listing; ``items_of(page)`` gives (item, is a delete marker) pairs."""
    params: dict[str, Any] = {"Bucket": url.bucket, "Prefix": url.prefix}
    if url.delimiter:
        params["Delimiter"] = url.delimiter
    found = False
    now: dt.datetime | None = None
    try:
        if operation == "list_objects_v2":  # on the engine: the CRT's lists without botocore
            pages = ctx.engine.list_objects_v2(url.bucket, url.prefix, url.delimiter or "")
        else:
            pages = ctx.client.get_paginator(operation).paginate(**params)
        for page in pages:
            for common in page.get("CommonPrefixes") or []:
                prefix = common.get("Prefix", "")
                if url.raw or url.relative_for(prefix) is None:
                    continue
                found = True
                yield Object(url=url.with_key(prefix), is_dir=True)
            if now is None:
                now = dt.datetime.now(dt.UTC)
            for item, is_marker in items_of(page):
                key = item.get("Key", "")
                if url.raw or url.relative_for(key) is None:
                    continue
                version = item.get("VersionId") or ""
                if version_id and version != version_id:
                    continue
                found = True
                modified = item.get("LastModified")
                if modified is not None and modified > now:  # s5cmd skips objects newer than the listing
                    continue
                object_url = url.with_key(key)
                object_url.version_id = version
                yield Object(
                    url=object_url,
                    etag="" if is_marker else (item.get("ETag") or "").strip('"'),
                    mtime_ns=to_ns(modified) if modified is not None else None,
                    is_dir=key.endswith("/"),
                    size=0 if is_marker else int(item.get("Size") or 0),
                    storage_class="" if is_marker else item.get("StorageClass") or "",
                    version_id=version,
                )
    except Exception as exc:  # not the GeneratorExit of a listing left early: no botocore for it
        if not isinstance(exc, (*request_errors(), *ctx.engine.request_failures())):
            raise
        yield Object.error(from_exception(exc))
        return
    if not found and not url.is_bucket():
        yield Object.error(NoObjectFound())


def stat(ctx: Context, url: ObjectURL) -> Object:
    """s5cmd ``S3.Stat``: a HEAD of the object (of ``url.version_id``, if any); ``NotFound``
    for a 404, any other failure as its ``ShimError``."""
    try:
        head = ctx.client.head_object(Bucket=url.bucket, Key=url.path, **version_arg(url.version_id))
    except request_errors() as exc:
        if is_not_found(exc):
            raise NotFound(url.absolute()) from None
        raise from_exception(exc) from None
    modified = head.get("LastModified")
    return Object(
        url=url,
        size=int(head.get("ContentLength") or 0),
        mtime_ns=to_ns(modified) if modified is not None else None,
        etag=(head.get("ETag") or "").strip('"'),
    )


def list_buckets(ctx: Context) -> list[dict[str, Any]]:
    """s5cmd ``S3.ListBuckets``: each bucket's ``Name`` and ``CreationDate``."""
    return list(ctx.client.list_buckets().get("Buckets") or [])
