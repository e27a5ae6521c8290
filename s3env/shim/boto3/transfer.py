"""``cp``, ``mv``, ``rm`` and ``sync`` in pure boto3, ported from s5cmd v2.3.0.

The reference is s5cmd's ``command/cp.go``, ``mv.go``, ``rm.go``, ``sync.go``,
``sync_strategy.go``, ``expand.go``, ``wildcard.go`` and ``storage/{s3,fs}.go``: which objects a
source names, where each one lands, what is printed (``cp SRC DST`` lines or ``--json`` objects),
which errors are printed as ``ERROR "FULL COMMAND": message`` and which exit status follows.

Engineering: a bounded thread pool (``ctx.numworkers``) runs one task per object; uploads go
through ``multipart.Upload`` (one PUT up to the part size, else parallel parts read from the
open file as they are sent), downloads through ``ranged.RangedDownload`` (parallel ranged GETs
written in place); nothing is read whole into memory.  A download is written to a temporary
file beside its destination and renamed when complete.  Every step stops at an interrupt
(cancel.py): nothing is renamed, printed or sent after it.

Local sources as s5cmd takes them: ``--no-follow-symlinks`` skips the links a directory walk
meets and a link named as the source (a glob's own matches are taken as they are); ``rm``,
``ls``/``du`` and sync's listing of a local destination never follow links; a FIFO or socket
is "not a regular file", and is never opened (``open_source_file`` opens with ``O_NONBLOCK``
and checks again, should one take a file's place after the listing).
"""

from __future__ import annotations

import contextlib
import errno
import os
import posixpath
import re
import stat as stat_module
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from s3env.shim.boto3.cancel import Cancelled
from s3env.shim.boto3.context import Context, go_request_url
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

MEGABYTES = 1024 * 1024
DELETE_OBJECTS_MAX = 1000

# ---- each command's flags (parsed by flags.py) ---------------------------------------------


SHARED_FLAGS: tuple[Flag, ...] = (
    Flag("no-follow-symlinks"),
    Flag("storage-class", "str"),
    Flag("concurrency", "int", ("c",)),
    Flag("part-size", "int", ("p",)),
    Flag("metadata", "map"),
    Flag("metadata-directive", "str"),
    Flag("sse", "str"),
    Flag("sse-kms-key-id", "str"),
    Flag("acl", "str"),
    Flag("cache-control", "str"),
    Flag("expires", "str"),
    Flag("force-glacier-transfer"),
    Flag("ignore-glacier-warnings"),
    Flag("source-region", "str"),
    Flag("destination-region", "str"),
    Flag("exclude", "slice"),
    Flag("include", "slice"),
    Flag("raw"),
    Flag("content-type", "str"),
    Flag("content-encoding", "str"),
    Flag("content-disposition", "str"),
    Flag("no-such-upload-retry-count", "int"),
)
COPY_FLAGS: tuple[Flag, ...] = (
    Flag("flatten", aliases=("f",)),
    Flag("no-clobber", aliases=("n",)),
    Flag("if-size-differ", aliases=("s",)),
    Flag("if-source-newer", aliases=("u",)),
    Flag("version-id", "str"),
    Flag("show-progress", aliases=("sp",)),
    *SHARED_FLAGS,
)
SYNC_FLAGS: tuple[Flag, ...] = (Flag("delete"), Flag("size-only"), Flag("exit-on-error"), *SHARED_FLAGS)
RM_FLAGS: tuple[Flag, ...] = (
    Flag("raw"),
    Flag("exclude", "slice"),
    Flag("include", "slice"),
    Flag("all-versions"),
    Flag("version-id", "str"),
)


# ---- output in s5cmd's formats --------------------------------------------------------------


def cleanup_error(message: str) -> str:
    """s5cmd ``cleanupError``: one line."""
    message = message.replace("\n", " ").replace("\t", " ").replace("  ", " ")
    return message.strip()


class Printer:
    """Thread-safe s5cmd output: info lines on stdout, ``ERROR "command": message`` on stderr."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.lock = ctx.output_lock  # shared: an interrupt waits for a line being written

    def info(
        self,
        op: str,
        source: str | None,
        destination: str | None,
        obj: dict[str, Any] | None,
        version_id: str = "",
    ) -> None:
        """s5cmd ``InfoMessage``: a source's version id shows only without a destination (rm).
        Once stdout's reader has gone (``| head``), nothing: the process dies of SIGPIPE at the
        end, as s5cmd's does (``Context.reader_gone``)."""
        with self.lock:
            if self.ctx.cancellation.cancelled:  # nothing after an interrupt (cancel.py)
                return
            try:
                self._info(op, source, destination, obj, version_id)
            except BrokenPipeError:
                self.ctx.reader_gone()

    def _info(
        self,
        op: str,
        source: str | None,
        destination: str | None,
        obj: dict[str, Any] | None,
        version_id: str,
    ) -> None:
        if self.ctx.json:
            message: dict[str, Any] = {"operation": op, "success": True}
            if source is not None:
                message["source"] = source
            if destination is not None:
                message["destination"] = destination
            if obj is not None:
                message["object"] = obj
            if destination is None and source is not None and version_id:
                message["version_id"] = version_id
            self.ctx.out(go_json(message))
        elif source is not None and destination is not None:
            self.ctx.out(f"{op} {source} {destination}")
        elif source is not None and version_id:
            self.ctx.out(f"{op} {source:<50} {version_id}")
        else:
            self.ctx.out(f"{op} {destination if destination is not None else source}")

    def error(self, command: str, op: str, message: str) -> None:
        message = cleanup_error(message)
        if self.ctx.json:
            line = go_json({"operation": op, "command": command, "error": message})
        else:
            line = f"ERROR {go_quote(command)}: {message}"
        with self.lock:
            if self.ctx.cancellation.cancelled:
                return
            self.ctx.stderr.write(line.encode("utf-8", "surrogateescape") + b"\n")
            self.ctx.stderr.flush()


def object_json(
    *, key: str | None = None, size: int = 0, storage_class: str = "", etag: str = ""
) -> dict[str, Any]:
    """``storage.Object`` as s5cmd marshals it (zero values omitted; type "file" for mode 0)."""
    obj: dict[str, Any] = {}
    if key:
        obj["key"] = key
    if etag:
        obj["etag"] = etag
    obj["type"] = "file"
    if size:
        obj["size"] = size
    if storage_class:
        obj["storage_class"] = storage_class
    return obj


# ---- errors ----------------------------------------------------------------------------------


