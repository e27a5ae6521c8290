"""Download one object into a file descriptor: a ranged GET of part 0 gives the size, then the
other parts come in parallel, each written in place with ``os.pwrite``.

Why not boto3's ``download_fileobj``: it HEADs the object first, funnels every chunk through a
queue to one writer thread, and validates checksums in Python; on a 256 MiB object that was
about twice s5cmd's time.  This is what s5cmd (aws-sdk-go's downloader) does: parts written at
their offsets, no extra round trip.  Memory stays at one read buffer per stream, whatever the
object's size: each stream reads into its own reused buffer (``readinto``), as Go's
``io.Copy`` does, not into a new bytes object per chunk.  On a VM whose untouched pages fault
on first use (this project's CI), fresh memory for every chunk adds to what the file's own
page cache already costs; see docs/performance.md.

The parts after the first carry ``If-Match`` with the first response's ETag, so an object
replaced mid-download fails with ``PreconditionFailed`` instead of yielding a mix of two
versions.  A stream that breaks mid-part (reset, timeout, short read) is resumed from the
byte where it stopped, with backoff, a few times.

An interrupted command (``cancellation``, cancel.py) stops every stream at its next chunk and
every back-off at once, with ``Cancelled``; the caller removes the temporary file.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from s3env.shim.boto3.cancel import Cancellation
from s3env.shim.boto3.urls import version_arg

READ_CHUNK = 1024 * 1024
RESUME_ATTEMPTS = 5


def _total_size(response: Any) -> int:
    """``bytes 0-52428799/268435456`` -> 268435456; without Content-Range, the body's length."""
    content_range = response.get("ContentRange") or ""
    total = content_range.rpartition("/")[2]
    if total.isdigit():
        return int(total)
    return int(response.get("ContentLength") or 0)


class ShortObjectError(Exception):
    """The server sent fewer bytes than it announced."""


class RangeIgnoredError(Exception):
    """A ranged GET came back with other bytes than asked for."""


class StreamBrokenError(Exception):
    """A part's stream kept breaking: resuming it ``RESUME_ATTEMPTS`` times did not finish it."""


def _stream_errors() -> tuple[type[BaseException], ...]:
    from http.client import HTTPException

    from botocore.exceptions import (
        ConnectionClosedError,
        IncompleteReadError,
        ReadTimeoutError,
        ResponseStreamingError,
    )

    return (
        ConnectionClosedError,
        IncompleteReadError,
        ReadTimeoutError,
        ResponseStreamingError,
        ConnectionError,
        TimeoutError,
        HTTPException,  # http.client's IncompleteRead, when reading below urllib3 (_readinto_of)
    )


def _readinto_of(body: Any) -> Callable[[memoryview], int]:
    """``readinto`` for a botocore ``StreamingBody``, without a copy per chunk.

    urllib3's ``readinto`` reads into a new bytes object and copies it, so the buffer reuse
    would be lost there: the bytes come straight from ``http.client``'s response under it
    (urllib3 gives it to botocore undecoded, and nothing has read from it yet).  Where that
    stack is not there (another HTTP layer, a test double), ``body.read`` and a copy."""
    raw = getattr(getattr(body, "_raw_stream", None), "_fp", None)
    readinto = getattr(raw, "readinto", None)
    if callable(readinto):
        return readinto

    def read_and_copy(view: memoryview) -> int:
        chunk = body.read(len(view))
        view[: len(chunk)] = chunk
        return len(chunk)

    return read_and_copy


