"""The one shape of ``mb`` and ``rb`` (s5cmd's ``command/mb.go`` and ``rb.go`` differ only in the
call): one bucket URL, the call unless ``--dry-run``, one line."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from s3env.shim.boto3.context import Context
from s3env.shim.boto3.errors import ShimError, message_of, request_errors
from s3env.shim.boto3.flags import Flag, full_command, parse_flags
from s3env.shim.boto3.printer import Printer
from s3env.shim.boto3.urls import ObjectURL


def run_bucket_command(
    ctx: Context, args: list[str], op: str, flags: tuple[Flag, ...], call: Callable[[Any, str], object]
) -> int:
    options, positional = parse_flags(flags, args)
    printer = Printer(ctx, op, full_command(op, options, positional))
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
            call(ctx.client, url.bucket)
        except request_errors() as exc:
            printer.error(message_of(exc))
            return 1
    printer.line(f"{op} {url.absolute()}", {"operation": op, "success": True, "source": url.absolute()})
    return 0
