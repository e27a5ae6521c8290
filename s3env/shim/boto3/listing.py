"""s5cmd's ``ls``, ``du``, ``cat``, ``head``, ``mb`` and ``rb`` on boto3, output byte for byte.

Ported from s5cmd v2.3.0 (``command/{ls,du,cat,head,mb,rb}.go``, ``storage/s3.go``,
``log/message.go``, ``strutil/strutil.go``).  Points worth knowing, all s5cmd's own:

- object times are printed in UTC (s5cmd calls ``.UTC()`` on them), bucket times as parsed;
- errors name the *full* command (``ls --etag=true s3://b/k``), quoted as Go's ``%q`` does;
- S3 errors read ``Code: Message status code: N, request id: R, host id: H``;
- ``du`` without ``--group`` prints its summary and exits 0 even after an error;
- ``du s3://bucket`` (no wildcard) counts one level only, like ``ls``.
"""

from __future__ import annotations

import datetime as dt
import functools
import http
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from s3env.shim.boto3.context import Context
from s3env.shim.boto3.flags import Flag, Options, full_command, parse_flags
from s3env.shim.boto3.gofmt import go_json, go_quote
from s3env.shim.boto3.urls import (
    VERSIONS_COMBINED,
    VERSIONS_NEED_REMOTE,
    ObjectURL,
    UrlError,
    version_arg,
    wildcard_to_regex,
)

DATE_FORMAT = "%Y/%m/%d %H:%M:%S"
CHUNK = 1 << 20

# ---- s5cmd's output helpers ---------------------------------------------------------------


def go_time_json(moment: dt.datetime) -> str:
    """Go ``time.Time`` in JSON (RFC 3339 with trailing-zero-free nanoseconds), UTC as ``Z``."""
    moment = moment.astimezone(dt.UTC)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += "." + f"{moment.microsecond:06d}".rstrip("0")
    return text + "Z"


