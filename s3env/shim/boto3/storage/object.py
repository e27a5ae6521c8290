"""s5cmd's ``storage.Object``: one file or S3 object a listing or a stat found, or the error a
listing met in its place."""

from __future__ import annotations

import datetime as dt
from typing import Any

from s3env.shim.boto3.errors import ShimError
from s3env.shim.boto3.gofmt import go_local_time_json, go_time_json
from s3env.shim.boto3.urls import ObjectURL

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
GLACIER_CLASSES = ("GLACIER", "DEEP_ARCHIVE")


def to_ns(moment: dt.datetime) -> int:
    """A datetime as nanoseconds since the epoch, exactly (no float on the way)."""
    return (moment - EPOCH) // dt.timedelta(microseconds=1) * 1000


class Object:
    """What s5cmd's ``storage.Object`` holds.

    ``url`` carries the object's path relative to what was listed (``url.relative()``) and,
    for an object version, its version id; ``mtime_ns`` is the modification time in
    nanoseconds since the epoch (a local file's to the nanosecond, an S3 object's as S3 gives
    it); ``is_dir``/``is_regular`` are s5cmd's ``ObjectType`` (a key ending in ``/`` is a
    directory; a FIFO or socket is neither); ``err`` makes the object an error entry of a
    listing, with nothing else set.
    """

    # A plain class, not a dataclass: making the dataclass cost ~0.6 ms of every command's start.
    __slots__ = (
        "err",
        "etag",
        "is_dir",
        "is_regular",
        "mtime_ns",
        "size",
        "storage_class",
        "url",
        "version_id",
    )

    def __init__(
        self,
        url: ObjectURL | None = None,
        etag: str = "",
        mtime_ns: int | None = None,
        is_dir: bool = False,
        is_regular: bool = True,
        size: int = 0,
        storage_class: str = "",
        err: ShimError | None = None,
        version_id: str = "",
    ) -> None:
        self.url = url
        self.etag = etag
        self.mtime_ns = mtime_ns
        self.is_dir = is_dir
        self.is_regular = is_regular
        self.size = size
        self.storage_class = storage_class
        self.err = err
        self.version_id = version_id

    def _fields(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._fields() == other._fields()  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]  # mutable, as the dataclass was

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"Object({fields})"

    @classmethod
    def error(cls, err: ShimError) -> Object:
        return cls(err=err)

    @property
    def modified(self) -> dt.datetime | None:
        """An S3 object's time (UTC) as a datetime."""
        if self.mtime_ns is None:
            return None
        return EPOCH + dt.timedelta(microseconds=self.mtime_ns // 1000)

    @property
    def is_local(self) -> bool:
        return self.url is not None and not self.url.is_remote()

    @property
    def on_glacier(self) -> bool:
        return self.storage_class in GLACIER_CLASSES

    def to_json(self) -> dict[str, Any]:
        """The object as s5cmd marshals it: empty fields left out, ``type`` always there
        (``file`` also for an object of no known type); never its version id."""
        obj: dict[str, Any] = {}
        if self.url is not None:
            obj["key"] = self.url.absolute()
        if self.etag:
            obj["etag"] = self.etag
        if self.mtime_ns is not None:
            if self.is_local:  # a file's ModTime is in local time, to the nanosecond
                obj["last_modified"] = go_local_time_json(self.mtime_ns)
            else:
                obj["last_modified"] = go_time_json(self.modified)  # type: ignore[arg-type]
        obj["type"] = "directory" if self.is_dir else "file"
        if self.size:
            obj["size"] = self.size
        if self.storage_class:
            obj["storage_class"] = self.storage_class
        return obj
