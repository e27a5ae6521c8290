"""The storage layer, as s5cmd's ``storage`` package: one ``Object`` type for what a listing or
a stat finds, ``fs`` for local paths and ``s3`` for S3, and the two questions every command
asks of a URL whichever side it names: what is there (``list_objects``) and what is this one
(``stat``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from s3env.shim.boto3.storage import fs, s3
from s3env.shim.boto3.storage.object import Object

if TYPE_CHECKING:
    from s3env.shim.boto3.context import Context
    from s3env.shim.boto3.urls import ObjectURL


def list_objects(
    ctx: Context, url: ObjectURL, *, follow: bool = True, all_versions: bool = False, version_id: str = ""
) -> Iterator[Object]:
    """s5cmd ``storage.List``: local files (``follow``: whether a walk follows links), object
    versions (``--all-versions``, ``--version-id``; ignored for a local path), or objects."""
    if not url.is_remote():
        return fs.list_objects(url, follow)
    if all_versions or version_id:
        return s3.list_object_versions(ctx, url, version_id)
    return s3.list_objects(ctx, url)


def stat(ctx: Context, url: ObjectURL) -> Object:
    """s5cmd ``storage.Stat``: ``NotFound`` when nothing is there."""
    return s3.stat(ctx, url) if url.is_remote() else fs.stat(url)


__all__ = ["Object", "fs", "list_objects", "s3", "stat"]
