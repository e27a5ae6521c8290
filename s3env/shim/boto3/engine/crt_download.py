"""The CRT engine's downloads: ranged GETs on awscrt's S3 client, as s5cmd (aws-sdk-go's
downloader) does them, the bytes written at their offsets, or in order to a stream (``cat``).

The first part (``Range: bytes=0-…``) gives the size (its Content-Range) and the ETag; the
other parts then go ``--concurrency`` at a time, each with ``If-Match`` (an object replaced
meanwhile fails with PreconditionFailed, never a mix of two versions) and each answer's
Content-Range checked against what was asked (a server that ignores a Range never writes
other bytes at an offset).  A part whose stream breaks is sent again whole by the CRT's retry
strategy (the botocore engine resumes it mid-part instead): either way a complete file or one
error, and the caller removes the temporary file.  An empty object has no byte 0 (416
InvalidRange): a plain GET then fetches it, as the botocore engine does.

Why not the CRT's own auto-ranged GET (one ``GET_OBJECT`` request for the whole object): it
hands the parts over strictly in order and fetches ahead as far as its ``memory_limit`` (at
least 256 MiB) lets it, so a download's memory grew with the object (336 MiB peak RSS for
512 MiB on this project's 2-core CI, whose disk writes lag the network).  Here at most
``--concurrency`` parts of at most ``CRT_PART_SIZE`` are in flight, whatever the size; each
part's body comes to Python once (the CRT buffers a part) and is written with ``os.pwrite``,
which releases the GIL.  A stream keeps the parts that came early until their turn: the same
bound.  Measurements: docs/performance.md, benchmarks/bench_download.py.

Every request is awaited before the transfer ends, and once it has ended (the command was
interrupted) nothing more is written to the file: the caller closes it.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, InvalidStateError
from typing import Any, Protocol
from urllib.parse import quote

from s3env.shim.boto3.engine.base import ByteCounter, Transfer


class Response(Protocol):
    """crt.Response, as far as this reads it (crt.py imports this module: no cycle)."""

    status: int
    headers: dict[str, str]


class CrtEngine(Protocol):
    """crt.CrtEngine, as far as this uses it: its one primitive."""

    def request(self, method: str, bucket: str, key: str, **kwargs: Any) -> Future[Any]: ...


MIB = 1024 * 1024
#: the largest part asked for: a part is held in memory (by the CRT, then as Python bytes)
#: until written, so s5cmd's 50 MiB parts would make memory grow with --part-size
CRT_PART_SIZE = 8 * MIB


class RangeIgnoredError(Exception):
    """A ranged GET came back with other bytes than asked for."""


class ShortObjectError(Exception):
    """The object's parts did not add up to its size."""


def total_size(headers: dict[str, str]) -> int:
    """``bytes 0-8388607/268435456`` -> 268435456; without Content-Range, the body's length."""
    total = headers.get("content-range", "").rpartition("/")[2]
    if total.isdigit():
        return int(total)
    length = headers.get("content-length", "")
    return int(length) if length.isdigit() else 0


def version_query(version_id: str) -> str:
    return f"versionId={quote(version_id, safe='')}" if version_id else ""


def first_done(futures: set[Future[Any]]) -> Future[None]:
    """A future done when the first of ``futures`` is (the pool waits for one at a time)."""
    signal: Future[None] = Future()

    def done(_future: Future[Any]) -> None:
        if not signal.done():
            with contextlib.suppress(InvalidStateError):  # two finished at once
                signal.set_result(None)

    for future in futures:
        future.add_done_callback(done)
    return signal


class Sink:
    """Where the parts' bytes go; told of each chunk as it comes (on a CRT thread), and of
    each part once its request is over (on the transfer's thread)."""

    def chunk(self, data: memoryview, offset: int) -> None:
        raise NotImplementedError

    def part_done(self, start: int) -> None:
        return None

    def close(self) -> None:
        return None


