"""``head``: an object's or a bucket's metadata, as JSON with or without ``--json`` (s5cmd
``command/head.go``)."""

from __future__ import annotations

from typing import Any

from s3env.shim.boto3.context import Context
from s3env.shim.boto3.errors import NotFound, ShimError, from_exception, is_not_found, request_errors
from s3env.shim.boto3.flags import Flag, full_command, parse_flags
from s3env.shim.boto3.gofmt import go_quote, go_time_json
from s3env.shim.boto3.printer import Printer
from s3env.shim.boto3.urls import ObjectURL, version_arg

FLAGS: tuple[Flag, ...] = (Flag("version-id", "str"), Flag("raw", "bool"))


def run(ctx: Context, args: list[str]) -> int:
    options, positional = parse_flags(FLAGS, args)
    printer = Printer(ctx, "head", full_command("head", options, positional))
    if len(positional) > 1:
        printer.error("object or bucket name is required")
        return 1
    try:
        url = ObjectURL(positional[0] if positional else "", raw=options.bool("raw"))
    except ShimError as exc:
        printer.error(exc.message)
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
    try:
        if url.is_bucket():
            ctx.client.head_bucket(Bucket=url.bucket)
            printer.json({"bucket": url.absolute()})
            return 0
        response = ctx.client.head_object(
            Bucket=url.bucket, Key=url.path, **version_arg(options.str("version-id"))
        )
    except request_errors() as exc:
        error = NotFound(url.absolute()) if is_not_found(exc) and not url.is_bucket() else from_exception(exc)
        printer.error(error.message)
        return 1
    printer.json(_object(url, response))  # the same JSON with and without --json
    return 0


def _object(url: ObjectURL, response: dict[str, Any]) -> dict[str, Any]:
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
    return obj
