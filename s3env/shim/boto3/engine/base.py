"""What a transfer engine does for the boto3 backend: move one object's bytes.

A command (cp, mv, sync, cat) decides *what* moves and prints s5cmd's lines; an engine moves the
bytes of one object.  Each method is a *transfer*: a generator that yields the
``concurrent.futures.Future`` of a request in flight and returns its result, so a worker of
the command's pool (pool.py) is free while the request runs in native code, and takes the task
up again when the future is done.  An engine that blocks (botocore's) simply never yields.

Every transfer stops at an interrupt (``Cancelled``, cancel.py), leaves no multipart upload
behind, and raises what ``errors.message_of`` words as s5cmd does.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import Future
from typing import Any, Protocol

#: a transfer: yields the futures it waits for, returns its result
Transfer = Generator["Future[Any]", Any, Any]
ByteCounter = Callable[[int], None]


class CommandContext(Protocol):
    """What an engine takes from its command's context (context.py), which makes it."""

    profile: Any  # core.model.Profile, with its secrets
    env: dict[str, str]
    retry_count: int
    cancellation: Any  # cancel.Cancellation

    @property
    def client(self) -> Any: ...  # the botocore client


class Engine(ABC):
    #: ``S3ENV_ENGINE``'s value for it
    name: str = ""
    ctx: CommandContext
    #: whether a command's tasks run on its own thread (pool.py): the engine's requests wait
    #: in native code, not on threads
    inline_tasks: bool = False

    def pool_shape(self, numworkers: int | None) -> tuple[int, int]:
        """(threads, tasks in flight) of a command's pool for ``--numworkers`` (None: not given).
        A blocking engine needs a thread per request in flight; s5cmd's default is 256 workers,
        and a Python thread pool gains nothing past a few dozen."""
        threads = max(1, min(numworkers or 32, 64))
        return threads, threads * 2

    @abstractmethod
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
        """``size`` bytes of the open file ``fd`` (named ``path`` in errors) to ``bucket/key``:
        one PUT up to ``part_size``, else a multipart upload in s5cmd's parts (same ETag).
        ``extra``: the object's settings in botocore's argument names (ContentType, Metadata,
        StorageClass, ACL, CacheControl, Expires, ContentEncoding, ContentDisposition,
        ServerSideEncryption, SSEKMSKeyId).  A file that shrinks meanwhile fails with
        ``multipart.FileChangedError``."""

    @abstractmethod
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
        """The object into the open (temporary) file ``fd``, parts after the first with
        ``If-Match`` (an object replaced meanwhile fails); returns its size."""

    @abstractmethod
    def copy(
        self,
        source_bucket: str,
        source_key: str,
        version_id: str,
        bucket: str,
        key: str,
        extra: dict[str, Any],
    ) -> Transfer:
        """A server-side copy; ``extra`` as for ``upload`` plus MetadataDirective."""

    def abort_upload(self, bucket: str, key: str, upload_id: str) -> None:
        """Abort a multipart upload an interrupted transfer left registered with the
        command's ``Cancellation`` (``Context.interrupt``, after the workers had their grace)."""
        self.ctx.client.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)  # type: ignore[attr-defined]

    def request_failures(self) -> tuple[type[BaseException], ...]:
        """What its requests raise when they fail, beyond botocore's (errors.request_errors)."""
        return ()

    def list_objects_v2(self, bucket: str, prefix: str, delimiter: str) -> Iterator[dict[str, Any]]:
        """The pages of a ListObjectsV2 listing, as botocore's paginator yields them."""
        params: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix}
        if delimiter:
            params["Delimiter"] = delimiter
        return iter(self.ctx.client.get_paginator("list_objects_v2").paginate(**params))

    def interrupt(self) -> None:
        """The command was interrupted: stop every request in flight (their transfers end with
        ``Cancelled``)."""
        return None

    def close(self) -> None:
        """The command is over."""
        return None
