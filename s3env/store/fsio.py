"""The only module that writes files: atomic replace, an inter-process lock, 0600 backups.

Why each step:
- the new content goes to a temp file in the *target's* directory (rename is atomic only
  within one filesystem), is fsynced, then renamed over the target, and the directory is
  fsynced, so a crash leaves either the old or the new file, never a mix;
- the temp file is created 0600 from the first byte, so a secret is never briefly readable;
- a symlink (dotfile managers) is written through to its target and the link is kept, but
  only to a regular file (or a missing one): a link to a FIFO, a device or a directory is
  refused before anything is written (``check_write_target``), and reads never block;
- an existing file keeps its mode and owner (tightened to 0600 when it holds secrets);
- directories s3env creates are 0700, parents included, whatever the umask; the store's own
  (the lock's directory, ``backups/``) must be the user's and closed to others.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from s3env.core.errors import FileWriteError
from s3env.store import fileguard

SECRET_MODE = 0o600
_REFUSE_WRITE = "refusing to write through"
_REFUSE_LOCK = "refusing to lock with"
_held: dict[str, int] = {}  # lock path -> depth, so a holder may re-enter (flock is per open file)
_held_guard = threading.RLock()


def resolve_target(path: Path) -> Path:
    """Follow symlinks so the link itself survives a write."""
    return Path(os.path.realpath(path))


def read_text_exact(path: Path) -> str | None:
    """The file's text with its own line endings (no newline translation), or None if absent.
    NotRegularFile for a FIFO, device or directory (never opened for a blocking read)."""
    data = fileguard.read_regular(str(path))
    return None if data is None else data.decode("utf-8")


def check_write_target(path: Path) -> None:
    """Refuse, before anything is written, what ``atomic_write_bytes(path)`` could not do safely:
    a target that is (through links) not a regular file, or a directory that is not one."""
    target = resolve_target(path)
    try:
        info = os.lstat(target)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise FileWriteError(f"cannot stat {target}: {exc.strerror}") from None
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise fileguard.not_regular(str(path), info.st_mode, doing=_REFUSE_WRITE)
    directory = target.parent
    while not directory.exists():  # created by the write; its nearest existing parent must be a dir
        if directory.is_symlink():
            raise FileWriteError(f"cannot create directory {directory}: it is a dangling link")
        directory = directory.parent
    if not directory.is_dir():
        raise FileWriteError(f"cannot write {path}: {directory} is not a directory")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise FileWriteError(f"cannot write {path}: no permission to write in {directory}")


def make_dirs(directory: Path) -> None:
    """``directory`` and its missing parents, each created 0700 (FileWriteError on failure)."""
    try:
        fileguard.make_private_dirs(str(directory))
    except OSError as exc:
        raise FileWriteError(f"cannot create directory {directory}: {exc.strerror}") from None


def ensure_private_dir(directory: Path) -> None:
    """``make_dirs``, then UnsafeDirectory unless it is the user's and closed to others."""
    make_dirs(directory)
    fileguard.check_private_dir(str(directory))


def atomic_write_text(path: Path, text: str, *, secret: bool = False, new_file_mode: int = 0o644) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), secret=secret, new_file_mode=new_file_mode)


def atomic_write_bytes(path: Path, data: bytes, *, secret: bool = False, new_file_mode: int = 0o644) -> None:
    target = resolve_target(path)
    directory = target.parent
    make_dirs(directory)

    try:
        existing = os.lstat(target)
    except FileNotFoundError:
        existing = None
    except OSError as exc:
        raise FileWriteError(f"cannot stat {target}: {exc.strerror}") from None
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        raise fileguard.not_regular(str(path), existing.st_mode, doing=_REFUSE_WRITE)

    if existing is not None:
        mode = stat.S_IMODE(existing.st_mode)
        if secret:
            mode &= SECRET_MODE
    else:
        mode = SECRET_MODE if secret else new_file_mode & ~_current_umask()

    _remove_stale_temps(directory, target.name)
    tmp = directory / f".{target.name}.s3env-{os.getpid()}-{threading.get_ident()}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), SECRET_MODE)
    except FileExistsError:
        os.unlink(tmp)  # a leftover of a killed writer with our pid: stale by construction
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, SECRET_MODE)
    except OSError as exc:
        raise FileWriteError(f"cannot write in {directory}: {exc.strerror}") from None
    try:
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
            if existing is not None and hasattr(os, "fchown"):
                with contextlib.suppress(PermissionError):
                    if (existing.st_uid, existing.st_gid) != (os.getuid(), os.getgid()):
                        os.fchown(fd, existing.st_uid, existing.st_gid)
            os.fchmod(fd, mode)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise FileWriteError(f"cannot write {target}: {exc.strerror}") from None
    _fsync_dir(directory)


