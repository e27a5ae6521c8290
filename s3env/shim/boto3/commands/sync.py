"""``sync``: make the destination hold what the source holds (s5cmd ``command/sync.go`` and
``sync_strategy.go``).

Both sides are listed and sorted by relative name, then merged: what is only in the source, or
differs (size, or a newer source; ``--size-only``: size), is copied by a generated
``cp --raw=true SRC DST``; with ``--delete``, what is only in the destination is removed by a
generated ``rm --raw=true …``.  Errors name those generated commands, as s5cmd's do.
"""

from __future__ import annotations

from collections.abc import Iterator

from s3env.shim.boto3 import storage
from s3env.shim.boto3.commands import cp, rm
from s3env.shim.boto3.commands.cp import CopyJob, validate_copy
from s3env.shim.boto3.context import Context
from s3env.shim.boto3.engine.base import Transfer
from s3env.shim.boto3.errors import NoObjectFound, ShimError
from s3env.shim.boto3.expand import non_empty
from s3env.shim.boto3.flags import Flag, Options, full_command, parse_flags
from s3env.shim.boto3.pool import Pool
from s3env.shim.boto3.printer import Printer
from s3env.shim.boto3.progress import ObjectProgress
from s3env.shim.boto3.storage import Object, fs
from s3env.shim.boto3.tasks import blocking
from s3env.shim.boto3.urls import ObjectURL, local_join, local_url
from s3env.shim.boto3.wildcard import compile_patterns, is_excluded

FLAGS: tuple[Flag, ...] = (Flag("delete"), Flag("size-only"), Flag("exit-on-error"), *cp.SHARED_FLAGS)


def run(ctx: Context, args: list[str]) -> int:
    """s5cmd ``Sync.Run``."""
    options, positional = parse_flags(FLAGS, args)
    printer = Printer(ctx, "sync", full_command("sync", options, positional))
    try:
        srcurl, dsturl = validate_copy(positional, options)
        dst_text = positional[1]
        dst_listing = ObjectURL(dst_text + ("*" if dst_text.endswith("/") else "/*"))
    except ShimError as exc:
        printer.error(exc.message)
        return 1
    if srcurl.is_remote() or dsturl.is_remote():
        ctx.client  # noqa: B018 -- made here, not by the first worker
    exit_on_error = options.bool("exit-on-error")
    stop = False

    def should_stop(err: ShimError) -> bool:
        if isinstance(err, NoObjectFound):
            return False
        if err.code in ("AccessDenied", "NoSuchBucket"):
            return True
        return exit_on_error

    follow = not options.bool("no-follow-symlinks")
    sources: list[Object] = []
    for obj in storage.list_objects(ctx, srcurl, follow=follow):
        if obj.err is not None and should_stop(obj.err):
            printer.error(obj.err.message)  # s5cmd prints these twice
            stop = True
        if obj.is_dir:
            continue
        if obj.err is not None:
            printer.error(obj.err.message)
            continue
        assert obj.url is not None
        if obj.on_glacier:
            printer.error(f"object '{obj.url.absolute()}' is on Glacier storage")
            continue
        sources.append(obj)
    destinations: list[Object] = []
    # s5cmd lists the destination without following links
    for obj in storage.list_objects(ctx, dst_listing, follow=False):
        if obj.err is not None and should_stop(obj.err):
            printer.error(obj.err.message)
            stop = True
        if obj.is_dir or obj.err is not None:
            continue
        destinations.append(obj)
    if stop:
        return 1
    is_batch = srcurl.is_wildcard()
    if not is_batch and not srcurl.is_remote():
        try:
            is_batch = fs.stat(srcurl).is_dir
        except ShimError:
            return 1
    copies, only_dest = _compare(sources, destinations, dsturl, is_batch, options.bool("size-only"))
    with ctx.start_progress():
        return _run_jobs(ctx, options, copies, only_dest)


def _relative(obj: Object) -> str:
    assert obj.url is not None
    return obj.url.relative()


def _compare(
    sources: list[Object], destinations: list[Object], dsturl: ObjectURL, is_batch: bool, size_only: bool
) -> tuple[list[tuple[Object, ObjectURL]], list[ObjectURL]]:
    """s5cmd ``compareObjects`` and its strategy: (copies to make: the source as listed and
    its destination, objects only in the destination)."""
    sources.sort(key=_relative)
    destinations.sort(key=_relative)
    copies: list[tuple[Object, ObjectURL]] = []
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
            dst_name = _relative(dst_obj)
        if src_obj is not None and (dst_obj is None or src_name < dst_name):
            assert src_obj.url is not None
            copies.append((src_obj, _destination(src_obj.url, dsturl, is_batch)))
            i += 1
        elif src_obj is not None and dst_obj is not None and src_name == dst_name:
            if _should_sync(src_obj, dst_obj, size_only):
                assert dst_obj.url is not None
                copies.append((src_obj, dst_obj.url))
            i += 1
            j += 1
        else:
            assert dst_obj is not None and dst_obj.url is not None
            only_dest.append(dst_obj.url)
            j += 1
    return copies, only_dest


