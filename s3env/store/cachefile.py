"""s3env's one fast-start mechanism: a ``marshal`` file that saves parsing, read only when it is
safely the user's own, written atomically.

Two caches use it: ``storefile`` keeps the parsed ``profiles.toml`` beside it (read by ``s3env
env``, ``exec``, the shim and ``ProfileStore``), and the boto3 backend keeps botocore's parsed
data files in s3env's cache directory (``shim/boto3/models.py``).  A cache only saves time: every
caller has the slow way to the same answer, and takes it whenever ``read`` says None.

Reading (``read``) trusts a file only when planting or changing it needed the user's own rights:

- the directory is opened without following a link (``O_NOFOLLOW``) and must be a directory the
  user owns that no one else may write in (``fileguard.not_private``); the file is then opened
  relative to that descriptor, so neither can be swapped between the check and the read;
- the file is opened with ``O_NOFOLLOW`` (a link is refused) and ``O_NONBLOCK`` (a FIFO planted
  there cannot block the command), and must be a regular file the user owns that no one else may
  write, no larger than the caller's cap;
- it holds ``{"key": …, "crc": CRC-32 of payload, "payload": marshal bytes}``; a key other than
  the caller's, a wrong CRC or anything that does not unmarshal is None (a truncated, corrupted,
  foreign or older file).  The caller still checks the shape of what it gets.

Writing (``write``) creates a temp file 0600 with ``O_EXCL`` relative to the checked directory and
renames it over the old one; the directory (and every parent s3env has to create, if asked) is
made 0700 whatever the umask; a directory others can write is neither read nor written; a failed
write is silent.

Only ``os``, ``stat``, ``marshal`` and ``zlib`` (the start-up budget: tests/test_import_budget.py).
No secret is ever written here: each caller says why its content holds none.
"""

from __future__ import annotations

import marshal
import os
import stat

from s3env.store import fileguard

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_O_DIRECTORY = getattr(os, "O_DIRECTORY", 0)


def read(path: str, key: Any, *, max_size: int) -> Any:
    """The content written with ``key`` to ``path``, or None when the file is missing, not
    safely the user's, larger than ``max_size``, for another key, or damaged."""
    blob = read_trusted(path, max_size=max_size)
    if blob is None:
        return None
    import zlib

    try:
        outer = marshal.loads(blob)
    except (EOFError, ValueError, TypeError):
        return None
    if not isinstance(outer, dict) or outer.get("key") != key:
        return None
    payload, crc = outer.get("payload"), outer.get("crc")
    if not isinstance(payload, bytes) or not isinstance(crc, int) or zlib.crc32(payload) != crc:
        return None
    try:
        return marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return None


def write(
    path: str,
    key: Any,
    content: Any,
    *,
    temp_prefix: str,
    make_dirs: bool = True,
    version: int = marshal.version,
) -> None:
    """Atomically replace ``path`` with ``content`` under ``key`` (0600, in a private directory);
    failures are ignored.  ``make_dirs``: create the directory and its missing parents 0700.
    ``version`` 2 (no shared references) makes the bytes a function of ``content`` alone."""
    import zlib

    directory, name = os.path.split(path)
    try:
        payload = marshal.dumps(content, version)
        blob = marshal.dumps({"key": key, "crc": zlib.crc32(payload), "payload": payload}, version)
        if make_dirs:
            fileguard.make_private_dirs(directory)
    except (OSError, ValueError):
        return
    if not _relative_ops():
        _write_by_path(directory, name, blob, temp_prefix)
        return
    dir_fd = _open_trusted_dir(directory)
    if dir_fd is None:
        return
    temp = f"{temp_prefix}{os.getpid()}-{os.urandom(6).hex()}"
    try:
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_NOFOLLOW | _O_CLOEXEC
        fd = os.open(temp, flags, 0o600, dir_fd=dir_fd)
    except OSError:
        os.close(dir_fd)
        return
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(blob)
        os.replace(temp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except BaseException as exc:  # a Ctrl-C mid-write too: no temp file is left
        import contextlib

        with contextlib.suppress(OSError):
            os.unlink(temp, dir_fd=dir_fd)
        if not isinstance(exc, OSError):
            raise
    finally:
        os.close(dir_fd)


def remove(path: str) -> None:
    """Delete the cache file if it is there (in a directory that is the user's own)."""
    import contextlib

    directory, name = os.path.split(path)
    if not _relative_ops():
        with contextlib.suppress(OSError):
            info = os.lstat(directory)
            if stat.S_ISDIR(info.st_mode) and fileguard.not_private(info) is None:
                os.unlink(path)
        return
    dir_fd = _open_trusted_dir(directory)
    if dir_fd is None:
        return
    try:
        with contextlib.suppress(OSError):
            os.unlink(name, dir_fd=dir_fd)
    finally:
        os.close(dir_fd)


def read_trusted(path: str, *, max_size: int) -> bytes | None:
    """The bytes of ``path`` if it and its directory are safely the user's own (see above)."""
    directory, name = os.path.split(path)
    flags = os.O_RDONLY | _O_NOFOLLOW | _O_NONBLOCK | _O_CLOEXEC
    if _relative_ops():
        dir_fd = _open_trusted_dir(directory)
        if dir_fd is None:
            return None
        try:
            fd = os.open(name, flags, dir_fd=dir_fd)
        except OSError:
            return None
        finally:
            os.close(dir_fd)
    else:  # no *at() calls (Windows): the same checks, by path
        try:
            if fileguard.not_private(os.lstat(directory)) is not None or os.path.islink(directory):
                return None
            fd = os.open(path, flags)
        except OSError:
            return None
    try:
        with os.fdopen(fd, "rb") as fh:
            info = os.fstat(fh.fileno())
            if (
                not stat.S_ISREG(info.st_mode)
                or fileguard.not_private(info) is not None
                or info.st_size > max_size
            ):
                return None
            data = fh.read(max_size + 1)
            return data if len(data) <= max_size else None
    except OSError:
        return None


def _open_trusted_dir(directory: str) -> int | None:
    """A descriptor for ``directory`` if it is a real directory (not a link), the user's own and
    writable by no one else; None otherwise."""
    try:
        fd = os.open(directory, os.O_RDONLY | _O_DIRECTORY | _O_NOFOLLOW | _O_CLOEXEC)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
    except OSError:
        os.close(fd)
        return None
    if not stat.S_ISDIR(info.st_mode) or fileguard.not_private(info) is not None:
        os.close(fd)
        return None
    return fd


def _relative_ops() -> bool:
    return os.open in os.supports_dir_fd and os.replace in os.supports_dir_fd


def _write_by_path(directory: str, name: str, blob: bytes, temp_prefix: str) -> None:
    import tempfile

    try:
        info = os.lstat(directory)
        if not stat.S_ISDIR(info.st_mode) or fileguard.not_private(info) is not None:
            return
        fd, temp = tempfile.mkstemp(dir=directory, prefix=temp_prefix)
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(blob)
        os.replace(temp, os.path.join(directory, name))
    except BaseException as exc:
        import contextlib

        with contextlib.suppress(OSError):
            os.unlink(temp)
        if not isinstance(exc, OSError):
            raise
