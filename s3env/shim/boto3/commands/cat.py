"""``cat``: objects' bytes to stdout, a chunk at a time (s5cmd ``command/cat.go``).

One object is HEADed first (a missing one is ``given object … not found``); a prefix, bucket
or pattern streams every matching object in listing order and stops at the first error.
"""

from __future__ import annotations

from s3env.shim.boto3 import storage
from s3env.shim.boto3.context import Context
from s3env.shim.boto3.errors import ShimError, message_of, request_errors
from s3env.shim.boto3.flags import Flag, full_command, parse_flags
from s3env.shim.boto3.printer import Printer
from s3env.shim.boto3.urls import ObjectURL, version_arg

CHUNK = 1 << 20

FLAGS: tuple[Flag, ...] = (
    Flag("raw", "bool"),
    Flag("version-id", "str"),
    Flag("concurrency", "int", ("c",)),
    Flag("part-size", "int", ("p",)),
)


def run(ctx: Context, args: list[str]) -> int:
    options, positional = parse_flags(FLAGS, args)
    printer = Printer(ctx, "cat", full_command("cat", options, positional))
    if len(positional) != 1:
        printer.error("expected only one argument")
        return 1
    version = options.str("version-id")
    try:
        url = ObjectURL(positional[0], raw=options.bool("raw"))
    except ShimError as exc:
        printer.error(exc.message)
        return 1
    if not url.is_remote():
        printer.error("source must be a remote object")
        return 1
    many = url.is_wildcard() or url.is_prefix() or url.is_bucket()
    if many and version:
        printer.error("wildcard/prefix operations are disabled with --version-id flag")
        return 1
    if many:
        for obj in storage.s3.list_objects(ctx, url):
            if obj.err is not None:
                printer.error(obj.err.message)
                return 1
            if obj.is_dir:
                continue
            assert obj.url is not None
            if not _stream(ctx, printer, url.bucket, obj.url.path, ""):
                return 1
        return 0
    url.version_id = version
    try:
        storage.s3.stat(ctx, url)
    except ShimError as exc:
        printer.error(exc.message)
        return 1
    return 0 if _stream(ctx, printer, url.bucket, url.path, version) else 1


def _stream(ctx: Context, printer: Printer, bucket: str, key: str, version: str) -> bool:
    """One object's bytes to stdout, in order, a chunk at a time."""
    on_crt = ctx.engine.name == "crt"
    try:
        if on_crt:
            from s3env.shim.boto3.engine.crt_download import run_here, stream

            run_here(stream(ctx.engine, bucket, key, ctx.stdout.write, version))
        else:
            _stream_botocore(ctx, bucket, key, version)
        ctx.stdout.flush()
    except BrokenPipeError:  # the reader went away (`| head`): stop, and die of SIGPIPE as s5cmd
        ctx.reader_gone()
        return False
    except Exception as exc:
        # every failure of a CRT request is one (crt_errors.translate); botocore's are its kinds
        if not on_crt and not isinstance(exc, request_errors()):
            raise
        printer.error(message_of(exc))
        return False
    return True


def _stream_botocore(ctx: Context, bucket: str, key: str, version: str) -> None:
    body = ctx.client.get_object(Bucket=bucket, Key=key, **version_arg(version))["Body"]
    try:
        for chunk in body.iter_chunks(CHUNK):
            ctx.stdout.write(chunk)
    finally:
        body.close()