class RangedDownload:
    """One object, ``[0, size)``, into ``fd``; ``run`` returns the number of bytes written.
    ``on_bytes`` is told of every chunk written, ``on_size`` of the size once the first part
    has given it."""

    def __init__(
        self,
        client: Any,
        bucket: str,
        key: str,
        fd: int,
        part_size: int,
        concurrency: int,
        on_bytes: Callable[[int], None] | None = None,
        sleep: Callable[[float], None] | None = None,
        version_id: str = "",
        cancellation: Cancellation | None = None,
        on_size: Callable[[int], None] | None = None,
    ) -> None:
        self.client = client
        self.bucket = bucket
        self.key = key
        self.fd = fd
        self.part_size = max(1, part_size)
        self.concurrency = max(1, concurrency)
        self.on_bytes = on_bytes
        self.on_size = on_size
        self.interrupt = cancellation or Cancellation()
        self.sleep = sleep or self.interrupt.sleep
        self.version = version_arg(version_id)
        self.cancelled = threading.Event()  # another part failed: this one is not needed
        self.etag: str | None = None
        self.size = 0

    def run(self) -> int:
        response = self._first_part()
        size = self.size = _total_size(response)
        self.etag = response.get("ETag")
        if self.on_size is not None:
            self.on_size(size)
        # A server that ignored the Range header sent the whole object: stream all of it.
        first_end = min(size, self.part_size) if response.get("ContentRange") else size
        offsets = range(first_end, size, self.part_size)
        if not offsets:
            self._copy_range(response["Body"], 0, first_end)
            return size
        workers = min(self.concurrency - 1, len(offsets))
        if workers < 1:  # --concurrency 1: one stream, one part after another
            self._copy_range(response["Body"], 0, first_end)
            for start in offsets:
                self._copy_range(None, start, min(start + self.part_size, size))
            return size
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="s3env-part") as pool:
            futures = [
                pool.submit(self._copy_range, None, start, min(start + self.part_size, size))
                for start in offsets
            ]
            try:
                self._copy_range(response["Body"], 0, first_end)
                for future in futures:
                    future.result()
            except BaseException:
                self.cancelled.set()
                for future in futures:
                    future.cancel()
                raise
        return size

    def _first_part(self) -> Any:
        """GET of part 0, as aws-sdk-go's downloader (s5cmd) does: its errors (NoSuchKey,
        AccessDenied...) are s5cmd's, its Content-Range gives the size, and the server is not
        asked to stream the whole object while the other parts come separately."""
        from botocore.exceptions import ClientError

        try:
            return self.client.get_object(
                Bucket=self.bucket, Key=self.key, Range=f"bytes=0-{self.part_size - 1}", **self.version
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "InvalidRange":
                raise
        # empty: it has no byte 0
        return self.client.get_object(Bucket=self.bucket, Key=self.key, **self.version)

    def _open(self, start: int, end: int) -> Any:
        extra = dict(self.version)
        if self.etag:
            extra["IfMatch"] = self.etag
        response = self.client.get_object(
            Bucket=self.bucket, Key=self.key, Range=f"bytes={start}-{end - 1}", **extra
        )
        if not str(response.get("ContentRange") or "").startswith(f"bytes {start}-"):
            response["Body"].close()  # never write bytes from elsewhere in the object at this offset
            raise RangeIgnoredError(f"the server answered bytes={start}-{end - 1} with another range")
        return response["Body"]

    def _stopped(self) -> bool:
        return self.cancelled.is_set() or self.interrupt.cancelled

    def _check(self) -> None:
        self.interrupt.check()
        if self.cancelled.is_set():
            raise InterruptedError("download cancelled")

    def _copy_range(self, body: Any, start: int, end: int) -> None:
        """Write ``[start, end)`` at its offset, from ``body`` (or a new ranged GET), resuming."""
        position = start
        failures = 0
        retryable = _stream_errors()
        buffer = memoryview(bytearray(min(READ_CHUNK, end - start)))
        while position < end:
            self._check()
            try:
                if body is None:
                    body = self._open(position, end)
                readinto = _readinto_of(body)
                while position < end and not self._stopped():
                    count = readinto(buffer[: min(len(buffer), end - position)])
                    if not count:
                        break
                    written = os.pwrite(self.fd, buffer[:count], position)
                    while written < count:  # pwrite may be partial on some filesystems
                        written += os.pwrite(self.fd, buffer[written:count], position + written)
                    position += count
                    if self.on_bytes is not None:
                        self.on_bytes(count)
                self._check()
                if position < end:
                    raise ShortObjectError(f"got {position - start} of {end - start} bytes at offset {start}")
            except (*retryable, ShortObjectError) as exc:
                failures += 1
                if failures >= RESUME_ATTEMPTS:
                    raise StreamBrokenError(
                        f"download broke off at byte {position} of {self.size} "
                        f"after {failures} attempts: {exc}"
                    ) from exc
                self.sleep(min(0.1 * 2**failures, 2.0))
            finally:
                if body is not None:
                    body.close()
                body = None