class TaskError(Exception):
    """An error with the message s5cmd prints; ``command`` overrides the full command."""

    def __init__(self, message: str, command: str | None = None, code: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.command = command
        self.code = code


class NotFound(TaskError):
    """s5cmd ``ErrGivenObjectNotFound``."""

    def __init__(self, path: str) -> None:
        super().__init__(f"given object {path} not found")


NO_OBJECT_FOUND = "no object found"
_HTTP_TEXT = {
    301: "Moved Permanently",
    304: "Not Modified",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    412: "Precondition Failed",
    416: "Requested Range Not Satisfiable",
    500: "Internal Server Error",
    503: "Service Unavailable",
}
_LAST_REQUEST = threading.local()


def _record_request(request: Any, **_kwargs: Any) -> None:
    _LAST_REQUEST.method = request.method
    _LAST_REQUEST.url = request.url


def go_os_error(op: str, path: str, exc: OSError) -> str:
    """Go's ``*PathError`` text: ``open PATH: no such file or directory``."""
    text = os.strerror(exc.errno) if exc.errno else str(exc)
    return f"{op} {path}: {text[:1].lower()}{text[1:]}"


def aws_error(exc: BaseException) -> TaskError:
    """A botocore error as aws-sdk-go v1 prints it, after s5cmd's ``cleanupError``."""
    from botocore.exceptions import BotoCoreError, ClientError, HTTPClientError
    from botocore.exceptions import ConnectionError as BotoConnectionError

    from s3env.shim.boto3.multipart import FileChangedError

    if isinstance(exc, TaskError):
        return exc
    if isinstance(exc, HTTPClientError) and isinstance(exc.kwargs.get("error"), FileChangedError):
        exc = exc.kwargs["error"]  # raised by the body while it was being sent
    if isinstance(exc, FileChangedError):
        return TaskError(str(exc))
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        meta = exc.response.get("ResponseMetadata", {})
        status = int(meta.get("HTTPStatusCode") or 0)
        code = str(error.get("Code", ""))
        message = str(error.get("Message", ""))
        if code.isdigit():  # a HEAD error has no body: Go uses the status text
            text = _HTTP_TEXT.get(int(code), "")
            code, message = text.replace(" ", ""), text
        request_id = meta.get("RequestId", "")
        host_id = meta.get("HostId", "")
        text = f"{code}: {message}\n\tstatus code: {status}, request id: {request_id}, host id: {host_id}"
        return TaskError(cleanup_error(text), code=code)
    if isinstance(exc, BotoConnectionError):
        method = getattr(_LAST_REQUEST, "method", "GET")
        url = getattr(_LAST_REQUEST, "url", "")
        parts = urlsplit(url)
        go_url = go_request_url(url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        return TaskError(
            f'RequestError: send request failed caused by: {method.title()} "{go_url}": '
            f"dial tcp {host}:{port}: connect: connection refused"
        )
    if isinstance(exc, BotoCoreError):  # before OSError: botocore's ReadTimeoutError is one too
        return TaskError(cleanup_error(str(exc)))
    if isinstance(exc, OSError):
        return TaskError(go_os_error("open", exc.filename or "", exc))
    return TaskError(str(exc))


def is_not_found(exc: BaseException) -> bool:
    from botocore.exceptions import ClientError

    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code")) in ("404", "NotFound", "NoSuchKey")
    return False


# ---- objects and listing ---------------------------------------------------------------------


@dataclass
class Obj:
    url: ObjectURL | None = None
    size: int = 0
    mtime_ns: int = 0
    is_dir: bool = False
    is_regular: bool = True
    storage_class: str = ""
    etag: str = ""
    err: TaskError | None = None


def local_url(path: str, relative: str = "") -> ObjectURL:
    url = ObjectURL(path, raw=True)
    url.relative_path = relative
    return url


def local_join(url: ObjectURL, suffix: str) -> ObjectURL:
    return local_url(go_clean(posixpath.join(url.path, suffix)))


def go_clean(path: str) -> str:
    cleaned = posixpath.normpath(path) if path else "."
    return cleaned[1:] if cleaned.startswith("//") else cleaned


def go_dir(path: str) -> str:
    return go_clean(posixpath.dirname(path) or ".")


def set_relative(path: str, base: ObjectURL) -> str:
    """s5cmd ``SetRelative`` for local paths."""
    base_path = base.absolute()
    if base.is_wildcard():
        loc = min((base_path.index(c) for c in "?*" if c in base_path), default=-1)
        if loc >= 0:
            base_path = base_path[:loc]
    return posixpath.relpath(go_clean(path), go_dir(base_path))


def local_stat(url: ObjectURL) -> Obj:
    path = url.absolute()
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise NotFound(path) from None
    except OSError as exc:
        raise TaskError(go_os_error("stat", path, exc)) from None
    return Obj(
        url=url,
        size=st.st_size,
        mtime_ns=st.st_mtime_ns,
        is_dir=stat_module.S_ISDIR(st.st_mode),
        is_regular=stat_module.S_ISREG(st.st_mode),
    )


def _go_match_regex(pattern: str) -> re.Pattern[str]:
    """Go ``filepath.Match`` on one path element, as a regex."""
    out, i = [], 0
    while i < len(pattern):
        char = pattern[i]
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "\\" and i + 1 < len(pattern):
            i += 1
            out.append(re.escape(pattern[i]))
        elif char == "[":
            end = pattern.find("]", i + 2)
            if end < 0:
                raise TaskError("syntax error in pattern")
            body = pattern[i + 1 : end]
            negate = body.startswith("^")
            body = body[1:] if negate else body
            out.append("[" + ("^" if negate else "") + body.replace("\\", "\\\\") + "]")
            i = end
        else:
            out.append(re.escape(char))
        i += 1
    return re.compile("".join(out) + r"\Z", re.S)


def go_glob(pattern: str) -> list[str]:
    """Go ``filepath.Glob``: ``*`` stops at ``/``, dot files match, results sorted per directory."""
    if not any(c in pattern for c in "*?[\\"):
        return [pattern] if os.path.lexists(pattern) else []
    directory, _, name = pattern.rpartition("/")
    directory = directory + "/" if _ else ""
    if directory == "":
        directory = "."
    elif directory != "/":
        directory = directory[:-1]
    if not any(c in directory for c in "*?[\\"):
        return _glob_in(directory, name)
    matches: list[str] = []
    for found in go_glob(directory):
        matches.extend(_glob_in(found, name))
    return matches


def _glob_in(directory: str, pattern: str) -> list[str]:
    try:
        if not os.path.isdir(directory):
            return []
        names = sorted(os.listdir(directory))
    except OSError:
        return []
    regex = _go_match_regex(pattern)
    return [go_clean(posixpath.join(directory, n)) for n in names if regex.match(n)]


def is_symlink(path: str) -> bool:
    """s5cmd ``ShouldProcessURL``'s test, an ``lstat`` of the path as written (a trailing
    ``/`` makes the system follow a link to a directory)."""
    try:
        return stat_module.S_ISLNK(os.lstat(path).st_mode)
    except OSError:
        return True  # s5cmd: "do not process" when lstat fails


def walk_dir(root: ObjectURL, follow: bool = True) -> Iterator[Obj]:
    """godirwalk as s5cmd's ``walkDir`` drives it: files under ``root``, sorted, relative to
    ``root``.  ``follow``: links to files and directories are followed; otherwise ``root``
    itself is skipped if it is a link, and every link under it too (whatever it points at,
    even nowhere)."""
    if not follow and is_symlink(root.absolute()):
        return
    start = go_clean(root.absolute())

    class _Stop(Exception):
        pass

    def walk(directory: str) -> Iterator[Obj]:
        try:
            names = sorted(os.listdir(directory))
        except OSError as exc:
            yield Obj(err=TaskError(go_os_error("open", directory, exc)))
            raise _Stop from None
        for name in names:
            path = go_clean(posixpath.join(directory, name))
            if follow:
                if os.path.isdir(path):
                    yield from walk(path)
                    continue
            else:
                try:
                    mode = os.lstat(path).st_mode
                except OSError:
                    mode = 0
                if stat_module.S_ISLNK(mode):
                    continue
                if stat_module.S_ISDIR(mode):
                    yield from walk(path)
                    continue
            try:
                obj = local_stat(local_url(path, set_relative(path, root)))
            except TaskError as exc:  # godirwalk stops at the first error
                yield Obj(err=exc)
                raise _Stop from None
            yield obj

    if not follow:  # godirwalk lstats its root when it does not follow links
        try:
            st = os.lstat(start)
        except OSError as exc:
            yield Obj(err=TaskError(go_os_error("lstat", start, exc)))
            return
        if not stat_module.S_ISDIR(st.st_mode):
            yield Obj(err=TaskError(f"cannot Walk non-directory: {start}"))
            return
    with contextlib.suppress(_Stop):
        yield from walk(start)


def list_local(src: ObjectURL, follow: bool = True) -> Iterator[Obj]:
    """s5cmd ``Filesystem.List``: a glob's matches (a matched file is taken as it is, a matched
    directory walked), a directory walked, or one file.  ``follow`` applies to the walks only,
    as in s5cmd."""
    if src.is_wildcard():
        matches = go_glob(src.absolute())
        if not matches:
            yield Obj(err=TaskError(f"no match found for {go_quote(src.absolute())}"))
            return
        for match in matches:
            url = local_url(match, set_relative(match, src))
            try:
                obj = local_stat(url)
            except TaskError as exc:
                yield Obj(err=exc)
                return
            if obj.is_dir:
                yield from walk_dir(url, follow)
            else:
                yield obj
        return
    try:
        obj = local_stat(src)
    except TaskError as exc:
        yield Obj(err=exc)
        return
    if obj.is_dir:
        yield from walk_dir(src, follow)
    else:
        yield obj


def list_remote(ctx: Context, src: ObjectURL) -> Iterator[Obj]:
    """s5cmd ``S3.listObjectsV2``: prefix listing, wildcard filter, objects newer than the
    listing skipped, ``no object found`` when nothing matched."""
    kwargs: dict[str, Any] = {"Bucket": src.bucket, "Prefix": src.prefix}
    if src.delimiter:
        kwargs["Delimiter"] = src.delimiter
    found = False
    now: datetime | None = None
    try:
        for page in ctx.client.get_paginator("list_objects_v2").paginate(**kwargs):
            for common in page.get("CommonPrefixes", []):
                prefix = common["Prefix"]
                if src.relative_for(prefix) is None:
                    continue
                found = True
                yield Obj(url=src.with_key(prefix), is_dir=True)
            if now is None:
                now = datetime.now(UTC)
            for item in page.get("Contents", []):
                key = item["Key"]
                if src.relative_for(key) is None:
                    continue
                found = True
                modified = item["LastModified"]
                if modified > now:
                    continue
                yield Obj(
                    url=src.with_key(key),
                    size=item.get("Size", 0),
                    mtime_ns=int(modified.timestamp() * 1_000_000_000),
                    is_dir=key.endswith("/"),
                    storage_class=item.get("StorageClass", "") or "",
                    etag=(item.get("ETag") or "").strip('"'),
                )
    except Exception as exc:
        yield Obj(err=aws_error(exc))
        return
    if not found and not src.is_bucket():
        yield Obj(err=TaskError(NO_OBJECT_FOUND))


def remote_stat(ctx: Context, url: ObjectURL) -> Obj:
    try:
        head = ctx.client.head_object(Bucket=url.bucket, Key=url.path, **version_arg(url.version_id))
    except Exception as exc:
        if is_not_found(exc):
            raise NotFound(url.absolute()) from None
        raise aws_error(exc) from None
    modified = head["LastModified"]
    return Obj(
        url=url,
        size=head.get("ContentLength", 0),
        mtime_ns=int(modified.timestamp() * 1_000_000_000),
        etag=(head.get("ETag") or "").strip('"'),
    )


def stat_url(ctx: Context, url: ObjectURL) -> Obj:
    return remote_stat(ctx, url) if url.is_remote() else local_stat(url)


def expand_source(ctx: Context, src: ObjectURL, follow: bool = True) -> Iterator[Obj]:
    """s5cmd ``expandSource``; raises for a local source that cannot be stat'ed.  One local
    file comes with its type (a FIFO or socket is refused by the caller, never opened); with
    ``follow`` false, a link named as the source is skipped."""
    local: Obj | None = None
    if not src.is_wildcard() and not src.is_remote():
        local = local_stat(src)
    if src.is_wildcard() or src.all_versions or (local is not None and local.is_dir):
        if not src.is_remote():
            return list_local(src, follow)
        return list_remote_versions(ctx, src) if src.all_versions or src.version_id else list_remote(ctx, src)
    if local is not None:
        if not follow and is_symlink(src.absolute()):
            return iter([])
        return iter([Obj(url=src, size=local.size, is_regular=local.is_regular)])
    return iter([Obj(url=src)])


def list_remote_versions(ctx: Context, src: ObjectURL) -> Iterator[Obj]:
    """s5cmd ``S3.listObjectVersions`` as a source: every version (and delete marker) that
    matches, or only ``src.version_id``; each object's URL carries its version id."""
    from s3env.shim.boto3.listing import list_object_versions

    for entry in list_object_versions(ctx, src, src.version_id):
        if entry.error is not None:
            error = entry.error
            yield Obj(err=TaskError(error) if isinstance(error, str) else aws_error(error))
            continue
        url = src.with_key(entry.key)
        url.version_id = entry.version_id
        modified = entry.modified
        yield Obj(
            url=url,
            size=entry.size,
            mtime_ns=int(modified.timestamp() * 1_000_000_000) if modified else 0,
            is_dir=entry.is_dir,
            storage_class=entry.storage_class,
            etag=entry.etag,
        )


# ---- include / exclude -----------------------------------------------------------------------


def compile_patterns(wildcards: list[str]) -> list[re.Pattern[str]]:
    return [re.compile(wildcard_to_regex(w) + r"\Z", re.S) for w in wildcards if w]


def _url_matched(patterns: list[re.Pattern[str]], path: str, prefix: str) -> bool:
    if not patterns:
        return False
    if not prefix.endswith("/"):
        prefix += "/"
    trimmed = path[len(prefix) :] if path.startswith(prefix) else path
    return any(p.match(trimmed) for p in patterns)


def is_excluded(
    obj: Obj, exclude: list[re.Pattern[str]], include: list[re.Pattern[str]], prefix: str
) -> bool:
    assert obj.url is not None
    if exclude and _url_matched(exclude, obj.url.path, prefix):
        return True
    if include:
        return not _url_matched(include, obj.url.path, prefix)
    return False


def source_prefix(url: ObjectURL) -> str:
    """Go's ``URL.Prefix``: empty for a raw URL."""
    return "" if url.raw else url.prefix


# ---- content type, as Go's mime.TypeByExtension and http.DetectContentType ----------------

_GO_BUILTIN_TYPES = {
    ".avif": "image/avif",
    ".css": "text/css; charset=utf-8",
    ".gif": "image/gif",
    ".htm": "text/html; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".jpeg": "image/jpeg",
    ".jpg": "image/jpeg",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".mjs": "text/javascript; charset=utf-8",
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".wasm": "application/wasm",
    ".webp": "image/webp",
    ".xml": "text/xml; charset=utf-8",
}
_MIME_FILES = (
    "/etc/mime.types",
    "/etc/apache2/mime.types",
    "/etc/apache/mime.types",
    "/etc/httpd/conf/mime.types",
)
_MIME_TYPES: dict[str, str] | None = None
_MIME_LOCK = threading.Lock()


def _with_charset(mime_type: str) -> str:
    if mime_type.startswith("text/") and "charset" not in mime_type:
        return mime_type + "; charset=utf-8"
    return mime_type


def _load_mime_types() -> dict[str, str]:
    """Go ``mime`` on Unix: the built-in table, then freedesktop globs2 (first entry wins, the
    table kept) or else the mime.types files (which override the table)."""
    types = dict(_GO_BUILTIN_TYPES)
    for globs in ("/usr/local/share/mime/globs2", "/usr/share/mime/globs2"):
        try:
            with open(globs, encoding="utf-8", errors="replace") as handle:
                lines = handle.read().splitlines()
        except OSError:
            continue
        for line in lines:
            if line.startswith("#"):
                continue
            fields = line.split(":")
            if len(fields) < 3 or len(fields[0]) < 1 or len(fields[2]) < 3:
                continue
            if fields[0] == "__NOGLOBS__" or fields[1] == "__NOGLOBS__":
                continue
            if not fields[2].startswith("*."):
                continue
            extension = fields[2][1:]
            if any(c in extension for c in "?*["):
                continue
            if extension in types:
                continue
            types[extension] = _with_charset(fields[1])
        return types
    for path in (
        "/etc/mime.types",
        "/etc/apache2/mime.types",
        "/etc/apache/mime.types",
        "/etc/httpd/conf/mime.types",
    ):
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                lines = handle.read().splitlines()
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) <= 1 or fields[0].startswith("#"):
                continue
            for ext in fields[1:]:
                if ext.startswith("#"):
                    break
                types["." + ext] = _with_charset(fields[0])
    return types


def go_ext(path: str) -> str:
    for i in range(len(path) - 1, -1, -1):
        if path[i] == "/":
            break
        if path[i] == ".":
            return path[i:]
    return ""


def type_by_extension(ext: str) -> str:
    global _MIME_TYPES
    with _MIME_LOCK:
        if _MIME_TYPES is None:
            _MIME_TYPES = _load_mime_types()
    if not ext:
        return ""
    return _MIME_TYPES.get(ext) or _MIME_TYPES.get(ext.lower(), "")


_SNIFF_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"%!PS-Adobe-", "application/postscript"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"BM", "image/bmp"),
    (b"\x00\x00\x01\x00", "image/x-icon"),
    (b"\x00\x00\x02\x00", "image/x-icon"),
    (b"OggS\x00", "application/ogg"),
    (b"PK\x03\x04", "application/zip"),
    (b"\x1f\x8b\x08", "application/x-gzip"),
    (b"Rar!\x1a\x07\x00", "application/x-rar-compressed"),
    (b"Rar!\x1a\x07\x01\x00", "application/x-rar-compressed"),
    (b"\x00asm", "application/wasm"),
    (b"wOFF", "font/woff"),
    (b"wOF2", "font/woff2"),
    (b"\x1aE\xdf\xa3", "video/webm"),
)
_HTML_TAGS = (
    b"<!DOCTYPE HTML",
    b"<HTML",
    b"<HEAD",
    b"<SCRIPT",
    b"<IFRAME",
    b"<H1",
    b"<DIV",
    b"<FONT",
    b"<TABLE",
    b"<A",
    b"<STYLE",
    b"<TITLE",
    b"<B",
    b"<BODY",
    b"<BR",
    b"<P",
    b"<!--",
)


