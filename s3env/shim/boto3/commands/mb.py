"""``mb s3://BUCKET``: make a bucket (s5cmd ``command/mb.go``)."""

from __future__ import annotations

from s3env.shim.boto3.bucketop import run_bucket_command
from s3env.shim.boto3.context import Context
from s3env.shim.boto3.flags import Flag

FLAGS: tuple[Flag, ...] = ()


def run(ctx: Context, args: list[str]) -> int:
    return run_bucket_command(ctx, args, "mb", FLAGS, lambda s3, bucket: s3.create_bucket(Bucket=bucket))