def _run_jobs(
    ctx: Context, options: Options, copies: list[tuple[Object, ObjectURL]], only_dest: list[ObjectURL]
) -> int:
    cp_options = Options(cp.FLAGS)
    cp_names = {spec.name for spec in cp.FLAGS}
    for name, values in options.values.items():
        if name in cp_names and name != "raw":
            cp_options.values[name] = list(values)
    raw_options = Options(cp.FLAGS)  # as the generated command line shows them
    raw_options.values = {**cp_options.values, "raw": ["true"]}
    exclude = compile_patterns(cp_options.list("exclude"))
    include = compile_patterns(cp_options.list("include"))
    pool = Pool.for_transfers(ctx)
    failures: list[int] = []
    # Both sides are listed: the bar knows its totals before the first copy starts.
    tracked = [(src_obj, dst_item, ctx.progress.found(src_obj.size)) for src_obj, dst_item in copies]
    ctx.progress.walked()
    for src_obj, dst_item, track in tracked:
        assert src_obj.url is not None
        src_raw, dst_raw = _raw(src_obj.url), _raw(dst_item)
        printer = Printer(ctx, "cp", f"cp {src_raw.absolute()} {dst_raw.absolute()}")
        job = CopyJob(ctx, printer, src_raw, dst_raw, cp_options, exclude_prefix="")

        def run_one(job: CopyJob = job, track: ObjectProgress = track) -> Transfer:
            """The ``cp --raw=true SRC DST`` s5cmd generates, run."""
            obj = Object(url=job.src)
            try:
                if not job.src.is_remote():
                    local = fs.stat(job.src)
                    if not job.follow_symlinks and fs.is_symlink(job.src.absolute()):
                        track.dropped()
                        return  # its expandSource yields nothing for a link
                    if not local.is_regular:  # reported before the filters, as by cp
                        generated = full_command("cp", raw_options, [job.src.absolute(), job.dst.absolute()])
                        job.fail(f"object '{job.src.absolute()}' is not a regular file", generated)
                        failures.append(1)
                        track.dropped()
                        return
                    obj = local
            except ShimError as exc:
                job.fail(exc.message)
                failures.append(1)
                track.dropped()
                return
            if is_excluded(obj, exclude, include, ""):
                track.dropped()
                return
            yield from job.task_for(job.src, False, track)()
            if job.failed:
                failures.append(1)

        pool.submit(run_one)
    if options.bool("delete") and only_dest:
        urls = [_raw(u) for u in only_dest]
        rm_options = Options(rm.FLAGS)
        rm_options.values["raw"] = ["true"]
        rm_printer = Printer(ctx, "rm", "rm --raw=true " + " ".join(u.absolute() for u in urls))

        def delete() -> None:
            objects: Iterator[Object] | None = non_empty(Object(url=u) for u in urls)
            if not urls[0].is_remote():
                objects = None  # rm's own expansion: a missing file is skipped, a link too
            if rm.delete(ctx, rm_printer, urls, rm_options, objects=objects):
                failures.append(1)

        def run_rm() -> Transfer:
            yield blocking(delete)  # rm's own pool, waited for

        pool.submit(run_rm)
    pool.wait()
    return 1 if failures else 0


def _raw(url: ObjectURL) -> ObjectURL:
    if url.is_remote():
        return ObjectURL(url.absolute(), raw=True)
    return local_url(url.absolute())


def _destination(srcurl: ObjectURL, dsturl: ObjectURL, is_batch: bool) -> ObjectURL:
    """s5cmd ``generateDestinationURL``: a local destination is always a directory."""
    objname = srcurl.relative() if is_batch else srcurl.base()
    if dsturl.is_remote():
        if dsturl.is_prefix() or dsturl.is_bucket():
            return dsturl.join(objname)
        return ObjectURL(dsturl.absolute(), raw=True)
    return local_join(dsturl, objname)


def _should_sync(src: Object, dst: Object, size_only: bool) -> bool:
    """s5cmd's strategies: size only, or size and modification time (a newer source)."""
    if size_only:
        return src.size != dst.size
    if (src.mtime_ns or 0) > (dst.mtime_ns or 0):
        return True
    return src.size != dst.size