def detect_content_type(data: bytes) -> str:
    """A subset of Go ``http.DetectContentType`` (WHATWG sniffing)."""
    if data.startswith(b"\xfe\xff"):
        return "text/plain; charset=utf-16be"
    if data.startswith(b"\xff\xfe"):
        return "text/plain; charset=utf-16le"
    if data.startswith(b"\xef\xbb\xbf"):
        return "text/plain; charset=utf-8"
    stripped = data.lstrip(b"\t\n\x0c\r ")
    upper = stripped[:16].upper()
    for tag in _HTML_TAGS:
        if upper.startswith(tag) and len(stripped) > len(tag) and stripped[len(tag)] in b" >":
            return "text/html; charset=utf-8"
    if stripped.startswith(b"<?xml"):
        return "text/xml; charset=utf-8"
    for signature, mime_type in _SNIFF_SIGNATURES:
        if data.startswith(signature):
            return mime_type
    if data[:4] == b"RIFF" and data[8:14] == b"WEBPVP":
        return "image/webp"
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "audio/wave"
    if data[:4] == b"RIFF" and data[8:12] == b"AVI ":
        return "video/avi"
    if data[4:8] == b"ftyp" and len(data) >= 12:
        return "video/mp4"
    if any(b <= 0x08 or b == 0x0B or 0x0E <= b <= 0x1A or 0x1C <= b <= 0x1F for b in data):
        return "application/octet-stream"
    return "text/plain; charset=utf-8"


