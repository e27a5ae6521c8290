"""``rb s3://BUCKET``: remove an empty bucket (s5cmd ``command/rb.go``); the server refuses a
non-empty one (BucketNotEmpty), as with s5cmd."""

from __future__ import annotations

from s3env.shim.boto3.bucketop import run_bucket_command
from s3env.shim.boto3.context import Context
from s3env.shim.boto3.flags import Flag

FLAGS: tuple[Flag, ...] = ()


def run(ctx: Context, args: list[str]) -> int:
    return run_bucket_command(ctx, args, "rb", FLAGS, lambda s3, bucket: s3.delete_bucket(Bucket=bucket))
