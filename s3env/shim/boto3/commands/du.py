"""``du``: the size and count of what a URL names (s5cmd ``command/du.go``).

Without ``--group`` it prints its summary and exits 0 even after a listing error, as s5cmd;
``du s3://bucket`` (no wildcard) counts one level only, like ``ls``.
"""

from __future__ import annotations

from typing import Any

from s3env.shim.boto3 import storage
from s3env.shim.boto3.context import Context
from s3env.shim.boto3.errors import ShimError
from s3env.shim.boto3.flags import Flag, full_command, parse_flags
from s3env.shim.boto3.gofmt import humanize_bytes
from s3env.shim.boto3.printer import Printer
from s3env.shim.boto3.urls import VERSIONS_COMBINED, VERSIONS_NEED_REMOTE, ObjectURL
from s3env.shim.boto3.wildcard import compile_patterns, url_matched

FLAGS: tuple[Flag, ...] = (
    Flag("group", "bool", ("g",)),
    Flag("humanize", "bool", ("H",)),
    Flag("exclude", "slice"),
    Flag("all-versions", "bool"),
    Flag("version-id", "str"),
)


def run(ctx: Context, args: list[str]) -> int:
    options, positional = parse_flags(FLAGS, args)
    printer = Printer(ctx, "du", full_command("du", options, positional))
    if len(positional) != 1:
        printer.error("expected only 1 argument")
        return 1
    all_versions, version_id = options.bool("all-versions"), options.str("version-id")
    if all_versions and version_id:
        printer.error(VERSIONS_COMBINED)
        return 1
    try:
        url = ObjectURL(positional[0])
    except ShimError as exc:
        printer.error(exc.message)
        return 1
    if all_versions and not url.is_remote():
        printer.error(VERSIONS_NEED_REMOTE)
        return 1
    excludes = compile_patterns(options.list("exclude"))
    humanize = options.bool("humanize")
    totals: dict[str, list[int]] = {}
    total = [0, 0]
    failed = False
    objects = storage.list_objects(ctx, url, follow=False, all_versions=all_versions, version_id=version_id)
    for obj in objects:
        if obj.err is not None:
            printer.error(obj.err.message)
            failed = True
            continue
        assert obj.url is not None
        if obj.is_dir or url_matched(excludes, obj.url.path, url.prefix):
            continue
        counts = totals.setdefault(obj.storage_class, [0, 0])
        counts[0] += obj.size
        counts[1] += 1
        total[0] += obj.size
        total[1] += 1
    source = url.absolute()
    if not options.bool("group"):
        _size_message(printer, source, "", total, humanize)
        return 0  # s5cmd returns success here even after a listing error
    # s5cmd iterates a Go map here, so its order of storage classes is random.
    for storage_class, counts in totals.items():
        _size_message(printer, source, storage_class, counts, humanize)
    return 1 if failed else 0


def _size_message(
    printer: Printer, source: str, storage_class: str, counts: list[int], humanize: bool
) -> None:
    size, count = counts
    shown = humanize_bytes(size) if humanize else str(size)
    suffix = f" [{storage_class}]" if storage_class else ""
    message: dict[str, Any] = {"source": source}
    if storage_class:
        message["storage_class"] = storage_class
    message["count"] = count
    message["size"] = size
    printer.line(f"{shown} bytes in {count} objects: {source}{suffix}", message)