def guess_content_type(path: str, handle: Any) -> str:
    guessed = type_by_extension(go_ext(path))
    if guessed:
        return guessed
    data = handle.read(512)
    handle.seek(0)
    return detect_content_type(data)


# ---- the worker pool -------------------------------------------------------------------------


class Pool:
    """A bounded thread pool: at most ``2 x workers`` tasks queued, so memory stays flat.

    It belongs to the command's ``Context``: once the command is interrupted, a task not yet
    started does nothing, a task that stops with ``Cancelled`` is no error, and
    ``Context.interrupt`` abandons the queue and waits (``wait_idle``) a moment for the
    running tasks to stop."""

    def __init__(self, ctx: Context, workers: int) -> None:
        self.ctx = ctx
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="s3env-transfer")
        self.slots = threading.BoundedSemaphore(workers * 2)
        self.futures: list[Future[Any]] = []
        self.crashes: list[BaseException] = []
        self.running = 0
        self.idle = threading.Condition()
        ctx.pools.append(self)

    def submit(self, fn: Callable[[], Any]) -> None:
        self.slots.acquire()
        cancellation = self.ctx.cancellation

        def run() -> Any:
            with self.idle:
                self.running += 1
            try:
                if cancellation.cancelled:
                    return None
                return fn()
            except Cancelled:
                return None
            except BaseException as exc:  # a bug, not a transfer error: surface it in wait()
                if not cancellation.cancelled:
                    self.crashes.append(exc)
                raise
            finally:
                self.slots.release()
                with self.idle:
                    self.running -= 1
                    self.idle.notify_all()

        self.futures.append(self.executor.submit(run))
        self.futures = [f for f in self.futures if not f.done()] if len(self.futures) > 4096 else self.futures

    def wait(self) -> None:
        self.executor.shutdown(wait=True)
        if self.crashes:
            raise self.crashes[0]

    def abandon(self) -> None:
        """Interrupted: drop the tasks not started; the running ones stop by themselves."""
        self.executor.shutdown(wait=False, cancel_futures=True)

    def wait_idle(self, deadline: float) -> bool:
        """Wait until no task runs, or until ``deadline`` (``time.monotonic``)."""
        import time

        with self.idle:
            while self.running:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.idle.wait(left)
        return True


def _prepare_client(ctx: Context) -> Any:
    client = ctx.client
    if not getattr(client, "_s3env_transfer_hooks", False):
        client.meta.events.register("before-send.s3", _record_request)
        client._s3env_transfer_hooks = True
    return client


