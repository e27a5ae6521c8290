"""Uploads and server-side copies of the CRT engine (crt.py): the requests awscrt sends for
``cp``/``mv``/``sync`` to S3, with the heads the botocore engine sends for the same object
(no checksums, ``Expect: 100-continue`` on bodies from 2 MiB, the object's settings).

Every request is a CRT ``DEFAULT`` meta-request, each step of a multipart upload made here as
aws-sdk-go's uploader makes it (s5cmd's part size, so the same ETag), because of what the CRT
does with a body (measured on awscrt 0.38):

- it buffers a request body whole before sending it.  So the bytes of the bodies in flight
  are capped (``BodyBudget``: two default parts, or many small files): a transfer waits for
  its share as a future, not on a thread, and RSS stays flat for any mix of files.  A body
  is read from the file s3env opened, exactly its size: a single PUT by the CRT itself from
  ``/proc/self/fd/N`` where the system has it (``reopen_path``: no Python on the CRT's
  thread; a thousand small uploads took 10 % less time), a part straight into the CRT's
  buffer (``FilePart``).  A file that is shorter now fails as ``FileChangedError``;
- its own multipart upload (``PUT_OBJECT``) either buffers every part in flight too
  (300 MB of RSS for 256 MiB) or, streaming (``should_stream``), sends an EMPTY last part when
  the file's size is not a multiple of 4 KiB (the object loses its tail: seen on moto), and
  re-reads a part it retries from the file, sending what it finds there;
- once a single PUT's body is buffered the file can shrink unseen.  A file above
  ``SMALL_BODY_MAX`` that is one PUT (at most the part size) therefore goes through the
  botocore engine, which streams the body from the open file and stops at a shrink or an
  interrupt; so does a multipart upload whose parts exceed ``PART_BODY_MAX``.  Before a
  multipart upload is completed the file's size is checked once more.

An upload that fails is aborted here; an interrupted one is registered with the command's
``Cancellation``, and ``Context.interrupt`` aborts it (``CrtEngine.abort_upload``).
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import io
import os
import threading
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote

from s3env.shim.boto3.cancel import Cancelled
from s3env.shim.boto3.multipart import file_changed_size, seek_within, upload_part_size
from s3env.shim.boto3.tasks import blocking, run_to_end

if TYPE_CHECKING:
    from s3env.shim.boto3.engine.base import ByteCounter, Engine, Transfer

MIB = 1024 * 1024
#: a single PUT up to this size is read whole and sent from memory by the CRT
SMALL_BODY_MAX = 8 * MIB
#: a multipart upload with parts up to this size: the CRT buffers each part it sends
PART_BODY_MAX = 64 * MIB
#: the bytes of request bodies (single PUTs and parts) held by the CRT at once: two default
#: (50 MiB) parts, or many small files
BODY_BUDGET = 104 * MIB
#: a body from this size is a large allocation (return_large_buffers_to_the_system)
LARGE_BODY = 1 * MIB
# aws-sdk-go, which s5cmd uses, asks for 100-continue only on bodies of 2 MiB and more
# (context.EXPECT_CONTINUE_FROM; not imported from there: context.py is the botocore client's).
EXPECT_CONTINUE_FROM = 2 * MIB

#: botocore's argument -> the header it becomes (S3's service model)
HEADER_OF: dict[str, str] = {
    "ContentType": "Content-Type",
    "CacheControl": "Cache-Control",
    "ContentEncoding": "Content-Encoding",
    "ContentDisposition": "Content-Disposition",
    "Expires": "Expires",
    "StorageClass": "x-amz-storage-class",
    "ACL": "x-amz-acl",
    "ServerSideEncryption": "x-amz-server-side-encryption",
    "SSEKMSKeyId": "x-amz-server-side-encryption-aws-kms-key-id",
    "MetadataDirective": "x-amz-metadata-directive",
}


class CrtEngine(Protocol):
    """What the transfers here take from crt.py's engine (which imports this module)."""

    ctx: Any
    body_budget: BodyBudget

    def request(self, method: str, bucket: str, key: str, **options: Any) -> Future[Any]: ...

    def url_of(self, bucket: str, key: str) -> str: ...

    def botocore_engine(self) -> Engine: ...


