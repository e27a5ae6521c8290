"""Refusing what is not a regular file, and directories another user controls.

``s3env env``, the shim and the prompt-hook's files are read through here at shell start-up
(``os`` and ``stat`` only: the start-up budget, tests/test_import_budget.py), and the caches
(``cachefile``) use the same ownership rule.

- A file is read only when, after following links, it is a regular file: it is ``stat``-ed
  before it is opened (a device is never opened), opened non-blocking (a FIFO swapped in
  between cannot hang the read) and checked again on the open descriptor.
- ``make_private_dirs`` creates every missing directory of a path 0700 whatever the umask.
- ``private_dir_problem`` says why a directory must not hold secrets or shell code: it is not a
  directory, another user owns it, or its group or others may write in it (they could replace
  or plant files there).
"""

from __future__ import annotations

import os
import stat

from s3env.core.errors import NotRegularFile, UnsafeDirectory

PRIVATE_DIR_MODE = 0o700
_DIR_FLAGS = getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
_READ_FLAGS = (
    os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
)
_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISLNK, "a symbolic link"),
)


def kind_of(mode: int) -> str:
    """'a FIFO (named pipe)', 'a character device', …: what a non-regular ``st_mode`` is."""
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def not_regular(path: str, mode: int, *, doing: str = "cannot read", follow: bool = True) -> NotRegularFile:
    """The one-line refusal for ``path``, which is (through its links, with ``follow``) ``mode``."""
    real = os.path.realpath(path) if follow else os.path.abspath(path)
    shown = path if real == os.path.abspath(path) else f"{path} (-> {real})"
    return NotRegularFile(f"{doing} {shown}: it is {kind_of(mode)}, not a regular file")


def read_regular(path: str) -> bytes | None:
    """The bytes of ``path`` (links followed), None when it does not exist; NotRegularFile for
    anything but a regular file.  Never blocks on a FIFO, never opens a device."""
    found = read_regular_stat(path)
    return None if found is None else found[0]


def read_regular_text(path: str) -> str | None:
    """``read_regular`` decoded as UTF-8 (line endings as they are): another tool's file, whose
    undecodable text is one FileParseError naming the line."""
    data = read_regular(path)
    if data is None:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        from s3env.core.errors import FileParseError

        raise FileParseError(path, data[: exc.start].count(b"\n") + 1, "not valid UTF-8") from None


def read_regular_stat(path: str) -> tuple[bytes, os.stat_result] | None:
    """``read_regular`` with the ``fstat`` of the descriptor it read (mode and owner checks)."""
    try:
        before = os.stat(path)
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(before.st_mode):
        raise not_regular(path, before.st_mode)
    try:
        fd = os.open(path, _READ_FLAGS)
    except FileNotFoundError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise not_regular(path, info.st_mode)
        chunks = []
        while True:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks), info
    finally:
        os.close(fd)


def make_private_dirs(path: str) -> None:
    """Create ``path`` and every missing parent as 0700 (chmod-ed: the umask does not count).
    Existing directories are left as they are.  OSError when a component cannot be made."""
    missing: list[str] = []
    current = os.path.abspath(path)
    while not os.path.isdir(current):
        missing.append(current)
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    for directory in reversed(missing):
        try:
            os.mkdir(directory, PRIVATE_DIR_MODE)
        except FileExistsError:
            if os.path.isdir(directory):
                continue  # made by a concurrent process: checked by its caller like any other
            raise
        # fchmod through a descriptor opened without following links: a link swapped in after
        # the mkdir is refused rather than chmod-ed through.
        fd = os.open(directory, os.O_RDONLY | _DIR_FLAGS)
        try:
            os.fchmod(fd, PRIVATE_DIR_MODE)
        finally:
            os.close(fd)


def private_dir_problem(path: str) -> str | None:
    """Why ``path`` (links followed) must not hold secrets or shell code, or None when it is the
    user's own directory that no one else may write in (or does not exist yet)."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"{path} cannot be checked ({exc.strerror})"
    if not stat.S_ISDIR(info.st_mode):
        return f"{path} is {kind_of(info.st_mode)}, not a directory"
    reason = not_private(info)
    return None if reason is None else f"{path} {reason}"


def not_private(info: os.stat_result) -> str | None:
    """Why what ``info`` describes is not the user's alone to change ('belongs to uid …', 'is
    writable by …'), or None: the one rule for s3env's directories and the boto3 model cache."""
    if hasattr(os, "geteuid") and info.st_uid != os.geteuid():
        return f"belongs to uid {info.st_uid}, not to you (uid {os.geteuid()})"
    mode = stat.S_IMODE(info.st_mode)
    if os.name != "nt" and mode & 0o022:
        who = " and ".join(w for w, bit in (("its group", 0o020), ("others", 0o002)) if mode & bit)
        return f"is writable by {who} (mode {mode:04o})"
    return None


def check_private_dir(path: str) -> None:
    """UnsafeDirectory unless ``path`` is the user's own and no one else may write in it."""
    problem = private_dir_problem(path)
    if problem is not None:
        raise UnsafeDirectory(
            f"{problem}: s3env will not write secrets or shell code there (see 's3env doctor')"
        )