# ---- cp / mv ---------------------------------------------------------------------------------


@dataclass
class CopyJob:
    ctx: Context
    printer: Printer
    op: str
    full: str
    src: ObjectURL
    dst: ObjectURL
    options: Options
    delete_source: bool = False
    exclude_prefix: str | None = None
    failed: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def part_size(self) -> int:
        return max(5, self.options.int("part-size", 50)) * MEGABYTES

    @property
    def concurrency(self) -> int:
        return max(1, self.options.int("concurrency", 5))

    def fail(self, command: str, message: str) -> None:
        with self.lock:
            self.failed = True
        self.printer.error(command, self.op, message)

    @property
    def follow_symlinks(self) -> bool:
        return not self.options.bool("no-follow-symlinks")

    def run(self) -> int:
        """s5cmd ``Copy.Run``."""
        ctx, src = self.ctx, self.src
        try:
            objects = expand_source(ctx, src, self.follow_symlinks)
        except TaskError as exc:
            self.fail(self.full, exc.message)
            return 1
        is_batch = src.is_wildcard()
        if not is_batch and not src.is_remote():
            try:
                is_batch = local_stat(src).is_dir
            except TaskError as exc:
                self.fail(self.full, exc.message)
                return 1
        exclude = compile_patterns(self.options.list("exclude"))
        include = compile_patterns(self.options.list("include"))
        prefix = source_prefix(src) if self.exclude_prefix is None else self.exclude_prefix
        pool = Pool(ctx, ctx.numworkers)
        try:
            for obj in objects:
                if obj.is_dir:
                    continue
                if obj.err is not None:
                    self.fail(obj.err.command or self.full, obj.err.message)
                    continue
                assert obj.url is not None
                if not obj.is_regular:
                    self.fail(self.full, f"object '{obj.url.absolute()}' is not a regular file")
                    continue
                if obj.storage_class in ("GLACIER", "DEEP_ARCHIVE") and not self.options.bool(
                    "force-glacier-transfer"
                ):
                    if not self.options.bool("ignore-glacier-warnings"):
                        self.fail(self.full, f"object '{obj.url.absolute()}' is on Glacier storage")
                    continue
                if is_excluded(obj, exclude, include, prefix):
                    continue
                ctx.progress.add_total(obj.size)
                pool.submit(self._task_for(obj.url, is_batch, obj.size))
        except BaseException:
            pool.abandon()  # interrupted: Context.interrupt waits for the workers, not this
            raise
        pool.wait()
        return 1 if self.failed else 0

    def _task_for(self, srcurl: ObjectURL, is_batch: bool, size: int = 0) -> Callable[[], None]:
        dst = self.dst

        def task() -> None:
            if self.ctx.reader_went_away:  # `| head` has closed stdout: s5cmd would be dead now
                return
            flatten = self.options.bool("flatten")
            dsturl: ObjectURL | None = None
            try:
                if srcurl.is_remote() and dst.is_remote():
                    dsturl = prepare_remote_destination(srcurl, dst, flatten, is_batch)
                    self.do_copy(srcurl, dsturl)
                    self.ctx.progress.advance(size)
                elif srcurl.is_remote():
                    try:
                        dsturl = prepare_local_destination(self.ctx, srcurl, dst, flatten, is_batch)
                    except TaskError as exc:
                        self.fail(self.full, exc.message)
                        return
                    self.do_download(srcurl, dsturl)
                else:
                    dsturl = prepare_remote_destination(srcurl, dst, flatten, is_batch)
                    self.do_upload(srcurl, dsturl)
            except Exception as exc:
                error = aws_error(exc)
                target = dsturl.absolute() if dsturl is not None else dst.absolute()
                self.fail(f"{self.op} {srcurl.absolute()} {target}", error.message)

        return task

    # -- the three transfers -----------------------------------------------------------------

    def should_override(self, srcurl: ObjectURL, dsturl: ObjectURL) -> bool:
        """s5cmd ``shouldOverride``: False to skip quietly (a "warning")."""
        no_clobber = self.options.bool("no-clobber")
        size_differ = self.options.bool("if-size-differ")
        source_newer = self.options.bool("if-source-newer")
        if not (no_clobber or size_differ or source_newer):
            return True
        try:
            src_obj: Obj | None = stat_url(self.ctx, srcurl)
        except NotFound:
            src_obj = None
        try:
            dst_obj: Obj | None = stat_url(self.ctx, dsturl)
        except NotFound:
            dst_obj = None
        if dst_obj is None:
            return True
        skip = no_clobber
        if size_differ and src_obj is not None:
            skip = src_obj.size == dst_obj.size
        if source_newer and src_obj is not None:
            skip = not src_obj.mtime_ns > dst_obj.mtime_ns
        return not skip

    def extra_args(self) -> dict[str, Any]:
        options = self.options
        extra: dict[str, Any] = {}
        for flag, arg in (
            ("storage-class", "StorageClass"),
            ("acl", "ACL"),
            ("cache-control", "CacheControl"),
            ("content-encoding", "ContentEncoding"),
            ("content-disposition", "ContentDisposition"),
            ("sse", "ServerSideEncryption"),
        ):
            if options.str(flag):
                extra[arg] = options.str(flag)
        if options.str("sse") and options.str("sse-kms-key-id"):
            extra["SSEKMSKeyId"] = options.str("sse-kms-key-id")
        if options.str("expires"):
            try:
                extra["Expires"] = datetime.fromisoformat(options.str("expires").replace("Z", "+00:00"))
            except ValueError:
                raise TaskError(
                    f'parsing time "{options.str("expires")}" as "2006-01-02T15:04:05Z07:00": cannot parse'
                ) from None
        metadata = {}
        for item in options.list("metadata"):
            key, _, value = item.partition("=")
            metadata[key] = value
        if metadata:
            extra["Metadata"] = metadata
        return extra

    def do_download(self, srcurl: ObjectURL, dsturl: ObjectURL) -> None:
        ctx = self.ctx
        cancellation = ctx.cancellation
        if not self.should_override(srcurl, dsturl):
            return
        size = 0
        if not ctx.dry_run:
            final = dsturl.absolute()
            directory = go_dir(final)
            try:
                # registered: an interrupt removes it, even if this thread is stuck
                fd, temp = cancellation.make_temp(directory, posixpath.basename(final))
            except OSError as exc:
                pattern = posixpath.join(directory, posixpath.basename(final))
                raise TaskError(go_os_error("open", pattern, exc)) from None
            try:
                try:
                    os.fchmod(fd, 0o644)
                    size = self._fetch(srcurl, fd)
                finally:
                    os.close(fd)
            except BaseException:
                cancellation.drop_temp(temp)
                raise
            try:
                # Renamed into place only if the command was not interrupted meanwhile.
                cancellation.commit_temp(temp, final)
            except OSError as exc:
                cancellation.drop_temp(temp)
                text = os.strerror(exc.errno) if exc.errno else str(exc)
                raise TaskError(f"rename {temp} {final}: {text[:1].lower()}{text[1:]}") from None
            except BaseException:
                cancellation.drop_temp(temp)
                raise
            if self.delete_source:
                # After the rename, not before as s5cmd: an interrupt between the two leaves
                # both copies, never neither.  Its error is ignored, as by s5cmd.
                with contextlib.suppress(Exception):
                    ctx.client.delete_object(Bucket=srcurl.bucket, Key=srcurl.path)
        if not self.options.bool("show-progress"):
            self.printer.info(self.op, srcurl.absolute(), dsturl.absolute(), object_json(size=size))

    def _fetch(self, srcurl: ObjectURL, fd: int) -> int:
        """Stream the object into ``fd`` in ranged parts, in parallel past the first (as s5cmd)."""
        from s3env.shim.boto3.ranged import RangedDownload

        download = RangedDownload(
            self.ctx.client,
            srcurl.bucket,
            srcurl.path,
            fd,
            self.part_size,
            self.concurrency,
            on_bytes=self.ctx.progress.advance,
            version_id=srcurl.version_id,
            cancellation=self.ctx.cancellation,
        )
        return download.run()

    def do_upload(self, srcurl: ObjectURL, dsturl: ObjectURL) -> None:
        ctx = self.ctx
        path = srcurl.absolute()
        handle = open_source_file(path)
        with handle:
            if not self.should_override(srcurl, dsturl):
                return
            extra = self.extra_args()
            extra["ContentType"] = self.options.str("content-type") or guess_content_type(path, handle)
            if not ctx.dry_run:
                self._put(handle, path, dsturl, extra)
        size = local_stat(srcurl).size
        if self.delete_source and not ctx.dry_run:
            ctx.cancellation.check()  # nothing more once interrupted
            try:
                os.remove(path)
            except OSError as exc:
                raise TaskError(go_os_error("remove", path, exc)) from None
        if not self.options.bool("show-progress"):
            self.printer.info(
                self.op,
                srcurl.absolute(),
                dsturl.absolute(),
                object_json(size=size, storage_class=self.options.str("storage-class")),
            )

    def _put(self, handle: Any, path: str, dsturl: ObjectURL, extra: dict[str, Any]) -> None:
        """One streamed PUT up to the part size, a multipart upload with parallel parts above it
        (multipart.py): both read from the file opened here, both stop at an interrupt."""
        from s3env.shim.boto3.multipart import Upload

        fd = handle.fileno()
        Upload(
            self.ctx.client,
            dsturl.bucket,
            dsturl.path,
            fd,
            os.fstat(fd).st_size,
            path,
            self.part_size,
            self.concurrency,
            extra,
            self.ctx.cancellation,
            on_bytes=self.ctx.progress.advance,
        ).run()

    def do_copy(self, srcurl: ObjectURL, dsturl: ObjectURL) -> None:
        ctx = self.ctx
        if not self.should_override(srcurl, dsturl):
            return
        if not ctx.dry_run:
            extra = self.extra_args()
            directive = self.options.str("metadata-directive") or "REPLACE"
            extra["MetadataDirective"] = directive
            if self.options.str("content-type"):
                extra["ContentType"] = self.options.str("content-type")
            client = _prepare_client(ctx)
            # Deliberately not s5cmd's encoding of x-amz-copy-source (Go's QueryEscape turns a
            # space into "+", so s5cmd cannot copy such keys): boto3's own percent-encoding.
            client.copy_object(
                Bucket=dsturl.bucket,
                Key=dsturl.path,
                CopySource=copy_source(srcurl),
                **extra,
            )
            if self.delete_source:  # s5cmd's Delete: the key, whatever --version-id said
                client.delete_object(Bucket=srcurl.bucket, Key=srcurl.path)
        self.printer.info(
            self.op,
            srcurl.absolute(),
            dsturl.absolute(),
            object_json(key=dsturl.absolute(), storage_class=self.options.str("storage-class")),
        )