def go_local_time_json(mtime_ns: int) -> str:
    """Go ``time.Time`` in JSON for a local file's ModTime: local time, nanoseconds without
    trailing zeros, ``Z`` or the offset."""
    seconds, fraction = divmod(mtime_ns, 1_000_000_000)
    moment = time.localtime(seconds)
    text = time.strftime("%Y-%m-%dT%H:%M:%S", moment)
    if fraction:
        text += "." + f"{fraction:09d}".rstrip("0")
    offset = moment.tm_gmtoff
    if not offset:
        return text + "Z"
    sign = "+" if offset > 0 else "-"
    hours, minutes = divmod(abs(offset) // 60, 60)
    return f"{text}{sign}{hours:02d}:{minutes:02d}"


def humanize_bytes(size: int) -> str:
    """s5cmd ``strutil.HumanizeBytes``."""
    suffix, div = "", 0
    for name, divisor in (("K", 1 << 10), ("M", 1 << 20), ("G", 1 << 30), ("T", 1 << 40)):
        if size > divisor:
            suffix, div = name, divisor
    if not suffix:
        return str(size)
    return f"{size / div:.1f}{suffix}"


def cleanup_error(message: str) -> str:
    """s5cmd ``cleanupError``: one line."""
    return message.replace("\n", " ").replace("\t", " ").replace("  ", " ").strip()


def aws_error_message(exc: BaseException) -> str:
    """An S3 error as aws-sdk-go v1 words it (``Code: Message\\n\\tstatus code: …``)."""
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return str(exc)
    error = response.get("Error") or {}
    meta = response.get("ResponseMetadata") or {}
    status = int(meta.get("HTTPStatusCode") or 0)
    code = str(error.get("Code") or "")
    message = str(error.get("Message") or "")
    if not code or code.isdigit():  # no error body (HEAD): the SDK uses the status text
        try:
            phrase = http.HTTPStatus(status).phrase
        except ValueError:
            phrase = ""
        code, message = phrase.replace(" ", ""), phrase
    request_id = meta.get("RequestId", "")
    host_id = meta.get("HostId", "")
    return f"{code}: {message}\n\tstatus code: {status}, request id: {request_id}, host id: {host_id}"


def error_code(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return ""
    code = str((response.get("Error") or {}).get("Code") or "")
    status = int((response.get("ResponseMetadata") or {}).get("HTTPStatusCode") or 0)
    if code in ("404", "NotFound") or (not code and status == 404):
        return "NotFound"
    return code


class Printer:
    """Messages and errors as s5cmd's logger prints them (text or ``--json``)."""

    def __init__(self, ctx: Context, op: str, full_command: str) -> None:
        self.ctx = ctx
        self.op = op
        self.full_command = full_command

    def error(self, message: str) -> None:
        message = cleanup_error(message)
        if self.ctx.json:
            line = go_json({"operation": self.op, "command": self.full_command, "error": message})
        else:
            line = f"ERROR {go_quote(self.full_command)}: {message}"
        self.ctx.stderr.write(line.encode("utf-8", "surrogateescape") + b"\n")
        self.ctx.stderr.flush()

    def aws_error(self, exc: BaseException) -> None:
        self.error(aws_error_message(exc))

    def info(self, text: str, obj: dict[str, Any]) -> None:
        self.ctx.out(go_json(obj) if self.ctx.json else text)


def _client_error_types() -> tuple[type[BaseException], ...]:
    from botocore.exceptions import BotoCoreError, ClientError

    from s3env.shim.boto3.proxy import ProxyRefusedError

    return (ClientError, BotoCoreError, ProxyRefusedError)


Setup = tuple[Options, list[str], "Printer"]


def _setup(ctx: Context, op: str, flags: tuple[Flag, ...], args: list[str]) -> Setup:
    options, positional = parse_flags(flags, args)  # UsageError: Boto3Backend.run prints it
    return options, positional, Printer(ctx, op, full_command(op, options, positional))


def _quiet_broken_pipe(command: Callable[[Context, list[str]], int]) -> Callable[[Context, list[str]], int]:
    """A closed stdout (``… | head``) ends the command with status 1 and no error line (the CLI's
    process then dies of SIGPIPE, as s5cmd's does: ``Context.reader_gone``)."""

    @functools.wraps(command)
    def run(ctx: Context, args: list[str]) -> int:
        try:
            return command(ctx, args)
        except BrokenPipeError:
            ctx.reader_gone()
            return 1

    return run


# ---- listing --------------------------------------------------------------------------------


@dataclass
class Entry:
    url: str  # absolute
    relative: str
    key: str
    is_dir: bool
    etag: str = ""
    modified: dt.datetime | None = None
    size: int = 0
    storage_class: str = ""
    error: BaseException | str | None = None
    version_id: str = ""  # only from list_object_versions
    local_mtime_ns: int | None = None  # a local file's: shown in local time, to the nanosecond


def list_objects(ctx: Context, url: ObjectURL) -> Iterator[Entry]:
    """s5cmd ``listObjectsV2``: common prefixes then contents, page by page, filtered by the
    URL's pattern; an error entry on failure, ``no object found`` when nothing matched."""

    def contents(page: dict[str, Any]) -> list[tuple[dict[str, Any], bool]]:
        return [(item, False) for item in page.get("Contents") or []]

    return _list(ctx, url, "list_objects_v2", contents)


def list_object_versions(ctx: Context, url: ObjectURL, version_id: str = "") -> Iterator[Entry]:
    """s5cmd ``listObjectVersions`` (``--all-versions``, ``--version-id``): per page, common
    prefixes, then the versions, then the delete markers (size 0, no ETag), each filtered by the
    URL's pattern and, given ``version_id``, by that version."""

    def versions_then_markers(page: dict[str, Any]) -> list[tuple[dict[str, Any], bool]]:
        versions = [(item, False) for item in page.get("Versions") or []]
        return versions + [(item, True) for item in page.get("DeleteMarkers") or []]

    return _list(ctx, url, "list_object_versions", versions_then_markers, version_id)


def _list(
    ctx: Context,
    url: ObjectURL,
    operation: str,
    objects_of: Callable[[dict[str, Any]], list[tuple[dict[str, Any], bool]]],
    version_id: str = "",
) -> Iterator[Entry]:
    """One paginated listing as s5cmd walks it: ``objects_of(page)`` gives (item, is a delete
    marker) pairs."""
    params: dict[str, Any] = {"Bucket": url.bucket, "Prefix": url.prefix}
    if url.delimiter:
        params["Delimiter"] = url.delimiter
    found = False
    now: dt.datetime | None = None
    bucket = f"s3://{url.bucket}/"
    try:
        for page in ctx.client.get_paginator(operation).paginate(**params):
            for common in page.get("CommonPrefixes") or []:
                prefix = common.get("Prefix", "")
                relative = None if url.raw else url.relative_for(prefix)
                if relative is None:
                    continue
                yield Entry(bucket + prefix, relative, prefix, True)
                found = True
            if now is None:
                now = dt.datetime.now(dt.UTC)
            for item, is_marker in objects_of(page):
                key = item.get("Key", "")
                relative = None if url.raw else url.relative_for(key)
                if relative is None:
                    continue
                version = item.get("VersionId") or ""
                if version_id and version != version_id:
                    continue
                modified = item.get("LastModified")
                if modified is not None and modified > now:  # s5cmd skips objects newer than the listing
                    found = True
                    continue
                yield Entry(
                    bucket + key,
                    relative,
                    key,
                    key.endswith("/"),
                    etag="" if is_marker else (item.get("ETag") or "").strip('"'),
                    modified=modified,
                    size=0 if is_marker else int(item.get("Size") or 0),
                    storage_class="" if is_marker else item.get("StorageClass") or "",
                    version_id=version,
                )
                found = True
    except _client_error_types() as exc:
        yield Entry("", "", "", False, error=exc)
        return
    if not found and not url.is_bucket():
        yield Entry("", "", "", False, error="no object found")


def list_local_entries(url: ObjectURL) -> Iterator[Entry]:
    """s5cmd ``Filesystem.List`` for ``ls``/``du`` of a local path: a glob, whose directories are
    walked whole, or a directory walked, or one file (``transfer.list_local``, which cp's
    uploads use).  As s5cmd's ``ls``/``du``, the walks do not follow links."""
    from s3env.shim.boto3.transfer import list_local

    for obj in list_local(url, follow=False):
        if obj.err is not None or obj.url is None:
            yield Entry("", "", "", False, error=obj.err.message if obj.err else "no object found")
            continue
        path = obj.url.absolute()
        yield Entry(
            path, obj.url.relative(), obj.url.path, obj.is_dir, size=obj.size, local_mtime_ns=obj.mtime_ns
        )


def _entries(ctx: Context, url: ObjectURL, all_versions: bool, version_id: str = "") -> Iterator[Entry]:
    """What ``ls`` and ``du`` walk, as s5cmd's ``storage.List`` picks it: local files, versions
    (``--all-versions``, ``--version-id``), or objects."""
    if not url.is_remote():
        return list_local_entries(url)  # --version-id is ignored there, as by s5cmd
    if all_versions or version_id:
        return list_object_versions(ctx, url, version_id)
    return list_objects(ctx, url)


def _report(printer: Printer, error: BaseException | str) -> None:
    if isinstance(error, str):
        printer.error(error)
    else:
        printer.aws_error(error)


def _exclude_regexes(patterns: list[str]) -> list[Any]:
    import re

    return [re.compile(wildcard_to_regex(p) + r"\Z", re.S) for p in patterns if p]


def _excluded(regexes: list[Any], path: str, source_prefix: str) -> bool:
    """s5cmd ``isURLMatched``: patterns match the key after the source's prefix (+ '/')."""
    if not regexes:
        return False
    if not source_prefix.endswith("/"):
        source_prefix += "/"
    rest = path.removeprefix(source_prefix)
    return any(r.match(rest) for r in regexes)


def _parse_url(printer: Printer, text: str, **kw: Any) -> ObjectURL | None:
    try:
        return ObjectURL(text, **kw)
    except UrlError as exc:
        printer.error(str(exc))
        return None


LS_FLAGS: tuple[Flag, ...] = (
    Flag("etag", "bool", ("e",)),
    Flag("humanize", "bool", ("H",)),
    Flag("storage-class", "bool", ("s",)),
    Flag("exclude", "slice"),
    Flag("all-versions", "bool"),
    Flag("show-fullpath", "bool"),
)


@_quiet_broken_pipe
def ls(ctx: Context, args: list[str]) -> int:
    flags, positional, printer = _setup(ctx, "ls", LS_FLAGS, args)
    if len(positional) > 1:
        printer.error("expected only 1 argument")
        return 1
    url = _parse_url(printer, positional[0] if positional else "")
    if url is None:
        return 1
    all_versions = flags.bool("all-versions")
    if all_versions and not url.is_remote():
        printer.error(VERSIONS_NEED_REMOTE)
        return 1
    if not positional:
        return _list_buckets(ctx, printer)
    show_etag = flags.bool("etag")
    humanize = flags.bool("humanize")
    show_class = flags.bool("storage-class")
    fullpath = flags.bool("show-fullpath")
    excludes = _exclude_regexes(flags.list("exclude"))
    status = 0
    for entry in _entries(ctx, url, all_versions):
        if entry.error is not None:
            _report(printer, entry.error)
            status = 1
            continue
        if _excluded(excludes, entry.key, url.prefix):
            continue
        printer.info(
            _ls_line(entry, show_etag, humanize, show_class, fullpath),
            _object_json(entry),
        )
    return status


def _ls_line(entry: Entry, show_etag: bool, humanize: bool, show_class: bool, fullpath: bool) -> str:
    if fullpath:
        return entry.url
    etag_width = 38 if show_etag else 1
    if entry.is_dir:
        date, cls, etag, size, path = "", "", "", "DIR", entry.relative
    else:
        if entry.local_mtime_ns is not None:  # s5cmd formats a file's ModTime as it is: local
            date = time.strftime(DATE_FORMAT, time.localtime(entry.local_mtime_ns // 1_000_000_000))
        else:
            date = entry.modified.astimezone(dt.UTC).strftime(DATE_FORMAT) if entry.modified else ""
        cls = entry.storage_class if show_class else ""
        etag = entry.etag if show_etag else ""
        size = humanize_bytes(entry.size) if humanize else str(entry.size)
        path = entry.relative
        if entry.version_id:
            return f"{date:>19} {cls:>2} {etag:<{etag_width}} {size:>12}  {path:<50} {entry.version_id}"
    return f"{date:>19} {cls:>2} {etag:<{etag_width}} {size:>12}  {path}"


def _object_json(entry: Entry) -> dict[str, Any]:
    """s5cmd ``storage.Object`` as JSON (omitempty fields left out; ``type`` always there)."""
    obj: dict[str, Any] = {"key": entry.url}
    if entry.etag:
        obj["etag"] = entry.etag
    if entry.local_mtime_ns is not None:
        obj["last_modified"] = go_local_time_json(entry.local_mtime_ns)
    elif entry.modified is not None:
        obj["last_modified"] = go_time_json(entry.modified)
    obj["type"] = "directory" if entry.is_dir else "file"
    if entry.size:
        obj["size"] = entry.size
    if entry.storage_class:
        obj["storage_class"] = entry.storage_class
    # No version_id, even from --all-versions: s5cmd's ls marshals the object without it.
    return obj


def _list_buckets(ctx: Context, printer: Printer) -> int:
    try:
        response = ctx.client.list_buckets()
    except _client_error_types() as exc:
        printer.aws_error(exc)
        return 1
    for bucket in response.get("Buckets") or []:
        created = bucket.get("CreationDate")
        name = bucket.get("Name", "")
        created_utc = created.astimezone(dt.UTC) if created else dt.datetime(1, 1, 1)
        printer.info(
            f"{created_utc.strftime(DATE_FORMAT)}  s3://{name}",
            {"created_at": go_time_json(created) if created else "0001-01-01T00:00:00Z", "name": name},
        )
    return 0


# ---- du -------------------------------------------------------------------------------------

DU_FLAGS: tuple[Flag, ...] = (
    Flag("group", "bool", ("g",)),
    Flag("humanize", "bool", ("H",)),
    Flag("exclude", "slice"),
    Flag("all-versions", "bool"),
    Flag("version-id", "str"),
)


@_quiet_broken_pipe
def du(ctx: Context, args: list[str]) -> int:
    flags, positional, printer = _setup(ctx, "du", DU_FLAGS, args)
    if len(positional) != 1:
        printer.error("expected only 1 argument")
        return 1
    all_versions, version_id = flags.bool("all-versions"), flags.str("version-id")
    if all_versions and version_id:
        printer.error(VERSIONS_COMBINED)
        return 1
    url = _parse_url(printer, positional[0])
    if url is None:
        return 1
    if all_versions and not url.is_remote():
        printer.error(VERSIONS_NEED_REMOTE)
        return 1
    excludes = _exclude_regexes(flags.list("exclude"))
    humanize = flags.bool("humanize")
    totals: dict[str, list[int]] = {}
    total = [0, 0]
    failed = False
    for entry in _entries(ctx, url, all_versions, version_id):
        if entry.error is None and entry.is_dir:
            continue
        if entry.error is not None:
            _report(printer, entry.error)
            failed = True
            continue
        if _excluded(excludes, entry.key, url.prefix):
            continue
        bucket = totals.setdefault(entry.storage_class, [0, 0])
        bucket[0] += entry.size
        bucket[1] += 1
        total[0] += entry.size
        total[1] += 1
    source = url.absolute()
    if not flags.bool("group"):
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
    obj: dict[str, Any] = {"source": source}
    if storage_class:
        obj["storage_class"] = storage_class
    obj["count"] = count
    obj["size"] = size
    printer.info(f"{shown} bytes in {count} objects: {source}{suffix}", obj)


# ---- cat ------------------------------------------------------------------------------------

CAT_FLAGS: tuple[Flag, ...] = (
    Flag("raw", "bool"),
    Flag("version-id", "str"),
    Flag("concurrency", "int", ("c",)),
    Flag("part-size", "int", ("p",)),
)


@_quiet_broken_pipe
def cat(ctx: Context, args: list[str]) -> int:
    flags, positional, printer = _setup(ctx, "cat", CAT_FLAGS, args)
    if len(positional) != 1:
        printer.error("expected only one argument")
        return 1
    raw = flags.bool("raw")
    version = flags.str("version-id")
    url = _parse_url(printer, positional[0], raw=raw)
    if url is None:
        return 1
    if not url.is_remote():
        printer.error("source must be a remote object")
        return 1
    many = url.is_wildcard() or url.is_prefix() or url.is_bucket()
    if many and version:
        printer.error("wildcard/prefix operations are disabled with --version-id flag")
        return 1
    if many:
        for entry in list_objects(ctx, url):
            if entry.error is not None:
                _report(printer, entry.error)
                return 1
            if entry.is_dir:
                continue
            if not _stream(ctx, printer, url.bucket, entry.key, ""):
                return 1
        return 0
    extra = version_arg(version)
    try:
        ctx.client.head_object(Bucket=url.bucket, Key=url.path, **extra)
    except _client_error_types() as exc:
        if error_code(exc) == "NotFound":
            printer.error(f"given object {url.absolute()} not found")
        else:
            printer.aws_error(exc)
        return 1
    return 0 if _stream(ctx, printer, url.bucket, url.path, version) else 1


def _stream(ctx: Context, printer: Printer, bucket: str, key: str, version: str) -> bool:
    """One object's bytes to stdout, a chunk at a time."""
    extra = version_arg(version)
    try:
        body = ctx.client.get_object(Bucket=bucket, Key=key, **extra)["Body"]
        try:
            for chunk in body.iter_chunks(CHUNK):
                ctx.stdout.write(chunk)
        finally:
            body.close()
        ctx.stdout.flush()
    except _client_error_types() as exc:
        printer.aws_error(exc)
        return False
    except BrokenPipeError:  # the reader went away (`| head`): stop, and die of SIGPIPE as s5cmd
        ctx.reader_gone()
        return False
    return True


# ---- head -----------------------------------------------------------------------------------

HEAD_FLAGS: tuple[Flag, ...] = (Flag("version-id", "str"), Flag("raw", "bool"))


@_quiet_broken_pipe
def head(ctx: Context, args: list[str]) -> int:
    flags, positional, printer = _setup(ctx, "head", HEAD_FLAGS, args)
    if len(positional) > 1:
        printer.error("object or bucket name is required")
        return 1
    raw = flags.bool("raw")
    version = flags.str("version-id")
    url = _parse_url(printer, positional[0] if positional else "", raw=raw)
    if url is None:
        return 1
    if url.is_prefix():
        printer.error("target have to be a object or a bucket")
        return 1
    if not url.is_remote():
        printer.error("target should be remote object or bucket")
        return 1
    if url.is_wildcard():
        printer.error(f"remote source {go_quote(url.absolute())} can not contain glob characters")
        return 1
    if url.is_bucket():
        try:
            ctx.client.head_bucket(Bucket=url.bucket)
        except _client_error_types() as exc:
            printer.aws_error(exc)
            return 1
        message = go_json({"bucket": url.absolute()})
        ctx.out(message)
        return 0
    extra = version_arg(version)
    try:
        response = ctx.client.head_object(Bucket=url.bucket, Key=url.path, **extra)
    except _client_error_types() as exc:
        if error_code(exc) == "NotFound":
            printer.error(f"given object {url.absolute()} not found")
        else:
            printer.aws_error(exc)
        return 1
    obj: dict[str, Any] = {"key": url.absolute()}
    if response.get("ContentType"):
        obj["content_type"] = response["ContentType"]
    if response.get("ServerSideEncryption"):
        obj["server_side_encryption"] = response["ServerSideEncryption"]
    if response.get("LastModified") is not None:
        obj["last_modified"] = go_time_json(response["LastModified"])
    if response.get("ContentLength"):
        obj["size"] = int(response["ContentLength"])
    obj["storage_class"] = response.get("StorageClass") or "STANDARD"
    # s5cmd never fills in version_id here, even with --version-id.
    etag = (response.get("ETag") or "").strip('"')
    if etag:
        obj["etag"] = etag
    metadata = response.get("Metadata") or {}
    obj["metadata"] = {k: metadata[k] for k in sorted(metadata)}  # Go sorts map keys
    ctx.out(go_json(obj))  # the same JSON with and without --json
    return 0


# ---- mb / rb --------------------------------------------------------------------------------


@_quiet_broken_pipe
def mb(ctx: Context, args: list[str]) -> int:
    return _bucket_command(ctx, "mb", args)


@_quiet_broken_pipe
def rb(ctx: Context, args: list[str]) -> int:
    # A non-empty bucket: the server refuses (BucketNotEmpty), as with s5cmd.
    return _bucket_command(ctx, "rb", args)


def _bucket_command(ctx: Context, op: str, args: list[str]) -> int:
    _flags, positional, printer = _setup(ctx, op, (), args)
    if len(positional) != 1:
        printer.error("expected only 1 argument")
        return 1
    url = _parse_url(printer, positional[0])
    if url is None:
        return 1
    if not url.is_bucket():
        printer.error("invalid s3 bucket")
        return 1
    if not ctx.dry_run:
        try:
            if op == "mb":
                ctx.client.create_bucket(Bucket=url.bucket)
            else:
                ctx.client.delete_bucket(Bucket=url.bucket)
        except _client_error_types() as exc:
            printer.aws_error(exc)
            return 1
    printer.info(f"{op} {url.absolute()}", {"operation": op, "success": True, "source": url.absolute()})
    return 0
