"""The botocore engine: each request a botocore call on a worker thread (multipart.py,
ranged.py).  It runs wherever boto3 does; ``S3ENV_ENGINE=botocore`` chooses it, and it is the
fallback where awscrt cannot be imported."""

from __future__ import annotations

from typing import Any

from s3env.shim.boto3.engine.base import ByteCounter, CommandContext, Engine, Transfer


class BotocoreEngine(Engine):
    name = "botocore"

    def __init__(self, ctx: CommandContext) -> None:
        self.ctx = ctx
        ctx.client  # noqa: B018 -- made now, not by the first worker: a bad endpoint fails at once

    def upload(
        self,
        bucket: str,
        key: str,
        fd: int,
        size: int,
        path: str,
        part_size: int,
        concurrency: int,
        extra: dict[str, Any],
        on_bytes: ByteCounter | None = None,
    ) -> Transfer:
        from s3env.shim.boto3.multipart import Upload

        upload = Upload(
            self.ctx.client,
            bucket,
            key,
            fd,
            size,
            path,
            part_size,
            concurrency,
            extra,
            self.ctx.cancellation,
            on_bytes=on_bytes,
        )
        upload.run()
        return
        yield  # a transfer that never waits: the worker thread does the work

    def download(
        self,
        bucket: str,
        key: str,
        fd: int,
        part_size: int,
        concurrency: int,
        version_id: str = "",
        on_bytes: ByteCounter | None = None,
        on_size: ByteCounter | None = None,
    ) -> Transfer:
        from s3env.shim.boto3.ranged import RangedDownload

        download = RangedDownload(
            self.ctx.client,
            bucket,
            key,
            fd,
            part_size,
            concurrency,
            on_bytes=on_bytes,
            on_size=on_size,
            version_id=version_id,
            cancellation=self.ctx.cancellation,
        )
        return download.run()
        yield

    def copy(
        self,
        source_bucket: str,
        source_key: str,
        version_id: str,
        bucket: str,
        key: str,
        extra: dict[str, Any],
    ) -> Transfer:
        from s3env.shim.boto3.urls import version_arg

        # Deliberately not s5cmd's encoding of x-amz-copy-source (Go's QueryEscape turns a
        # space into "+", so s5cmd cannot copy such keys): boto3's own percent-encoding.
        source = {"Bucket": source_bucket, "Key": source_key, **version_arg(version_id)}
        self.ctx.client.copy_object(Bucket=bucket, Key=key, CopySource=source, **extra)
        return
        yield