def copy_source(url: ObjectURL) -> dict[str, str]:
    return {"Bucket": url.bucket, "Key": url.path, **version_arg(url.version_id)}


def open_source_file(path: str) -> Any:
    """A local source, opened for its upload without ever blocking: ``O_NONBLOCK`` (a FIFO that
    took the file's place since it was listed opens at once, and is refused), then it must be a
    regular file, as s5cmd's listing requires.  (Links are followed here whatever
    ``--no-follow-symlinks`` says: s5cmd uploads a link matched by a glob's last element.)"""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise TaskError(go_os_error("open", path, exc)) from None
    try:
        if not stat_module.S_ISREG(os.fstat(fd).st_mode):
            raise TaskError(f"object '{path}' is not a regular file")
        if flags & getattr(os, "O_NONBLOCK", 0):
            import fcntl

            fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def prepare_remote_destination(
    srcurl: ObjectURL, dsturl: ObjectURL, flatten: bool, is_batch: bool
) -> ObjectURL:
    objname = srcurl.base()
    if is_batch and not flatten:
        objname = srcurl.relative()
    if dsturl.is_prefix() or dsturl.is_bucket():
        return dsturl.join(objname)
    return dsturl


def _mkdir_all(ctx: Context, path: str) -> None:
    if not ctx.dry_run:
        go_mkdir_all(path)


def go_mkdir_all(path: str) -> None:
    """Go ``os.MkdirAll``, with its error text (the first component that is not a directory)."""
    try:
        st = os.stat(path)
    except OSError:
        st = None
    if st is not None:
        if stat_module.S_ISDIR(st.st_mode):
            return
        raise TaskError(f"mkdir {path}: {os.strerror(errno.ENOTDIR).lower()}")
    i = len(path)
    while i > 0 and path[i - 1] == "/":
        i -= 1
    j = i
    while j > 0 and path[j - 1] != "/":
        j -= 1
    if j > 1:
        go_mkdir_all(path[: j - 1])
    try:
        os.mkdir(path, 0o777)
    except OSError as exc:
        if os.path.isdir(path):
            return
        raise TaskError(go_os_error("mkdir", path, exc)) from None


def prepare_local_destination(
    ctx: Context, srcurl: ObjectURL, dsturl: ObjectURL, flatten: bool, is_batch: bool
) -> ObjectURL:
    """s5cmd ``prepareLocalDestination``, step by step."""
    objname = srcurl.base()
    if is_batch and not flatten:
        objname = srcurl.relative()
    if is_batch:
        _mkdir_all(ctx, dsturl.absolute())
    not_found = False
    obj: Obj | None = None
    try:
        obj = local_stat(dsturl)
    except NotFound:
        not_found = True
    original = dsturl
    if is_batch and not flatten:
        dsturl = local_join(dsturl, objname)
        _mkdir_all(ctx, go_dir(dsturl.absolute()))
    if not_found:
        _mkdir_all(ctx, go_dir(dsturl.absolute()))
        if dsturl.absolute().endswith("/"):
            dsturl = local_join(dsturl, objname)
    elif obj is not None and obj.is_dir:
        dsturl = local_join(original, objname)
    return dsturl


def _parse_url(text: str, raw: bool) -> ObjectURL:
    try:
        return ObjectURL(text, raw=raw)
    except UrlError as exc:
        raise TaskError(str(exc)) from None