class FileSink(Sink):
    """Chunks written at their offsets into ``fd``, in parallel; none once ``close`` (the
    transfer is over: the caller will close the file, and its number may be reused)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.closed = False
        self.writing = 0
        self.idle = threading.Condition()

    def chunk(self, data: memoryview, offset: int) -> None:
        with self.idle:
            if self.closed:
                raise ShortObjectError("the download is over")
            self.writing += 1
        try:
            written = 0
            while written < len(data):  # pwrite may be partial on some filesystems
                written += os.pwrite(self.fd, data[written:], offset + written)
        finally:
            with self.idle:
                self.writing -= 1
                self.idle.notify_all()

    def close(self) -> None:
        with self.idle:
            self.closed = True
            while self.writing:
                self.idle.wait()


class StreamSink(Sink):
    """The object's bytes in order to ``write``: a part that comes before its turn waits in
    memory (at most the parts in flight)."""

    def __init__(self, write: Callable[[memoryview], Any]) -> None:
        self.write = write
        self.next = 0
        self.parts: dict[int, bytearray] = {}
        self.lock = threading.Lock()

    def chunk(self, data: memoryview, offset: int) -> None:
        with self.lock:
            for start, held in self.parts.items():
                if start + len(held) == offset:
                    held += data
                    return
            self.parts[offset] = bytearray(data)

    def part_done(self, start: int) -> None:
        """Write what is complete, in order (on the transfer's thread: a closed pipe raises
        there)."""
        while True:
            with self.lock:
                held = self.parts.pop(self.next, None)
            if held is None:
                return
            self.next += len(held)
            self.write(memoryview(held))


class PartedGet:
    """One object's ranged GETs into ``sink``; ``run`` is a transfer returning its size."""

    def __init__(
        self,
        engine: CrtEngine,
        bucket: str,
        key: str,
        sink: Sink,
        version_id: str = "",
        part_size: int = CRT_PART_SIZE,
        concurrency: int = 5,
        on_bytes: ByteCounter | None = None,
        on_size: ByteCounter | None = None,
    ) -> None:
        self.engine = engine
        self.bucket = bucket
        self.key = key
        self.sink = sink
        self.query = version_query(version_id)
        self.part_size = max(MIB, min(part_size, CRT_PART_SIZE))
        self.concurrency = max(1, concurrency)
        self.on_bytes = on_bytes
        self.on_size = on_size
        self.etag = ""
        self.failure: BaseException | None = None  # raised in a callback, kept as it is

    def run(self) -> Transfer:
        try:
            return (yield from self._run())
        finally:
            self.sink.close()

    def _run(self) -> Transfer:
        first = _Answer()
        try:
            yield self._get(0, self.part_size, first)
        except Exception:
            self._raise_kept()
            if first.status != 416:
                raise
            # An empty object has no byte 0 (InvalidRange): the whole of it, without a Range.
            first = _Answer()
            yield self._get(0, None, first)
        self.sink.part_done(0)
        size = total_size(first.headers)
        received = first.received
        # A server that ignored the Range sent the whole object (checked in _heard).
        offsets = iter(range(received, size, self.part_size) if "content-range" in first.headers else ())
        in_flight: dict[Future[Any], tuple[int, _Answer]] = {}
        error: BaseException | None = None
        while True:
            while error is None and len(in_flight) < self.concurrency:
                start = next(offsets, None)
                if start is None:
                    break
                answer = _Answer()
                in_flight[self._get(start, min(start + self.part_size, size), answer)] = (start, answer)
            if not in_flight:
                break
            yield first_done(set(in_flight))
            for future in [f for f in in_flight if f.done()]:
                start, answer = in_flight.pop(future)
                failed = future.exception()
                if failed is not None:
                    error = error or self.failure or failed
                    continue
                received += answer.received
                if error is None:
                    try:
                        self.sink.part_done(start)
                    except Exception as exc:  # a closed pipe: the parts in flight end first
                        error = exc
        if error is not None:
            raise error
        if received != size:
            raise ShortObjectError(f"got {received} of {size} bytes")
        return size

    def _raise_kept(self) -> None:
        if self.failure is not None:
            raise self.failure

    def _get(self, start: int, end: int | None, answer: _Answer) -> Future[Any]:
        """GET ``[start, end)`` (``end`` None: the whole object, no Range)."""
        from awscrt import s3

        headers: list[tuple[str, str]] = []
        if end is not None:
            headers.append(("Range", f"bytes={start}-{end - 1}"))
        if self.etag:
            headers.append(("If-Match", self.etag))

        def heard(response: Response) -> None:
            answer.status, answer.headers = response.status, response.headers
            if response.status >= 300:
                return  # an error answer: the request fails with it
            content_range = response.headers.get("content-range", "")
            if start and not content_range.startswith(f"bytes {start}-"):
                # never write bytes from elsewhere in the object at this offset
                asked = f"bytes={start}-{(end or 0) - 1}"
                self.failure = RangeIgnoredError(f"the server answered {asked} with another range")
                raise self.failure
            if start == 0:
                self.etag = response.headers.get("etag", "")
                if self.on_size is not None:
                    self.on_size(total_size(response.headers))

        def on_body(chunk: Any, offset: int, **_kwargs: Any) -> None:
            data = memoryview(chunk)
            try:
                self.sink.chunk(data, offset)
            except BaseException as exc:  # the CRT ends the request with it; kept as it is
                self.failure = self.failure or exc
                raise
            answer.received += len(data)
            if self.on_bytes is not None:
                self.on_bytes(len(data))

        return self.engine.request(
            "GET",
            self.bucket,
            self.key,
            operation="GetObject",
            query=self.query,
            headers=headers,
            meta_type=s3.S3RequestType.GET_OBJECT if end is not None else s3.S3RequestType.DEFAULT,
            on_body=on_body,
            on_response_headers=heard,
            part_size=self.part_size,
        )


class _Answer:
    """What one request's answer said, and how many bytes of it were taken."""

    def __init__(self) -> None:
        self.status = 0
        self.headers: dict[str, str] = {}
        self.received = 0


def download_to_fd(
    engine: CrtEngine,
    bucket: str,
    key: str,
    fd: int,
    part_size: int,
    concurrency: int,
    version_id: str = "",
    on_bytes: ByteCounter | None = None,
    on_size: ByteCounter | None = None,
) -> Transfer:
    """The object into the open (temporary) file ``fd``; returns its size."""
    get = PartedGet(engine, bucket, key, FileSink(fd), version_id, part_size, concurrency, on_bytes, on_size)
    return (yield from get.run())


def stream(
    engine: CrtEngine,
    bucket: str,
    key: str,
    write: Callable[[memoryview], Any],
    version_id: str = "",
    concurrency: int = 5,
) -> Transfer:
    """The object's bytes, in order, to ``write`` (cat's stdout); returns its size."""
    get = PartedGet(engine, bucket, key, StreamSink(write), version_id, CRT_PART_SIZE, concurrency)
    return (yield from get.run())


def run_here(transfer: Transfer) -> Any:
    """Run ``transfer`` to its end on this thread, waiting for each future it yields (a
    command without a pool: cat); its result.  An interrupt raised while waiting ends it."""
    value: Any = None
    error: BaseException | None = None
    while True:
        try:
            future = transfer.throw(error) if error is not None else transfer.send(value)
        except StopIteration as stop:
            return stop.value
        error = future.exception()
        value = None if error is not None else future.result()
