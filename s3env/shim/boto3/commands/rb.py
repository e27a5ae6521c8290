"""``rb s3://BUCKET``: remove an empty bucket (s5cmd ``command/rb.go``); the server refuses a
non-empty one (BucketNotEmpty), as with s5cmd."""

from __future__ import annotations

from s3env.shim.boto3.context import Context
from s3env.shim.boto3.errors import ShimError, message_of, request_errors
from s3env.shim.boto3.flags import Flag, full_command, parse_flags
from s3env.shim.boto3.printer import Printer
from s3env.shim.boto3.urls import ObjectURL

FLAGS: tuple[Flag, ...] = ()


def run(ctx: Context, args: list[str]) -> int:
    options, positional = parse_flags(FLAGS, args)
    printer = Printer(ctx, "rb", full_command("rb", options, positional))
    if len(positional) != 1:
        printer.error("expected only 1 argument")
        return 1
    try:
        url = ObjectURL(positional[0])
    except ShimError as exc:
        printer.error(exc.message)
        return 1
    if not url.is_bucket():
        printer.error("invalid s3 bucket")
        return 1
    if not ctx.dry_run:
        try:
            ctx.client.delete_bucket(Bucket=url.bucket)
        except request_errors() as exc:
            printer.error(message_of(exc))
            return 1
    printer.line(f"rb {url.absolute()}", {"operation": "rb", "success": True, "source": url.absolute()})
    return 0