def validate_copy(ctx: Context, positional: list[str], options: Options) -> tuple[ObjectURL, ObjectURL]:
    """s5cmd ``validateCopyCommand`` (shared by cp, mv and sync)."""
    if len(positional) != 2:
        raise TaskError("expected source and destination arguments")
    raw = options.bool("raw")
    srcurl = _parse_url(positional[0], raw)
    dsturl = _parse_url(positional[1], raw)
    if dsturl.is_wildcard():
        raise TaskError(f"target {go_quote(positional[1])} can not contain glob characters")
    if srcurl.is_bucket() or srcurl.is_prefix():
        raise TaskError("source argument must contain wildcard character")
    if srcurl.is_wildcard() and dsturl.is_remote() and not dsturl.is_prefix() and not dsturl.is_bucket():
        raise TaskError(f"target {go_quote(dsturl.absolute())} must be a bucket or a prefix")
    srcurl.version_id = options.str("version-id")  # cp and mv have the flag, sync has not
    if srcurl.version_id and not srcurl.is_remote():
        raise TaskError(VERSIONS_NEED_REMOTE)
    if srcurl.is_remote() == dsturl.is_remote():
        if not srcurl.is_remote():
            raise TaskError("local->local copy operations are not permitted")
    elif dsturl.is_remote() and not srcurl.is_wildcard():
        obj = local_stat(srcurl)
        if obj.is_dir and not dsturl.is_bucket() and not dsturl.is_prefix():
            raise TaskError(f"target {go_quote(dsturl.absolute())} must be a bucket or a prefix")
    return srcurl, dsturl


def _copy_command(ctx: Context, op: str, args: list[str], delete_source: bool) -> int:
    options, positional = parse_flags(COPY_FLAGS, args)
    full = full_command(op, options, positional)
    printer = Printer(ctx)
    try:
        srcurl, dsturl = validate_copy(ctx, positional, options)
        if options.str("metadata-directive") and srcurl.is_remote() != dsturl.is_remote():
            raise TaskError(
                "metadata directive is not supported for " + ("download" if srcurl.is_remote() else "upload")
            )
    except TaskError as exc:
        printer.error(full, op, exc.message)
        return 1
    _prepare_client(ctx)
    job = CopyJob(ctx, printer, op, full, srcurl, dsturl, options, delete_source=delete_source)
    with ctx.start_progress(op):
        return job.run()


def cp(ctx: Context, args: list[str]) -> int:
    return _copy_command(ctx, "cp", args, delete_source=False)


def mv(ctx: Context, args: list[str]) -> int:
    return _copy_command(ctx, "mv", args, delete_source=True)


# ---- rm --------------------------------------------------------------------------------------


def rm(ctx: Context, args: list[str]) -> int:
    options, positional = parse_flags(RM_FLAGS, args)
    full = full_command("rm", options, positional)
    printer = Printer(ctx)
    try:
        urls = _validate_rm(positional, options)
    except TaskError as exc:
        printer.error(full, "rm", exc.message)
        return 1
    if urls[0].is_remote():
        _prepare_client(ctx)
    return _delete(ctx, printer, full, urls, options)


def _validate_rm(positional: list[str], options: Options) -> list[ObjectURL]:
    if not positional:
        raise TaskError("expected at least 1 object to remove")
    all_versions, version_id = options.bool("all-versions"), options.str("version-id")
    if all_versions and version_id:
        raise TaskError(VERSIONS_COMBINED)
    if len(positional) > 1 and version_id:
        raise TaskError("version-id flag can only be used with single source object")
    urls = [_parse_url(text, options.bool("raw")) for text in positional]
    for url in urls:
        url.version_id, url.all_versions = version_id, all_versions
        if (version_id or all_versions) and not url.is_remote():
            raise TaskError(VERSIONS_NEED_REMOTE)
    has_remote = has_local = False
    first_bucket = ""
    for i, url in enumerate(urls):
        if url.is_bucket() or url.is_prefix():
            raise TaskError(
                "s3 bucket/prefix cannot be used for delete operations (forgot wildcard character?)"
            )
        if url.is_remote():
            has_remote = True
        else:
            has_local = True
        if has_local and has_remote:
            raise TaskError("arguments cannot have both local and remote sources")
        if i == 0:
            first_bucket = url.bucket
        elif url.bucket != first_bucket:
            raise TaskError("removal of objects with different buckets in a single command is not allowed")
    return urls


def _expand_sources(ctx: Context, urls: list[ObjectURL]) -> Iterator[Obj]:
    """s5cmd ``expandSources``: a missing local file is skipped, ``no object found`` only when
    no source named anything."""
    found = False
    for url in urls:
        try:
            objects = expand_source(ctx, url, follow=False)  # s5cmd's rm never follows links
        except NotFound:
            continue
        except TaskError as exc:
            yield Obj(err=exc)
            continue
        for obj in objects:
            if obj.err is not None and obj.err.message == NO_OBJECT_FOUND:
                continue
            found = True
            yield obj
    if not found:
        yield Obj(err=TaskError(NO_OBJECT_FOUND))


def _delete(
    ctx: Context,
    printer: Printer,
    full: str,
    urls: list[ObjectURL],
    options: Options,
    objects: Iterator[Obj] | None = None,
) -> int:
    """s5cmd ``Delete.Run``: expand, filter, then DeleteObjects in chunks of 1000."""
    exclude = compile_patterns(options.list("exclude"))
    include = compile_patterns(options.list("include"))
    prefix = source_prefix(urls[0])
    failed = False
    targets: list[ObjectURL] = []
    for obj in objects if objects is not None else _expand_sources(ctx, urls):
        if obj.is_dir:
            continue
        if obj.err is not None:
            failed = True
            printer.error(full, "rm", obj.err.message)
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
        printer.error(full, "rm", message)

    if targets and not targets[0].is_remote():
        for url in targets:
            if ctx.cancellation.cancelled:
                break
            if not ctx.dry_run:
                try:
                    os.remove(url.absolute())
                except OSError as exc:
                    error(go_os_error("remove", url.absolute(), exc))
                    continue
            printer.info("rm", url.absolute(), None, None)
        return 1 if outcome["failed"] else 0

    def delete_chunk(bucket: str, chunk: list[ObjectURL]) -> None:
        if ctx.dry_run:
            for url in chunk:
                printer.info("rm", f"s3://{bucket}/{url.path}", None, None, url.version_id)
            return
        objects = [{"Key": u.path, **version_arg(u.version_id)} for u in chunk]
        try:
            response = ctx.client.delete_objects(Bucket=bucket, Delete={"Objects": objects, "Quiet": False})
        except Exception as exc:
            error(aws_error(exc).message)
            return
        for deleted in response.get("Deleted", []):
            version = deleted.get("VersionId") or ""
            printer.info("rm", f"s3://{bucket}/{deleted['Key']}", None, None, version)
        for failure in response.get("Errors", []):
            error(str(failure.get("Message", "")))

    pool = Pool(ctx, min(10, ctx.numworkers))
    for start in range(0, len(targets), DELETE_OBJECTS_MAX):
        chunk = targets[start : start + DELETE_OBJECTS_MAX]
        pool.submit(lambda bucket=chunk[-1].bucket, chunk=chunk: delete_chunk(bucket, chunk))
    pool.wait()
    return 1 if outcome["failed"] else 0


# ---- sync ------------------------------------------------------------------------------------


