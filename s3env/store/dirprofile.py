"""The nearest ``.s3env`` file: the directory rule of ``s3env.core.choose``.

From the current directory up to ``/``, the first ``.s3env`` that is honoured decides.  The
rules, the same as the shell hooks of ``s3env shell-init`` apply (docs/guide.md, "Which profile
applies"):

- only a regular file (not a symbolic link, not a directory or FIFO) owned by the current user
  is honoured; any other ``.s3env`` is ignored as if it were not there, and the walk goes on to
  the parent (someone else's file must not choose where your data goes);
- only its first line is read, with leading and trailing spaces and tabs stripped; it must be a
  valid profile name (``model.is_profile_name``).  Nothing else in the file is read and nothing
  in it runs;
- a first line that is not a valid name is an error naming the file (``DirectoryProfileError``);
  whether the name is a profile of the store is the caller's check.

The current directory is ``$PWD`` when that names it (the shell's path, symbolic links and all,
which is what the hooks walk), else ``os.getcwd()``.  This runs in ``s3env env`` at shell
start-up: ``os`` and ``stat`` only (tests/test_import_budget.py), one ``lstat`` per level.
"""

from __future__ import annotations

import os
import stat

from s3env.core.choose import DIRECTORY, DIRECTORY_FILE, choose_profile, pinned_name
from s3env.core.errors import DirectoryProfileError
from s3env.core.model import is_profile_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

_READ_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
)
#: A first line longer than this cannot hold a profile name (64 characters) and blanks.
_MOST = 4096


def current_dir(environ: Mapping[str, str] | None = None) -> str | None:
    """The shell's current directory: ``$PWD`` when it is absolute and is the current directory
    (as bash and zsh check it), else ``os.getcwd()``; None when the current directory is gone."""
    environ = os.environ if environ is None else environ
    pwd = environ.get("PWD", "")
    if pwd.startswith("/"):
        try:
            here, there = os.stat("."), os.stat(pwd)
        except OSError:
            pass
        else:
            if (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino):
                return pwd
    try:
        return os.getcwd()
    except OSError:
        return None


def find_directory_profile(
    cwd: str | None = None, environ: Mapping[str, str] | None = None
) -> tuple[str, str] | None:
    """(profile name, path of its ``.s3env``) of the nearest honoured ``.s3env`` at or above
    ``cwd`` (default: ``current_dir(environ)``), or None.  ``DirectoryProfileError`` when its
    first line is not a valid profile name."""
    directory = current_dir(environ) if cwd is None else os.path.abspath(cwd)
    if directory is None:
        return None
    uid = os.geteuid() if hasattr(os, "geteuid") else None
    while True:
        path = os.path.join(directory, DIRECTORY_FILE)
        line = _first_line(path, uid)
        if line is not None:
            name = line.strip(" \t")
            if not is_profile_name(name):
                raise DirectoryProfileError(path, name, "not a valid profile name")
            return name, path
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def _first_line(path: str, uid: int | None) -> str | None:
    """The first line of ``path`` (without its line break) when it is a ``.s3env`` to honour:
    a regular file, not a link, owned by ``uid``; else None."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode) or (uid is not None and info.st_uid != uid):
        return None
    try:
        fd = os.open(path, _READ_FLAGS)
    except OSError:  # swapped for a link since the lstat, gone, unreadable: not honoured
        return None
    try:
        opened = os.fstat(fd)
        if (opened.st_dev, opened.st_ino) != (info.st_dev, info.st_ino) or not stat.S_ISREG(opened.st_mode):
            return None
        data = b""
        while b"\n" not in data and len(data) < _MOST:
            chunk = os.read(fd, _MOST)
            if not chunk:
                break
            data += chunk
    except OSError:
        return None
    finally:
        os.close(fd)
    return data.split(b"\n", 1)[0].decode("utf-8", "replace")


def choose_here(
    name: str | None, environ: Mapping[str, str], cwd: str | None, active: str | None
) -> tuple[str, str, str | None]:
    """(profile, source, ``.s3env`` path or None): ``core.choose`` asked with what applies here —
    the environment's pin, and the nearest ``.s3env`` (looked for only when neither ``name`` nor
    a pin decides, so a broken file there does not matter).  The path is that of the ``.s3env``
    that chose the profile, else None."""
    pinned = pinned_name(environ) if name is None else None
    directory = find_directory_profile(cwd, environ) if name is None and pinned is None else None
    chosen, source = choose_profile(name, pinned, directory, active)
    return chosen, source, directory[1] if directory is not None and source == DIRECTORY else None
