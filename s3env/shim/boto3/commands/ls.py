"""``ls``: buckets, objects (one level, or every match of a pattern), object versions, or
local files (s5cmd ``command/ls.go``).

Object times are printed in UTC (s5cmd calls ``.UTC()`` on them), a local file's in local
time, bucket times as parsed; ``--all-versions`` adds each version id to its text line.
"""

from __future__ import annotations

import datetime as dt
import time

from s3env.shim.boto3 import storage
from s3env.shim.boto3.context import Context
from s3env.shim.boto3.errors import ShimError, message_of, request_errors
from s3env.shim.boto3.flags import Flag, full_command, parse_flags
from s3env.shim.boto3.gofmt import DATE_FORMAT, go_time_json, humanize_bytes
from s3env.shim.boto3.printer import Printer
from s3env.shim.boto3.storage import Object
from s3env.shim.boto3.urls import VERSIONS_NEED_REMOTE, ObjectURL
from s3env.shim.boto3.wildcard import compile_patterns, url_matched

FLAGS: tuple[Flag, ...] = (
    Flag("etag", "bool", ("e",)),
    Flag("humanize", "bool", ("H",)),
    Flag("storage-class", "bool", ("s",)),
    Flag("exclude", "slice"),
    Flag("all-versions", "bool"),
    Flag("show-fullpath", "bool"),
)


def run(ctx: Context, args: list[str]) -> int:
    options, positional = parse_flags(FLAGS, args)
    printer = Printer(ctx, "ls", full_command("ls", options, positional))
    if len(positional) > 1:
        printer.error("expected only 1 argument")
        return 1
    try:
        url = ObjectURL(positional[0] if positional else "")
    except ShimError as exc:
        printer.error(exc.message)
        return 1
    all_versions = options.bool("all-versions")
    if all_versions and not url.is_remote():
        printer.error(VERSIONS_NEED_REMOTE)
        return 1
    if not positional:
        return _list_buckets(ctx, printer)
    excludes = compile_patterns(options.list("exclude"))
    status = 0
    # s5cmd's ls and du never follow links in a local walk; --version-id is not ls's flag
    for obj in storage.list_objects(ctx, url, follow=False, all_versions=all_versions):
        if ctx.reader_went_away:
            return 1
        if obj.err is not None:
            printer.error(obj.err.message)
            status = 1
            continue
        assert obj.url is not None
        if url_matched(excludes, obj.url.path, url.prefix):
            continue
        text = _line(
            obj,
            options.bool("etag"),
            options.bool("humanize"),
            options.bool("storage-class"),
            options.bool("show-fullpath"),
        )
        printer.line(text, obj.to_json())  # no version id in the JSON, even from --all-versions
    return status


def _line(obj: Object, show_etag: bool, humanize: bool, show_class: bool, fullpath: bool) -> str:
    assert obj.url is not None
    if fullpath:
        return obj.url.absolute()
    etag_width = 38 if show_etag else 1
    path = obj.url.relative()
    if obj.is_dir:
        return f"{'':>19} {'':>2} {'':<{etag_width}} {'DIR':>12}  {path}"
    if obj.mtime_ns is None:
        date = ""
    elif obj.is_local:  # s5cmd formats a file's ModTime as it is: local
        date = time.strftime(DATE_FORMAT, time.localtime(obj.mtime_ns // 1_000_000_000))
    else:
        date = obj.modified.strftime(DATE_FORMAT)  # type: ignore[union-attr]
    cls = obj.storage_class if show_class else ""
    etag = obj.etag if show_etag else ""
    size = humanize_bytes(obj.size) if humanize else str(obj.size)
    if obj.version_id:
        return f"{date:>19} {cls:>2} {etag:<{etag_width}} {size:>12}  {path:<50} {obj.version_id}"
    return f"{date:>19} {cls:>2} {etag:<{etag_width}} {size:>12}  {path}"


def _list_buckets(ctx: Context, printer: Printer) -> int:
    try:
        buckets = storage.s3.list_buckets(ctx)
    except request_errors() as exc:
        printer.error(message_of(exc))
        return 1
    for bucket in buckets:
        created = bucket.get("CreationDate")
        name = bucket.get("Name", "")
        created_utc = created.astimezone(dt.UTC) if created else dt.datetime(1, 1, 1)
        printer.line(
            f"{created_utc.strftime(DATE_FORMAT)}  s3://{name}",
            {"created_at": go_time_json(created) if created else "0001-01-01T00:00:00Z", "name": name},
        )
    return 0