def sync(ctx: Context, args: list[str]) -> int:
    """s5cmd ``Sync.Run``: list both sides, sort by relative name, merge; copy what is only in
    the source or differs (size, or source newer), remove what is only in the destination."""
    options, positional = parse_flags(SYNC_FLAGS, args)
    full = full_command("sync", options, positional)
    printer = Printer(ctx)
    try:
        srcurl, dsturl = validate_copy(ctx, positional, options)
    except TaskError as exc:
        printer.error(full, "sync", exc.message)
        return 1
    if srcurl.is_remote() or dsturl.is_remote():
        _prepare_client(ctx)
    dst_text = positional[1]
    dst_listing = _parse_url(dst_text + ("*" if dst_text.endswith("/") else "/*"), False)
    exit_on_error = options.bool("exit-on-error")
    stop = False

    def should_stop(err: TaskError) -> bool:
        if err.message == NO_OBJECT_FOUND:
            return False
        if err.code in ("AccessDenied", "NoSuchBucket"):
            return True
        return exit_on_error

    def listing(url: ObjectURL, follow: bool) -> Iterator[Obj]:
        return list_remote(ctx, url) if url.is_remote() else list_local(url, follow)

    sources: list[Obj] = []
    for obj in listing(srcurl, not options.bool("no-follow-symlinks")):
        if obj.err is not None and should_stop(obj.err):
            printer.error(full, "sync", obj.err.message)  # s5cmd prints these twice
            stop = True
        if obj.is_dir:
            continue
        if obj.err is not None:
            printer.error(full, "sync", obj.err.message)
            continue
        if obj.storage_class in ("GLACIER", "DEEP_ARCHIVE"):
            printer.error(
                full, "sync", f"object '{obj.url.absolute() if obj.url else ''}' is on Glacier storage"
            )
            continue
        sources.append(obj)
    destinations: list[Obj] = []
    for obj in listing(dst_listing, False):  # s5cmd lists the destination without following links
        if obj.err is not None and should_stop(obj.err):
            printer.error(full, "sync", obj.err.message)
            stop = True
        if obj.is_dir or obj.err is not None:
            continue
        destinations.append(obj)
    if stop:
        return 1
    is_batch = srcurl.is_wildcard()
    if not is_batch and not srcurl.is_remote():
        try:
            is_batch = local_stat(srcurl).is_dir
        except TaskError:
            return 1

    def relative(obj: Obj) -> str:
        assert obj.url is not None
        return obj.url.relative()

    sources.sort(key=relative)
    destinations.sort(key=relative)
    size_only = options.bool("size-only")
    copies: list[tuple[ObjectURL, ObjectURL]] = []
    only_dest: list[ObjectURL] = []
    i = j = 0
    while i < len(sources) or j < len(destinations):
        src_obj = sources[i] if i < len(sources) else None
        dst_obj = destinations[j] if j < len(destinations) else None
        src_name = dst_name = ""
        if src_obj is not None:
            assert src_obj.url is not None
            src_name = src_obj.url.relative() if is_batch else src_obj.url.base()
        if dst_obj is not None:
            dst_name = relative(dst_obj)
        if src_obj is not None and (dst_obj is None or src_name < dst_name):
            assert src_obj.url is not None
            copies.append((src_obj.url, _sync_destination(src_obj.url, dsturl, is_batch)))
            i += 1
        elif src_obj is not None and dst_obj is not None and src_name == dst_name:
            if _should_sync(src_obj, dst_obj, size_only):
                assert src_obj.url is not None and dst_obj.url is not None
                copies.append((src_obj.url, dst_obj.url))
            i += 1
            j += 1
        else:
            assert dst_obj is not None and dst_obj.url is not None
            only_dest.append(dst_obj.url)
            j += 1

    with ctx.start_progress("sync"):
        return _run_sync_jobs(ctx, printer, options, copies, only_dest)


def _run_sync_jobs(
    ctx: Context,
    printer: Printer,
    options: Options,
    copies: list[tuple[ObjectURL, ObjectURL]],
    only_dest: list[ObjectURL],
) -> int:
    cp_options = Options(COPY_FLAGS)
    cp_names = {spec.name for spec in COPY_FLAGS}
    for name, values in options.values.items():
        if name in cp_names and name != "raw":
            cp_options.values[name] = list(values)
    raw_options = Options(COPY_FLAGS)  # as the generated command line shows them
    raw_options.values = {**cp_options.values, "raw": ["true"]}
    pool = Pool(ctx, ctx.numworkers)
    failures: list[int] = []
    for src_item, dst_item in copies:
        src_raw = _raw(src_item)
        dst_raw = _raw(dst_item)
        job = CopyJob(
            ctx,
            printer,
            "cp",
            f"cp {src_raw.absolute()} {dst_raw.absolute()}",
            src_raw,
            dst_raw,
            cp_options,
            exclude_prefix="",
        )

        def run_one(job: CopyJob = job) -> None:
            """The ``cp --raw=true SRC DST`` s5cmd generates, run."""
            try:
                objects = iter([Obj(url=job.src)])
                if not job.src.is_remote():
                    local = local_stat(job.src)
                    if not job.follow_symlinks and is_symlink(job.src.absolute()):
                        return  # its expandSource yields nothing for a link
                    if not local.is_regular:  # reported before the filters, as by cp
                        generated = full_command("cp", raw_options, [job.src.absolute(), job.dst.absolute()])
                        job.fail(generated, f"object '{job.src.absolute()}' is not a regular file")
                        failures.append(1)
                        return
                    objects = iter([local])
            except TaskError as exc:
                job.fail(job.full, exc.message)
                failures.append(1)
                return
            exclude = compile_patterns(job.options.list("exclude"))
            include = compile_patterns(job.options.list("include"))
            for obj in objects:
                if is_excluded(obj, exclude, include, ""):
                    return
                ctx.progress.add_total(obj.size)
                job._task_for(job.src, False, obj.size)()
            if job.failed:
                failures.append(1)

        pool.submit(run_one)
    if options.bool("delete") and only_dest:
        urls = [_raw(u) for u in only_dest]
        rm_options = Options(RM_FLAGS)
        rm_options.values["raw"] = ["true"]
        rm_full = "rm --raw=true " + " ".join(u.absolute() for u in urls)

        def run_rm() -> None:
            objects: Iterator[Obj] | None = _non_empty(Obj(url=u) for u in urls)
            if not urls[0].is_remote():
                objects = None  # rm's own expansion: a missing file is skipped, a link too
            if _delete(ctx, printer, rm_full, urls, rm_options, objects=objects):
                failures.append(1)

        pool.submit(run_rm)
    pool.wait()
    return 1 if failures else 0


def _non_empty(objects: Iterator[Obj]) -> Iterator[Obj]:
    found = False
    for obj in objects:
        found = True
        yield obj
    if not found:
        yield Obj(err=TaskError(NO_OBJECT_FOUND))


def _raw(url: ObjectURL) -> ObjectURL:
    if url.is_remote():
        return ObjectURL(url.absolute(), raw=True)
    return local_url(url.absolute())


def _sync_destination(srcurl: ObjectURL, dsturl: ObjectURL, is_batch: bool) -> ObjectURL:
    """s5cmd ``generateDestinationURL``: a local destination is always a directory."""
    objname = srcurl.relative() if is_batch else srcurl.base()
    if dsturl.is_remote():
        if dsturl.is_prefix() or dsturl.is_bucket():
            return dsturl.join(objname)
        return ObjectURL(dsturl.absolute(), raw=True)
    return local_join(dsturl, objname)


def _should_sync(src: Obj, dst: Obj, size_only: bool) -> bool:
    if size_only:
        return src.size != dst.size
    if src.mtime_ns > dst.mtime_ns:
        return True
    return src.size != dst.size
