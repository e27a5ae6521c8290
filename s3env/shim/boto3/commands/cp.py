"""``cp``: copy objects and files, uploads, downloads and server-side copies (s5cmd
``command/cp.go``); ``mv`` and ``sync`` run the same jobs.

What a source names (expand.py), where each object lands (``prepare_*_destination``), what is
printed (``cp SRC DST`` lines or ``--json`` objects) and which errors, with the full command
they name, are s5cmd's.  Engineering: a bounded pool (pool.py) runs one task per object;
uploads go through ``multipart.Upload`` (one PUT up to the part size, else parallel parts read
from the open file as they are sent), downloads through ``ranged.RangedDownload`` (parallel
ranged GETs written in place); nothing is read whole into memory.  A download is written to a
temporary file beside its destination and renamed when complete.  Every step stops at an
interrupt (cancel.py): nothing is renamed, printed or sent after it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import posixpath
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from s3env.shim.boto3 import storage
from s3env.shim.boto3.context import Context
from s3env.shim.boto3.engine.base import Transfer
from s3env.shim.boto3.errors import NotFound, ShimError, go_os_error, message_of
from s3env.shim.boto3.expand import expand_source
from s3env.shim.boto3.flags import Flag, Options, full_command, parse_flags
from s3env.shim.boto3.gofmt import go_quote
from s3env.shim.boto3.mimetype import guess_content_type
from s3env.shim.boto3.pool import Pool
from s3env.shim.boto3.printer import Printer
from s3env.shim.boto3.progress import NO_OBJECT, ObjectProgress
from s3env.shim.boto3.storage import Object, fs
from s3env.shim.boto3.tasks import blocking
from s3env.shim.boto3.urls import VERSIONS_NEED_REMOTE, ObjectURL, go_dir, local_join
from s3env.shim.boto3.wildcard import compile_patterns, is_excluded, source_prefix

MEGABYTES = 1024 * 1024

#: the flags cp, mv and sync share (s5cmd ``NewSharedFlags``)
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
FLAGS: tuple[Flag, ...] = (
    Flag("flatten", aliases=("f",)),
    Flag("no-clobber", aliases=("n",)),
    Flag("if-size-differ", aliases=("s",)),
    Flag("if-source-newer", aliases=("u",)),
    Flag("version-id", "str"),
    Flag("show-progress", aliases=("sp",)),
    *SHARED_FLAGS,
)


def run(ctx: Context, args: list[str]) -> int:
    return copy_command(ctx, "cp", args, delete_source=False)


def copy_command(ctx: Context, op: str, args: list[str], delete_source: bool) -> int:
    """``cp`` or (``delete_source``) ``mv``."""
    options, positional = parse_flags(FLAGS, args)
    printer = Printer(ctx, op, full_command(op, options, positional))
    try:
        srcurl, dsturl = validate_copy(positional, options)
        if options.str("metadata-directive") and srcurl.is_remote() != dsturl.is_remote():
            raise ShimError(
                "metadata directive is not supported for " + ("download" if srcurl.is_remote() else "upload")
            )
    except ShimError as exc:
        printer.error(exc.message)
        return 1
    # Made here, not by the first worker: a bad endpoint or engine fails the command at once.
    # The botocore client only where it will serve (its import alone is ~0.1 s): a listing of
    # versions, the HEADs of -n/-s/-u; the CRT engine lists, uploads, downloads and copies
    # without it (the botocore engine makes it with itself).
    if needs_metadata(srcurl, options):
        ctx.client  # noqa: B018 -- the versions' listing, the HEADs'
    ctx.engine  # noqa: B018
    job = CopyJob(ctx, printer, srcurl, dsturl, options, delete_source=delete_source)
    with ctx.start_progress(keep=options.bool("show-progress")):
        return job.run()


def needs_metadata(srcurl: ObjectURL, options: Options) -> bool:
    """Whether botocore serves the command on either engine: a listing of versions, the HEADs
    of -n/-s/-u."""
    skips = ("no-clobber", "if-size-differ", "if-source-newer")
    return bool(srcurl.all_versions) or any(options.bool(flag) for flag in skips)


def validate_copy(positional: list[str], options: Options) -> tuple[ObjectURL, ObjectURL]:
    """s5cmd ``validateCopyCommand`` (shared by cp, mv and sync)."""
    if len(positional) != 2:
        raise ShimError("expected source and destination arguments")
    raw = options.bool("raw")
    srcurl = ObjectURL(positional[0], raw=raw)
    dsturl = ObjectURL(positional[1], raw=raw)
    if dsturl.is_wildcard():
        raise ShimError(f"target {go_quote(positional[1])} can not contain glob characters")
    if srcurl.is_bucket() or srcurl.is_prefix():
        raise ShimError("source argument must contain wildcard character")
    if srcurl.is_wildcard() and dsturl.is_remote() and not dsturl.is_prefix() and not dsturl.is_bucket():
        raise ShimError(f"target {go_quote(dsturl.absolute())} must be a bucket or a prefix")
    srcurl.version_id = options.str("version-id")  # cp and mv have the flag, sync has not
    if srcurl.version_id and not srcurl.is_remote():
        raise ShimError(VERSIONS_NEED_REMOTE)
    if srcurl.is_remote() == dsturl.is_remote():
        if not srcurl.is_remote():
            raise ShimError("local->local copy operations are not permitted")
    elif dsturl.is_remote() and not srcurl.is_wildcard():
        obj = fs.stat(srcurl)
        if obj.is_dir and not dsturl.is_bucket() and not dsturl.is_prefix():
            raise ShimError(f"target {go_quote(dsturl.absolute())} must be a bucket or a prefix")
    return srcurl, dsturl


@dataclass
class CopyJob:
    """One cp/mv command (or one of the ``cp`` commands sync generates): ``printer.command``
    is the full command its errors name."""

    ctx: Context
    printer: Printer
    src: ObjectURL
    dst: ObjectURL
    options: Options
    delete_source: bool = False
    exclude_prefix: str | None = None
    failed: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)
    #: local directories of the destination known to be there (prepare_local_destination)
    local_directories: set[str] = field(default_factory=set)

    @property
    def op(self) -> str:
        return self.printer.op

    @property
    def part_size(self) -> int:
        return max(5, self.options.int("part-size", 50)) * MEGABYTES

    @property
    def concurrency(self) -> int:
        return max(1, self.options.int("concurrency", 5))

    @property
    def follow_symlinks(self) -> bool:
        return not self.options.bool("no-follow-symlinks")

    def fail(self, message: str, command: str | None = None) -> None:
        with self.lock:
            self.failed = True
        self.printer.error(message, command)

    def run(self) -> int:
        """s5cmd ``Copy.Run``."""
        ctx, src = self.ctx, self.src
        try:
            objects = expand_source(ctx, src, self.follow_symlinks)
            is_batch = src.is_wildcard() or (not src.is_remote() and fs.stat(src).is_dir)
        except ShimError as exc:
            self.fail(exc.message)
            return 1
        exclude = compile_patterns(self.options.list("exclude"))
        include = compile_patterns(self.options.list("include"))
        prefix = source_prefix(src) if self.exclude_prefix is None else self.exclude_prefix

        def transferable() -> Iterator[Object]:
            for obj in objects:
                if obj.is_dir:
                    continue
                if obj.err is not None:
                    self.fail(obj.err.message, obj.err.command)
                    continue
                assert obj.url is not None
                if not obj.is_regular:
                    self.fail(f"object '{obj.url.absolute()}' is not a regular file")
                    continue
                if obj.on_glacier and not self.options.bool("force-glacier-transfer"):
                    if not self.options.bool("ignore-glacier-warnings"):
                        self.fail(f"object '{obj.url.absolute()}' is on Glacier storage")
                    continue
                if is_excluded(obj, exclude, include, prefix):
                    continue
                yield obj

        # One object named without a wildcard: its size comes with its first GET (or never,
        # for a server-side copy); a listing's and a file's are known.
        sized = not src.is_remote() or is_batch or bool(src.all_versions)
        progress = ctx.progress
        found: Iterator[Object] = transferable()
        if progress.enabled and not src.is_remote():
            # the whole local walk first, before anything is sent: the bar knows its totals
            tracked = [(obj, progress.found(obj.size)) for obj in found]
            progress.walked()
        else:
            tracked = ((obj, progress.found(obj.size if sized else None)) for obj in found)
        pool = Pool.for_transfers(ctx)
        try:
            for obj, track in tracked:
                assert obj.url is not None
                pool.submit(self.task_for(obj.url, is_batch, track))
            progress.walked()  # an S3 listing: walked to its end only now
        except BaseException:
            pool.abandon()  # interrupted: Context.interrupt waits for the workers, not this
            raise
        pool.wait()
        return 1 if self.failed else 0

    def task_for(
        self, srcurl: ObjectURL, is_batch: bool, track: ObjectProgress = NO_OBJECT
    ) -> Callable[[], Transfer]:
        dst = self.dst

        def task() -> Transfer:
            if self.ctx.reader_went_away:  # `| head` has closed stdout: s5cmd would be dead now
                return
            flatten = self.options.bool("flatten")
            dsturl: ObjectURL | None = None
            transferred = False
            try:
                if srcurl.is_remote() and dst.is_remote():
                    dsturl = prepare_remote_destination(srcurl, dst, flatten, is_batch)
                    transferred = yield from self.do_copy(srcurl, dsturl, track)
                elif srcurl.is_remote():
                    try:
                        dsturl = prepare_local_destination(
                            self.ctx, srcurl, dst, flatten, is_batch, self.local_directories
                        )
                    except ShimError as exc:
                        self.fail(exc.message)
                        return
                    transferred = yield from self.do_download(srcurl, dsturl, track)
                else:
                    dsturl = prepare_remote_destination(srcurl, dst, flatten, is_batch)
                    transferred = yield from self.do_upload(srcurl, dsturl, track)
            except Exception as exc:
                target = dsturl.absolute() if dsturl is not None else dst.absolute()
                self.fail(message_of(exc), f"{self.op} {srcurl.absolute()} {target}")
            finally:
                # skipped (-n, -s, -u) or failed: out of the bar's totals
                if transferred:
                    track.done()
                else:
                    track.dropped()

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
            src_obj: Object | None = storage.stat(self.ctx, srcurl)
        except NotFound:
            src_obj = None
        try:
            dst_obj: Object | None = storage.stat(self.ctx, dsturl)
        except NotFound:
            dst_obj = None
        if dst_obj is None:
            return True
        skip = no_clobber
        if size_differ and src_obj is not None:
            skip = src_obj.size == dst_obj.size
        if source_newer and src_obj is not None:
            skip = not (src_obj.mtime_ns or 0) > (dst_obj.mtime_ns or 0)
        return not skip

    def override(self, srcurl: ObjectURL, dsturl: ObjectURL) -> Transfer:
        """``should_override``, off the command's thread when it asks the server (a task of an
        inline pool must not block: tasks.blocking)."""
        compares = ("no-clobber", "if-size-differ", "if-source-newer")
        if not any(self.options.bool(flag) for flag in compares):
            return True
        return (yield blocking(lambda: self.should_override(srcurl, dsturl)))

    def extra_args(self) -> dict[str, Any]:
        """The object's settings from the flags, as botocore's arguments."""
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
                extra["Expires"] = dt.datetime.fromisoformat(options.str("expires").replace("Z", "+00:00"))
            except ValueError:
                raise ShimError(
                    f'parsing time "{options.str("expires")}" as "2006-01-02T15:04:05Z07:00": cannot parse'
                ) from None
        metadata = {}
        for item in options.list("metadata"):
            key, _, value = item.partition("=")
            metadata[key] = value
        if metadata:
            extra["Metadata"] = metadata
        return extra

    def do_download(
        self, srcurl: ObjectURL, dsturl: ObjectURL, track: ObjectProgress = NO_OBJECT
    ) -> Transfer:
        """Download one object: False if skipped (``should_override``)."""
        ctx = self.ctx
        cancellation = ctx.cancellation
        if not (yield from self.override(srcurl, dsturl)):
            return False
        size = 0
        if not ctx.dry_run:
            final = dsturl.absolute()
            directory = go_dir(final)
            try:
                # registered: an interrupt removes it, even if this thread is stuck
                fd, temp = cancellation.make_temp(directory, posixpath.basename(final))
            except OSError as exc:
                pattern = posixpath.join(directory, posixpath.basename(final))
                raise ShimError(go_os_error("open", pattern, exc)) from None
            try:
                try:
                    os.fchmod(fd, 0o644)
                    size = yield from self._fetch(srcurl, fd, track)
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
                raise ShimError(f"rename {temp} {final}: {text[:1].lower()}{text[1:]}") from None
            except BaseException:
                cancellation.drop_temp(temp)
                raise
            if self.delete_source:
                # After the rename, not before as s5cmd: an interrupt between the two leaves
                # both copies, never neither.  Its error is ignored, as by s5cmd.
                with contextlib.suppress(Exception):
                    yield blocking(lambda: ctx.client.delete_object(Bucket=srcurl.bucket, Key=srcurl.path))
        if not self.options.bool("show-progress"):
            self.printer.transfer(srcurl.absolute(), dsturl.absolute(), Object(size=size))
        return True

    def _fetch(self, srcurl: ObjectURL, fd: int, track: ObjectProgress = NO_OBJECT) -> Transfer:
        """Stream the object into ``fd`` in ranged parts, in parallel past the first (as s5cmd)."""
        return (
            yield from self.ctx.engine.download(
                srcurl.bucket,
                srcurl.path,
                fd,
                self.part_size,
                self.concurrency,
                version_id=srcurl.version_id,
                on_bytes=track.sent,
                on_size=track.sized,
            )
        )

    def do_upload(self, srcurl: ObjectURL, dsturl: ObjectURL, track: ObjectProgress = NO_OBJECT) -> Transfer:
        """Upload one file: False if skipped (``should_override``)."""
        ctx = self.ctx
        path = srcurl.absolute()
        with fs.open_source_file(path) as handle:
            if not (yield from self.override(srcurl, dsturl)):
                return False
            extra = self.extra_args()
            extra["ContentType"] = self.options.str("content-type") or guess_content_type(path, handle.head)
            if not ctx.dry_run:
                yield from self._put(handle, path, dsturl, extra, track)
        # The size sent, as the file was opened (s5cmd stats the path again: the same unless
        # the file changed meanwhile, and then what was sent is the truer answer).
        size = handle.size
        if self.delete_source and not ctx.dry_run:
            ctx.cancellation.check()  # nothing more once interrupted
            fs.remove(path)
        if not self.options.bool("show-progress"):
            obj = Object(size=size, storage_class=self.options.str("storage-class"))
            self.printer.transfer(srcurl.absolute(), dsturl.absolute(), obj)
        return True

    def _put(
        self,
        handle: fs.SourceFile,
        path: str,
        dsturl: ObjectURL,
        extra: dict[str, Any],
        track: ObjectProgress = NO_OBJECT,
    ) -> Transfer:
        """One streamed PUT up to the part size, a multipart upload with parallel parts above it:
        both read from the file opened here, both stop at an interrupt."""
        fd = handle.fileno()
        size = handle.size  # the file as it was opened, not as it was listed
        track.sized(size)
        yield from self.ctx.engine.upload(
            dsturl.bucket,
            dsturl.path,
            fd,
            size,
            path,
            self.part_size,
            self.concurrency,
            extra,
            on_bytes=track.sent,
        )

    def do_copy(self, srcurl: ObjectURL, dsturl: ObjectURL, track: ObjectProgress = NO_OBJECT) -> Transfer:
        """A server-side copy (counted whole when done): False if skipped (``should_override``)."""
        ctx = self.ctx
        if not (yield from self.override(srcurl, dsturl)):
            return False
        if not ctx.dry_run:
            extra = self.extra_args()
            extra["MetadataDirective"] = self.options.str("metadata-directive") or "REPLACE"
            if self.options.str("content-type"):
                extra["ContentType"] = self.options.str("content-type")
            yield from ctx.engine.copy(
                srcurl.bucket, srcurl.path, srcurl.version_id, dsturl.bucket, dsturl.path, extra
            )
            if self.delete_source:  # s5cmd's Delete: the key, whatever --version-id said
                yield blocking(lambda: ctx.client.delete_object(Bucket=srcurl.bucket, Key=srcurl.path))
        obj = Object(url=dsturl, storage_class=self.options.str("storage-class"))
        self.printer.transfer(srcurl.absolute(), dsturl.absolute(), obj)
        return True


# ---- where each object lands ---------------------------------------------------------------


def prepare_remote_destination(
    srcurl: ObjectURL, dsturl: ObjectURL, flatten: bool, is_batch: bool
) -> ObjectURL:
    """s5cmd ``prepareRemoteDestination``."""
    objname = srcurl.base()
    if is_batch and not flatten:
        objname = srcurl.relative()
    if dsturl.is_prefix() or dsturl.is_bucket():
        return dsturl.join(objname)
    return dsturl


def prepare_local_destination(
    ctx: Context,
    srcurl: ObjectURL,
    dsturl: ObjectURL,
    flatten: bool,
    is_batch: bool,
    directories: set[str] | None = None,
) -> ObjectURL:
    """s5cmd ``prepareLocalDestination``, step by step (no directory made on --dry-run).
    ``directories``: the command's directories known to be there (made or seen by an earlier
    object), not asked about again: a thousand objects into one directory made three stats
    each of it."""
    known = directories if directories is not None else set()

    def mkdir_all(path: str) -> None:
        if not ctx.dry_run and path not in known:
            fs.mkdir_all(path)
            known.add(path)

    objname = srcurl.base()
    if is_batch and not flatten:
        objname = srcurl.relative()
    if is_batch:
        mkdir_all(dsturl.absolute())
    not_found = False
    obj: Object | None = None
    try:
        obj = Object(url=dsturl, is_dir=True) if dsturl.absolute() in known else fs.stat(dsturl)
    except NotFound:
        not_found = True
    original = dsturl
    if is_batch and not flatten:
        dsturl = local_join(dsturl, objname)
        mkdir_all(go_dir(dsturl.absolute()))
    if not_found:
        mkdir_all(go_dir(dsturl.absolute()))
        if dsturl.absolute().endswith("/"):
            dsturl = local_join(dsturl, objname)
    elif obj is not None and obj.is_dir:
        dsturl = local_join(original, objname)
    return dsturl
