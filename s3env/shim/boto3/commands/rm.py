"""``rm``: remove objects or local files (s5cmd ``command/rm.go``): the sources expanded,
filtered, then removed with DeleteObjects, 1000 keys a request, ``rm SRC`` printed for each
key the server reports deleted."""

from __future__ import annotations

import threading
from collections.abc import Iterator

from s3env.shim.boto3.context import Context
from s3env.shim.boto3.errors import ShimError, message_of
from s3env.shim.boto3.expand import expand_sources
from s3env.shim.boto3.flags import Flag, Options, full_command, parse_flags
from s3env.shim.boto3.pool import Pool
from s3env.shim.boto3.printer import Printer
from s3env.shim.boto3.storage import Object, fs
from s3env.shim.boto3.urls import VERSIONS_COMBINED, VERSIONS_NEED_REMOTE, ObjectURL, version_arg
from s3env.shim.boto3.wildcard import compile_patterns, is_excluded, source_prefix

DELETE_OBJECTS_MAX = 1000

FLAGS: tuple[Flag, ...] = (
    Flag("raw"),
    Flag("exclude", "slice"),
    Flag("include", "slice"),
    Flag("all-versions"),
    Flag("version-id", "str"),
)


def run(ctx: Context, args: list[str]) -> int:
    options, positional = parse_flags(FLAGS, args)
    printer = Printer(ctx, "rm", full_command("rm", options, positional))
    try:
        urls = _validate(positional, options)
    except ShimError as exc:
        printer.error(exc.message)
        return 1
    if urls[0].is_remote():
        ctx.client  # noqa: B018 -- made here, not by the first worker
    return delete(ctx, printer, urls, options)


def _validate(positional: list[str], options: Options) -> list[ObjectURL]:
    """s5cmd ``validateRMCommand``."""
    if not positional:
        raise ShimError("expected at least 1 object to remove")
    all_versions, version_id = options.bool("all-versions"), options.str("version-id")
    if all_versions and version_id:
        raise ShimError(VERSIONS_COMBINED)
    if len(positional) > 1 and version_id:
        raise ShimError("version-id flag can only be used with single source object")
    urls = [ObjectURL(text, raw=options.bool("raw")) for text in positional]
    for url in urls:
        url.version_id, url.all_versions = version_id, all_versions
        if (version_id or all_versions) and not url.is_remote():
            raise ShimError(VERSIONS_NEED_REMOTE)
    has_remote = has_local = False
    first_bucket = ""
    for i, url in enumerate(urls):
        if url.is_bucket() or url.is_prefix():
            raise ShimError(
                "s3 bucket/prefix cannot be used for delete operations (forgot wildcard character?)"
            )
        if url.is_remote():
            has_remote = True
        else:
            has_local = True
        if has_local and has_remote:
            raise ShimError("arguments cannot have both local and remote sources")
        if i == 0:
            first_bucket = url.bucket
        elif url.bucket != first_bucket:
            raise ShimError("removal of objects with different buckets in a single command is not allowed")
    return urls


def delete(
    ctx: Context,
    printer: Printer,
    urls: list[ObjectURL],
    options: Options,
    objects: Iterator[Object] | None = None,
) -> int:
    """s5cmd ``Delete.Run``: expand (or take ``objects``), filter, then remove local files one
    by one or objects with DeleteObjects, in chunks of 1000 on the worker pool."""
    exclude = compile_patterns(options.list("exclude"))
    include = compile_patterns(options.list("include"))
    prefix = source_prefix(urls[0])
    failed = False
    targets: list[ObjectURL] = []
    for obj in objects if objects is not None else expand_sources(ctx, urls):
        if obj.is_dir:
            continue
        if obj.err is not None:
            failed = True
            printer.error(obj.err.message)
            continue
        if is_excluded(obj, exclude, include, prefix):
            continue
        assert obj.url is not None
        targets.append(obj.url)
    lock = threading.Lock()
    outcome = {"failed": failed}

    def error(message: str) -> None:
        with lock:
            outcome["failed"] = True
        printer.error(message)

    if targets and not targets[0].is_remote():
        for url in targets:
            if ctx.cancellation.cancelled:
                break
            if not ctx.dry_run:
                try:
                    fs.remove(url.absolute())
                except ShimError as exc:
                    error(exc.message)
                    continue
            printer.transfer(url.absolute(), None, None)
        return 1 if outcome["failed"] else 0

    def delete_chunk(bucket: str, chunk: list[ObjectURL]) -> None:
        if ctx.dry_run:
            for url in chunk:
                printer.transfer(f"s3://{bucket}/{url.path}", None, None, url.version_id)
            return
        keys = [{"Key": u.path, **version_arg(u.version_id)} for u in chunk]
        try:
            response = ctx.client.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": False})
        except Exception as exc:
            error(message_of(exc))
            return
        for deleted in response.get("Deleted", []):
            version = deleted.get("VersionId") or ""
            printer.transfer(f"s3://{bucket}/{deleted['Key']}", None, None, version)
        for failure in response.get("Errors", []):
            error(str(failure.get("Message", "")))

    pool = Pool(ctx, min(10, ctx.numworkers))
    for start in range(0, len(targets), DELETE_OBJECTS_MAX):
        chunk = targets[start : start + DELETE_OBJECTS_MAX]
        pool.submit(lambda bucket=chunk[-1].bucket, chunk=chunk: delete_chunk(bucket, chunk))
    pool.wait()
    return 1 if outcome["failed"] else 0