def remove_file(path: Path) -> None:
    """Remove a regular file s3env owns whole (not through a link: the link itself would go);
    absent already is fine.  FileWriteError otherwise."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise FileWriteError(f"cannot stat {path}: {exc.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        raise fileguard.not_regular(str(path), info.st_mode, doing="refusing to remove", follow=False)
    try:
        os.unlink(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise FileWriteError(f"cannot remove {path}: {exc.strerror}") from None
    _fsync_dir(path.parent)


def _remove_stale_temps(directory: Path, name: str) -> None:
    """Temp files left by a writer that was killed (its pid is gone): 0600, but litter.

    ``name`` is the target's file name; ``*`` matches the temps of every target in the
    directory (backups get a new name each time, so their temps are swept that way).
    """
    prefix = "." if name == "*" else f".{name}."
    try:
        entries = [
            e for e in os.listdir(directory) if e.startswith(prefix) and ".s3env-" in e and e.endswith(".tmp")
        ]
    except OSError:
        return
    for entry in entries:
        pid_text = entry.rsplit(".s3env-", 1)[1].split("-", 1)[0]
        if not pid_text.isdigit() or _pid_alive(int(pid_text)):
            continue
        with contextlib.suppress(OSError):
            os.unlink(directory / entry)


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        dfd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def _current_umask() -> int:
    # os.umask can only be read by setting it; done under a lock so threads do not race.
    with _held_guard:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


@contextlib.contextmanager
def locked(lock_path: Path, timeout: float = 30.0) -> Iterator[None]:
    """An exclusive inter-process lock on ``lock_path`` (re-entrant within a process)."""
    key = str(lock_path)
    with _held_guard:
        if _held.get(key):
            _held[key] += 1
            reentered = True
        else:
            reentered = False
    if reentered:
        try:
            yield
        finally:
            with _held_guard:
                _held[key] -= 1
        return

    ensure_private_dir(lock_path.parent)
    fd = _open_lock(lock_path)
    try:
        _acquire(fd, lock_path, timeout)
        with _held_guard:
            _held[key] = 1
        try:
            yield
        finally:
            with _held_guard:
                _held.pop(key, None)
            _release(fd)
    finally:
        os.close(fd)


_LOCK_FLAGS = (
    os.O_RDWR
    | os.O_CREAT
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_NOFOLLOW", 0)  # s3env's own file: a link there was put by someone else
    | getattr(os, "O_NONBLOCK", 0)  # a FIFO planted as the lock must not hang the open
    | getattr(os, "O_NOCTTY", 0)
)


def _open_lock(lock_path: Path) -> int:
    """The lock file, opened without following a link; refused unless it is a regular file."""
    with contextlib.suppress(FileNotFoundError):
        info = os.lstat(lock_path)
        if not stat.S_ISREG(info.st_mode):  # a device is refused before it is ever opened
            raise fileguard.not_regular(str(lock_path), info.st_mode, doing=_REFUSE_LOCK, follow=False)
    try:
        fd = os.open(lock_path, _LOCK_FLAGS, SECRET_MODE)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise fileguard.not_regular(
                str(lock_path), stat.S_IFLNK, doing=_REFUSE_LOCK, follow=False
            ) from None
        raise FileWriteError(f"cannot open lock file {lock_path}: {exc.strerror}") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise fileguard.not_regular(str(lock_path), info.st_mode, doing=_REFUSE_LOCK)
    return fd


def _acquire(fd: int, lock_path: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    delay = 0.002
    while True:
        try:
            _try_lock(fd)
            return
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise FileWriteError(f"cannot lock {lock_path}: {exc.strerror}") from None
        if time.monotonic() >= deadline:
            raise FileWriteError(f"timed out waiting for the lock {lock_path} (another s3env is writing)")
        time.sleep(delay)
        delay = min(delay * 2, 0.05)


if os.name == "nt":  # pragma: no cover - exercised only on Windows
    import msvcrt

    def _try_lock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

    def _release(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _release(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


def write_backup(backup_dir: Path, label: str, data: bytes, keep: int = 3) -> Path:
    """Keep ``data`` as a 0600 backup named after ``label``; prune to the newest ``keep``."""
    ensure_private_dir(backup_dir)
    _remove_stale_temps(backup_dir, "*")
    now = time.time_ns()  # one reading: a second boundary between two would misorder backups
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now // 1_000_000_000))
    base = f"{label}.{stamp}-{now % 1_000_000_000:09d}.bak"
    target = backup_dir / base
    atomic_write_bytes(target, data, secret=True)
    siblings = sorted(p for p in backup_dir.glob(f"{label}.*.bak") if p.is_file())
    for old in siblings[:-keep] if keep > 0 else siblings:
        with contextlib.suppress(OSError):
            old.unlink()
    return target
