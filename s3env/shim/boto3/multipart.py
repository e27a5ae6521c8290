"""Upload one local file: a single streamed PUT up to the part size, else a multipart upload
with parts sent in parallel, each read from the open file (``os.pread``) as it is sent.

Why not s3transfer (boto3's managed upload): it cannot be stopped.  Its futures run to the end
of the file once started, its CompleteMultipartUpload goes out whatever happened meanwhile, and
it opens the file again by name for every part (so a file swapped during the upload would be
read in part).  This is aws-sdk-go's ``s3manager.Uploader`` as s5cmd uses it:

- a file of at most ``part_size`` bytes is one PutObject (s3transfer made a file of exactly
  the part size a one-part multipart upload, whose ETag differs from s5cmd's);
- a part size that would need more than 10,000 parts becomes ``size // 10000 + 1``;
- on any failure the upload is aborted (``LeavePartsOnError`` is false);
- and, unlike s5cmd (which leaves the upload behind when interrupted, its abort carrying the
  cancelled context), an interrupted upload is aborted too: the upload id is registered with
  the command's ``Cancellation`` from the moment it exists.

Every read of a body first checks the command's cancellation (``Cancelled``), so an interrupt
stops a part mid-stream and the server never gets a complete body; the client's
``before-send`` hook stops any request not yet sent, CompleteMultipartUpload included.  A body
is exactly the file's size (or the part's) when the upload began: a file that shrinks fails at
once (``file_changed_size``), one that grows is sent as it was.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from typing import Any

from s3env.shim.boto3.cancel import Cancellation, Cancelled

MAX_UPLOAD_PARTS = 10_000


def seek_within(position: int, length: int, offset: int, whence: int) -> int:
    """A body's new position after ``seek(offset, whence)``, within ``[0, length]``."""
    if whence == os.SEEK_CUR:
        offset += position
    elif whence == os.SEEK_END:
        offset += length
    return max(0, min(offset, length))


class FileChangedError(Exception):
    """The file ended before the size it had when its upload began."""


def file_changed_size(path: str, got: int, want: int) -> FileChangedError:
    return FileChangedError(f"{path} shrank during the upload: it ends at byte {got}, before byte {want}")


def upload_part_size(size: int, part_size: int) -> int:
    """aws-sdk-go ``uploader.initSize``: grow the part size when the parts would be too many."""
    if size // part_size >= MAX_UPLOAD_PARTS:
        return size // MAX_UPLOAD_PARTS + 1
    return part_size


class FileRange:
    """``[start, start + length)`` of an open file as a request body: seekable (botocore rewinds
    it to sign it and to retry), read with ``os.pread`` (parts read in parallel share the
    descriptor, not an offset), checked for an interrupt before every read.

    Progress is counted only while the body is being sent (``signal_transferring``; botocore
    may read it whole to sign it first), and taken back when it is rewound for a retry."""

    def __init__(
        self,
        fd: int,
        start: int,
        length: int,
        path: str,
        cancellation: Cancellation,
        stop: threading.Event | None = None,
        on_bytes: Callable[[int], None] | None = None,
    ) -> None:
        self.fd = fd
        self.start = start
        self.length = length
        self.path = path
        self.cancellation = cancellation
        self.stop = stop
        self.on_bytes = on_bytes
        self.position = 0
        self.transferring = False
        self.counted = 0

    def signal_transferring(self) -> None:
        self.transferring = True

    def signal_not_transferring(self) -> None:
        self.transferring = False

    def read(self, amount: int | None = -1) -> bytes:
        self.cancellation.check()
        if self.stop is not None and self.stop.is_set():
            raise Cancelled  # another part failed: this one is not needed any more
        left = max(self.length - self.position, 0)
        want = left if amount is None or amount < 0 else min(amount, left)
        if want == 0:
            return b""
        data = os.pread(self.fd, want, self.start + self.position)
        if len(data) < want:
            got = self.start + self.position + len(data)
            raise file_changed_size(self.path, got, self.start + self.length)
        self.position += len(data)
        if self.transferring and self.on_bytes is not None:
            self.on_bytes(len(data))
            self.counted += len(data)
        return data

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        self.position = seek_within(self.position, self.length, offset, whence)
        if self.transferring and self.on_bytes is not None and self.counted:
            self.on_bytes(-self.counted)  # a retry sends it again
            self.counted = 0
        return self.position

    def tell(self) -> int:
        return self.position


class Upload:
    """One file (an open descriptor, its size when the upload began) to ``bucket/key``."""

    def __init__(
        self,
        client: Any,
        bucket: str,
        key: str,
        fd: int,
        size: int,
        path: str,
        part_size: int,
        concurrency: int,
        extra: dict[str, Any],
        cancellation: Cancellation,
        on_bytes: Callable[[int], None] | None = None,
    ) -> None:
        self.client = client
        self.bucket = bucket
        self.key = key
        self.fd = fd
        self.size = size
        self.path = path
        self.part_size = max(1, part_size)
        self.concurrency = max(1, concurrency)
        self.extra = extra
        self.cancellation = cancellation
        self.on_bytes = on_bytes

    def run(self) -> None:
        self.cancellation.check()
        if self.size <= self.part_size:
            body = FileRange(self.fd, 0, self.size, self.path, self.cancellation, on_bytes=self.on_bytes)
            self.client.put_object(Bucket=self.bucket, Key=self.key, Body=body, **self.extra)
            return
        self._multipart()

    def _multipart(self) -> None:
        part_size = upload_part_size(self.size, self.part_size)
        with self.cancellation.creating_upload() as register:
            created = self.client.create_multipart_upload(Bucket=self.bucket, Key=self.key, **self.extra)
            upload_id = created["UploadId"]
            register(upload_id, self.bucket, self.key)  # from now on an interrupt aborts it
        ids = {"Bucket": self.bucket, "Key": self.key, "UploadId": upload_id}
        try:
            self.cancellation.check()
            parts = self._send_parts(upload_id, part_size)
            self.cancellation.check()
            self.client.complete_multipart_upload(**ids, MultipartUpload={"Parts": parts})
        except BaseException:
            with contextlib.suppress(Exception):  # the first error is the one to report
                self.client.abort_multipart_upload(**ids)
            raise
        finally:
            self.cancellation.drop_upload(upload_id)

    def _send_parts(self, upload_id: str, part_size: int) -> list[dict[str, Any]]:
        stop = threading.Event()
        starts = range(0, self.size, part_size)

        def send(number: int, start: int) -> dict[str, Any]:
            length = min(part_size, self.size - start)
            body = FileRange(self.fd, start, length, self.path, self.cancellation, stop, self.on_bytes)
            response = self.client.upload_part(
                Bucket=self.bucket, Key=self.key, UploadId=upload_id, PartNumber=number, Body=body
            )
            return {"ETag": response["ETag"], "PartNumber": number}

        workers = min(self.concurrency, len(starts))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="s3env-part") as pool:
            futures = [pool.submit(send, number, start) for number, start in enumerate(starts, 1)]
            done, _pending = wait(futures, return_when=FIRST_EXCEPTION)
            failures = [f.exception() for f in futures if f in done and f.exception() is not None]
            if failures:
                stop.set()
                for future in futures:
                    future.cancel()
                # The part's own error, rather than a Cancelled another part raised after it.
                first = next((e for e in failures if not isinstance(e, Cancelled)), failures[0])
                raise first
        return [future.result() for future in futures]