class UnknownObjectSetting(Exception):
    """An ``extra`` key this engine does not know how to send (a bug: engine/base.py lists them)."""


def http_date(value: dt.datetime) -> str:
    """A timestamp header as botocore writes it: RFC 822 in GMT, whole seconds, a naive
    datetime taken as UTC."""
    import calendar
    from email.utils import formatdate  # (7 ms to import: only for --expires)

    aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    return formatdate(calendar.timegm(aware.utctimetuple()), usegmt=True)


def object_headers(extra: dict[str, Any]) -> list[tuple[str, str]]:
    """The object's settings (botocore's argument names, engine/base.py) as the headers
    botocore sends for them; metadata as ``x-amz-meta-NAME``, in the order given."""
    headers: list[tuple[str, str]] = []
    for name, value in extra.items():
        if name == "Metadata":
            headers.extend((f"x-amz-meta-{key}", str(item)) for key, item in value.items())
        elif name in HEADER_OF:
            text = http_date(value) if isinstance(value, dt.datetime) else str(value)
            headers.append((HEADER_OF[name], text))
        else:
            raise UnknownObjectSetting(name)
    return headers


def copy_source(bucket: str, key: str, version_id: str) -> str:
    """``x-amz-copy-source`` as botocore encodes it (``_quote_source_header_from_dict``): the
    UTF-8 of ``bucket/key`` percent-encoded but for ``-._~/``, the version id as it is.
    (Not s5cmd's Go QueryEscape, which turns a space into "+": s5cmd cannot copy such keys.)"""
    source = quote(f"{bucket}/{key}".encode(), safe="-._~/")
    return f"{source}?versionId={version_id}" if version_id else source


#: glibc's mallopt parameter for the size from which malloc maps memory of its own
M_MMAP_THRESHOLD = -3
_malloc_tuned = False


def return_large_buffers_to_the_system() -> None:
    """Make glibc map every allocation from 128 KiB with mmap of its own, so that the CRT's
    body buffers go back to the system when freed.  By default glibc raises that threshold to
    the size of the last large block freed (up to 32 MiB): after the first 8 MiB body, the next
    ones came from heap arenas that never shrink, and a mix of files rose to 290 MiB of RSS
    with the budget at 112 MiB (170 MiB with this).  Once per process, at the first large
    body; nothing where the C library is not glibc."""
    global _malloc_tuned
    if _malloc_tuned:
        return
    _malloc_tuned = True
    import ctypes
    import sys

    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None)
        libc.mallopt(M_MMAP_THRESHOLD, 128 * 1024)
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return


#: the answer of ``BodyBudget.acquire`` when the bytes are there at once
GRANTED: Future[None] = Future()
GRANTED.set_result(None)


