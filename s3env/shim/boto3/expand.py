"""Which objects a command's source arguments name (s5cmd ``command/expand.go``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from s3env.shim.boto3 import storage
from s3env.shim.boto3.errors import NoObjectFound, NotFound, ShimError
from s3env.shim.boto3.storage import Object, fs

if TYPE_CHECKING:
    from s3env.shim.boto3.context import Context
    from s3env.shim.boto3.urls import ObjectURL


def expand_source(ctx: Context, src: ObjectURL, follow: bool = True) -> Iterator[Object]:
    """s5cmd ``expandSource``: a pattern, a local directory or ``--all-versions`` lists; one
    object or file is itself (a local file with its type: a FIFO or socket is refused by the
    caller, never opened; with ``follow`` false, a link named as the source is skipped).
    Raises for a local source that cannot be stat'ed."""
    local: Object | None = None
    if not src.is_wildcard() and not src.is_remote():
        local = fs.stat(src)
    if src.is_wildcard() or src.all_versions or (local is not None and local.is_dir):
        return storage.list_objects(
            ctx, src, follow=follow, all_versions=src.all_versions, version_id=src.version_id
        )
    if local is not None:
        if not follow and fs.is_symlink(src.absolute()):
            return iter([])
        return iter([Object(url=src, size=local.size, is_regular=local.is_regular)])
    return iter([Object(url=src)])


def expand_sources(ctx: Context, urls: list[ObjectURL]) -> Iterator[Object]:
    """s5cmd ``expandSources`` (rm): a missing local file is skipped, and ``no object found``
    comes only when no source named anything.  Links are never followed."""
    found = False
    for url in urls:
        try:
            objects = expand_source(ctx, url, follow=False)
        except NotFound:
            continue
        except ShimError as exc:
            yield Object.error(exc)
            continue
        for obj in objects:
            if isinstance(obj.err, NoObjectFound):
                continue
            found = True
            yield obj
    if not found:
        yield Object.error(NoObjectFound())


def non_empty(objects: Iterator[Object]) -> Iterator[Object]:
    """``objects``, or ``no object found`` when there are none."""
    found = False
    for obj in objects:
        found = True
        yield obj
    if not found:
        yield Object.error(NoObjectFound())