class BodyBudget:
    """The bytes of request bodies held in memory at once.  ``acquire`` returns a future that
    is done once the bytes are the caller's: a transfer yields it (no thread waits), and is
    taken up again when another one ``release``\\ s enough.  First come, first served; a body
    larger than the whole budget waits until it is the only one."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.free = total
        self._lock = threading.Lock()
        self._waiting: collections.deque[tuple[int, Future[None]]] = collections.deque()

    def acquire(self, size: int) -> Future[None]:
        if size >= LARGE_BODY:
            return_large_buffers_to_the_system()
        with self._lock:
            if not self._waiting and self._fits(size):
                self.free -= size
                return GRANTED  # (most of the time: no future of its own to make)
            granted: Future[None] = Future()
            self._waiting.append((size, granted))
        return granted

    def _fits(self, size: int) -> bool:
        return self.free >= size or self.free == self.total

    def release(self, size: int) -> None:
        ready: list[Future[None]] = []
        with self._lock:
            self.free += size
            while self._waiting and self._fits(self._waiting[0][0]):
                wanted, granted = self._waiting.popleft()
                self.free -= wanted
                ready.append(granted)
        for granted in ready:
            granted.set_result(None)

    def cancel_waiting(self) -> None:
        """Interrupted: every transfer still waiting ends with ``Cancelled``."""
        with self._lock:
            waiting = [granted for _size, granted in self._waiting]
            self._waiting.clear()
        for granted in waiting:
            granted.set_exception(Cancelled())


class FilePart(io.RawIOBase):
    """``[start, start + length)`` of the open file ``fd`` as a request body, read straight into
    the buffer the CRT hands over (``os.preadv``: no copy in Python).

    An exception raised in ``readinto`` would be printed by awscrt as a traceback: instead the
    failure is kept in ``error`` and the body ends early, which fails the request
    (AWS_ERROR_S3_INCORRECT_CONTENT_LENGTH) before a byte is sent; the transfer raises
    ``error`` in its place.  A file shorter than the range has shrunk (``FileChangedError``);
    an interrupted command reads nothing more (``Cancelled``)."""

    def __init__(self, fd: int, start: int, length: int, path: str, cancellation: Any) -> None:
        super().__init__()
        self.fd = fd
        self.start = start
        self.length = length
        self.path = path
        self.cancellation = cancellation
        self.position = 0
        self.error: BaseException | None = None

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        self.position = seek_within(self.position, self.length, offset, whence)
        return self.position

    def tell(self) -> int:
        return self.position

    def readinto(self, buffer: Any) -> int:  # type: ignore[override]
        if self.error is not None:
            return 0
        if self.cancellation.cancelled:
            self.error = Cancelled()
            return 0
        want = min(len(buffer), self.length - self.position)
        if want <= 0:
            return 0
        view = memoryview(buffer).cast("B")[:want]
        try:
            got = _read_into(self.fd, view, self.start + self.position)
        except OSError as exc:
            self.error = exc
            return 0
        if got == 0:
            self.error = file_changed_size(self.path, self.start + self.position, self.start + self.length)
            return 0
        self.position += got
        return got


def _read_into(fd: int, view: memoryview, offset: int) -> int:
    """``os.preadv`` into ``view``; where there is none (Windows), ``os.pread`` and a copy."""
    if hasattr(os, "preadv"):
        return os.preadv(fd, [view], offset)
    data = os.pread(fd, len(view), offset)
    view[: len(data)] = data
    return len(data)


def upload(
    engine: CrtEngine,
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
    """engine/base.py's ``Engine.upload`` on the CRT (see the module's docstring)."""
    headers = object_headers(extra)
    if size <= part_size and size <= SMALL_BODY_MAX:
        yield from _put(engine, bucket, key, fd, size, path, headers, on_bytes)
    elif size <= part_size or upload_part_size(size, part_size) > PART_BODY_MAX:
        yield blocking(
            lambda: run_to_end(
                engine.botocore_engine().upload(
                    bucket, key, fd, size, path, part_size, concurrency, extra, on_bytes
                )
            )
        )
    else:
        upload_id = yield from _create(engine, bucket, key, headers)
        yield from _multipart(
            engine, bucket, key, upload_id, fd, size, path, part_size, concurrency, on_bytes
        )


def _send_part(
    engine: CrtEngine,
    bucket: str,
    key: str,
    fd: int,
    start: int,
    length: int,
    path: str,
    headers: list[tuple[str, str]],
    operation: str,
    query: str = "",
    on_bytes: ByteCounter | None = None,
) -> Future[Any]:
    """One PUT of ``[start, start + length)`` of the file (its bytes already in the budget,
    given back when it is over): the future of its ``Response``, failing with the body's own
    error if it had one (``CrtEngine.request``)."""
    heads = [*headers, ("Content-Length", str(length))]
    if length >= EXPECT_CONTINUE_FROM:
        heads.append(("Expect", "100-continue"))
    reopened = reopen_path(fd) if start == 0 else None
    if reopened is not None:
        # The CRT reads the file itself, in native code (no Python on its thread per body):
        # the file s3env opened, whatever is at its path now.  It sends exactly Content-Length
        # bytes (what grew since is not sent) and fails the request before it is complete
        # when there are fewer (measured on awscrt 0.38): that is the file shrinking.
        def shrank(_error: BaseException) -> BaseException | None:
            try:
                now = os.fstat(fd).st_size
            except OSError:
                return None
            return file_changed_size(path, now, length) if now < length else None

        sent = engine.request(
            "PUT", bucket, key, operation=operation, query=query, headers=heads,
            send_filepath=reopened, on_progress=on_bytes, body_failure=shrank,
        )  # fmt: skip
    else:
        body = FilePart(fd, start, length, path, engine.ctx.cancellation)
        sent = engine.request(
            "PUT", bucket, key, operation=operation, query=query, headers=heads, body=body,
            on_progress=on_bytes, body_failure=lambda _error: body.error,
        )  # fmt: skip
    sent.add_done_callback(lambda _sent: engine.body_budget.release(length))
    return sent


#: where an open file can be opened again by its descriptor (Linux), if anywhere
_REOPEN_DIRECTORY: str | None = None
_reopen_checked = False


def reopen_path(fd: int) -> str | None:
    """A path that opens the file open as ``fd`` (``/proc/self/fd/N``: the same file, even if
    it was renamed, replaced or removed since), or None where the system has none."""
    global _REOPEN_DIRECTORY, _reopen_checked
    if not _reopen_checked:
        _reopen_checked = True
        _REOPEN_DIRECTORY = "/proc/self/fd" if os.path.isdir("/proc/self/fd") else None
    return f"{_REOPEN_DIRECTORY}/{fd}" if _REOPEN_DIRECTORY is not None else None


def _put(
    engine: CrtEngine,
    bucket: str,
    key: str,
    fd: int,
    size: int,
    path: str,
    headers: list[tuple[str, str]],
    on_bytes: ByteCounter | None,
) -> Transfer:
    yield engine.body_budget.acquire(size)
    try:
        sending = _send_part(engine, bucket, key, fd, 0, size, path, headers, "PutObject", on_bytes=on_bytes)
    except BaseException:
        engine.body_budget.release(size)
        raise
    yield sending


def _create(engine: CrtEngine, bucket: str, key: str, headers: list[tuple[str, str]]) -> Transfer:
    """CreateMultipartUpload: its upload id, registered with the command's cancellation from
    the moment it exists (an interrupt aborts it: ``Context.interrupt``)."""
    cancellation = engine.ctx.cancellation
    with cancellation.creating_upload() as register:
        response = yield engine.request(
            "POST", bucket, key, operation="CreateMultipartUpload", query="uploads", headers=headers
        )
        upload_id = xml_text(bytes(response.body), "UploadId")
        if not upload_id:
            raise UnexpectedAnswer(f"CreateMultipartUpload gave no upload id: {bytes(response.body)[:200]!r}")
        register(upload_id, bucket, key)
    return upload_id


def _multipart(
    engine: CrtEngine,
    bucket: str,
    key: str,
    upload_id: str,
    fd: int,
    size: int,
    path: str,
    part_size: int,
    concurrency: int,
    on_bytes: ByteCounter | None,
) -> Transfer:
    """The parts (at most ``concurrency`` in flight, each waiting for its bytes in the budget),
    then CompleteMultipartUpload; on a failure the upload is aborted here, on an interrupt by
    ``Context.interrupt`` (it is registered)."""
    cancellation = engine.ctx.cancellation
    part = upload_part_size(size, part_size)
    starts = list(range(0, size, part))
    upload_query = f"uploadId={quote(upload_id, safe='')}"
    etags: dict[int, str] = {}
    pending: dict[Future[Any], int] = {}
    try:
        number = 0
        while number < len(starts) or pending:
            while number < len(starts) and len(pending) < max(1, concurrency):
                length = min(part, size - starts[number])
                yield engine.body_budget.acquire(length)
                cancellation.check()
                try:
                    sending = _send_part(
                        engine, bucket, key, fd, starts[number], length, path, [],
                        "UploadPart", f"partNumber={number + 1}&{upload_query}", on_bytes,
                    )  # fmt: skip
                except BaseException:
                    engine.body_budget.release(length)
                    raise
                number += 1
                pending[sending] = number
            yield first_done(list(pending))
            for sending in [f for f in pending if f.done()]:
                part_number = pending.pop(sending)
                etags[part_number] = sending.result().headers.get("etag", "")
        _check_size(fd, size, path)  # the last word before the upload is committed
        cancellation.check()
        body = complete_body(etags).encode()
        response = yield engine.request(
            "POST",
            bucket,
            key,
            operation="CompleteMultipartUpload",
            query=upload_query,
            headers=[("Content-Length", str(len(body)))],
            body=io.BytesIO(body),
        )
        error = error_in_ok_answer(
            response.status, response.headers, bytes(response.body), "CompleteMultipartUpload"
        )
        if error is not None:
            from s3env.shim.boto3.engine.crt_errors import translate

            raise translate(error, "POST", engine.url_of(bucket, key) + "?" + upload_query)
    except Exception:
        # The parts still in flight end first (each holds the file and the budget); the
        # first error is the one to report.
        if pending:
            yield all_done(list(pending))
        with contextlib.suppress(Exception):
            yield engine.request(
                "DELETE",
                bucket,
                key,
                operation="AbortMultipartUpload",
                query=upload_query,
                after_interrupt=True,
            )
        cancellation.drop_upload(upload_id)
        raise
    cancellation.drop_upload(upload_id)  # (interrupted: Context.interrupt aborts it)


def complete_body(etags: dict[int, str]) -> str:
    from xml.sax.saxutils import escape

    parts = "".join(
        f"<Part><ETag>{escape(etag)}</ETag><PartNumber>{number}</PartNumber></Part>"
        for number, etag in sorted(etags.items())
    )
    return f'<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">{parts}</CompleteMultipartUpload>'


class UnexpectedAnswer(Exception):
    """An answer S3 does not give (a 200 without what it must hold)."""


def xml_text(body: bytes, name: str) -> str:
    """The text of the first element ``name`` (any namespace) in an XML answer."""
    import xml.etree.ElementTree as ElementTree

    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError:
        return ""
    for element in root.iter():
        if element.tag == name or element.tag.endswith("}" + name):
            return element.text or ""
    return ""


def first_done(futures: list[Future[Any]]) -> Future[None]:
    """A future done as soon as one of ``futures`` is (whichever way it ended)."""
    either: Future[None] = Future()
    lock = threading.Lock()

    def one(_done: Future[Any]) -> None:
        with lock:
            if either.done():
                return
            either.set_result(None)

    for future in futures:
        future.add_done_callback(one)
    return either


def all_done(futures: list[Future[Any]]) -> Future[None]:
    """A future done once every one of ``futures`` is (whichever way they ended)."""
    every: Future[None] = Future()
    left = [len(futures)]
    lock = threading.Lock()

    def one(_done: Future[Any]) -> None:
        with lock:
            left[0] -= 1
            if left[0]:
                return
        every.set_result(None)

    if not futures:
        every.set_result(None)
    for future in futures:
        future.add_done_callback(one)
    return every


def _check_size(fd: int, size: int, path: str) -> None:
    now = os.fstat(fd).st_size
    if now < size:
        raise file_changed_size(path, now, size)


def copy(
    engine: CrtEngine,
    source_bucket: str,
    source_key: str,
    version_id: str,
    bucket: str,
    key: str,
    extra: dict[str, Any],
) -> Transfer:
    """A CopyObject as one CRT request (s5cmd's: one request whatever the size; the CRT's
    COPY_OBJECT would split a large object into UploadPartCopy requests).  An error S3 words
    in a 200 answer (the copy failed after the answer began) fails it, as botocore does."""
    headers = [
        ("x-amz-copy-source", copy_source(source_bucket, source_key, version_id)),
        *object_headers(extra),
        ("Content-Length", "0"),
    ]
    response = yield engine.request("PUT", bucket, key, operation="CopyObject", headers=headers)
    error = error_in_ok_answer(response.status, response.headers, bytes(response.body))
    if error is not None:
        from s3env.shim.boto3.engine.crt_errors import translate

        raise translate(error, "PUT", engine.url_of(bucket, key))


def error_in_ok_answer(
    status: int, headers: dict[str, str], body: bytes, operation: str = "CopyObject"
) -> BaseException | None:
    """An ``<Error>`` document in a 200 answer (CopyObject, CompleteMultipartUpload), as the
    ``S3ResponseError`` awscrt raises for an error status, for ``crt_errors.translate``."""
    if status != 200 or b"<Error>" not in body[:512]:
        return None
    import xml.etree.ElementTree as ElementTree

    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError:
        return None
    if root.tag != "Error":
        return None
    from awscrt.s3 import S3ResponseError

    return S3ResponseError(
        code=0,
        name="AWS_ERROR_S3_INVALID_RESPONSE_STATUS",
        message="Invalid response status from request",
        status_code=status,  # type: ignore[arg-type]  # awscrt's annotation is wrong: an int
        headers=list(headers.items()),
        body=body,
        operation_name=operation,
    )
