"""The local filesystem as s5cmd's ``storage/fs.go`` sees it: stat, glob, walk, list, and the
few writes a download needs (``mkdir_all``), with Go's error texts.

Links as s5cmd takes them: ``follow`` (cp/mv/sync without ``--no-follow-symlinks``) applies
to directory walks only; without it a walk skips every link it meets (whatever it points at,
even nowhere) and a link given as the root.  ``ls``/``du``, ``rm`` and sync's listing of a
local destination never follow links.  A FIFO or socket is listed as not regular, and is
never opened (``open_source_file`` opens with ``O_NONBLOCK`` and checks again, should one take
a file's place after the listing).
"""

from __future__ import annotations

import contextlib
import errno
import os
import posixpath
import re
import stat as stat_module
from collections.abc import Callable, Iterator

from s3env.shim.boto3.errors import NotFound, ShimError, go_os_error
from s3env.shim.boto3.gofmt import go_quote
from s3env.shim.boto3.storage.object import Object
from s3env.shim.boto3.urls import ObjectURL, go_clean, local_url, set_relative


def stat(url: ObjectURL) -> Object:
    """s5cmd ``Filesystem.Stat`` (following links): ``NotFound`` when nothing is there."""
    return _stat_object(url, os.stat)


def _stat_object(url: ObjectURL, stat_of: Callable[[str], os.stat_result]) -> Object:
    path = url.absolute()
    try:
        st = stat_of(path)
    except FileNotFoundError:
        raise NotFound(path) from None
    except OSError as exc:
        raise ShimError(go_os_error("stat", path, exc)) from None
    return Object(
        url=url,
        size=st.st_size,
        mtime_ns=st.st_mtime_ns,
        is_dir=stat_module.S_ISDIR(st.st_mode),
        is_regular=stat_module.S_ISREG(st.st_mode),
    )


def is_symlink(path: str) -> bool:
    """s5cmd ``ShouldProcessURL``'s test, an ``lstat`` of the path as written (a trailing
    ``/`` makes the system follow a link to a directory)."""
    try:
        return stat_module.S_ISLNK(os.lstat(path).st_mode)
    except OSError:
        return True  # s5cmd: "do not process" when lstat fails


# ---- Go's filepath.Glob ------------------------------------------------------------------------


def _go_match_regex(pattern: str) -> re.Pattern[str]:
    """Go ``filepath.Match`` on one path element, as a regex."""
    out, i = [], 0
    while i < len(pattern):
        char = pattern[i]
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "\\" and i + 1 < len(pattern):
            i += 1
            out.append(re.escape(pattern[i]))
        elif char == "[":
            end = pattern.find("]", i + 2)
            if end < 0:
                raise ShimError("syntax error in pattern")
            body = pattern[i + 1 : end]
            negate = body.startswith("^")
            body = body[1:] if negate else body
            out.append("[" + ("^" if negate else "") + body.replace("\\", "\\\\") + "]")
            i = end
        else:
            out.append(re.escape(char))
        i += 1
    return re.compile("".join(out) + r"\Z", re.S)


def go_glob(pattern: str) -> list[str]:
    """Go ``filepath.Glob``: ``*`` stops at ``/``, dot files match, results sorted per directory."""
    if not any(c in pattern for c in "*?[\\"):
        return [pattern] if os.path.lexists(pattern) else []
    directory, _, name = pattern.rpartition("/")
    directory = directory + "/" if _ else ""
    if directory == "":
        directory = "."
    elif directory != "/":
        directory = directory[:-1]
    if not any(c in directory for c in "*?[\\"):
        return _glob_in(directory, name)
    matches: list[str] = []
    for found in go_glob(directory):
        matches.extend(_glob_in(found, name))
    return matches


def _glob_in(directory: str, pattern: str) -> list[str]:
    try:
        if not os.path.isdir(directory):
            return []
        names = sorted(os.listdir(directory))
    except OSError:
        return []
    regex = _go_match_regex(pattern)
    return [go_clean(posixpath.join(directory, n)) for n in names if regex.match(n)]


# ---- listing -----------------------------------------------------------------------------------


class _Stop(Exception):
    """godirwalk stops at its first error."""


def walk_dir(root: ObjectURL, follow: bool = True) -> Iterator[Object]:
    """godirwalk as s5cmd's ``walkDir`` drives it: files under ``root``, sorted, relative to
    ``root``; the first error ends the walk, as an error entry."""
    if not follow and is_symlink(root.absolute()):
        return
    start = go_clean(root.absolute())

    def walk(directory: str) -> Iterator[Object]:
        # scandir, not listdir + stat: a file's type comes with its name (one stat a file,
        # not two), and its path relative to the root is its directory's plus its name.
        try:
            with os.scandir(directory) as found:
                entries = sorted(found, key=_name)
        except OSError as exc:
            yield Object.error(ShimError(go_os_error("open", directory, exc)))
            raise _Stop from None
        relative_dir = set_relative(directory, root)
        parent = "" if directory == "." else directory.rstrip("/") + "/"
        for entry in entries:
            name = entry.name
            path = parent + name  # = go_clean(join(directory, name)): both are clean
            if _is_directory(entry, follow):
                yield from walk(path)
                continue
            if not follow and _is_link(entry):
                continue
            relative = name if relative_dir == "." else f"{relative_dir}/{name}"
            try:
                obj = _stat_object(local_url(path, relative), lambda _path, entry=entry: entry.stat())
            except ShimError as exc:
                yield Object.error(exc)
                raise _Stop from None
            yield obj

    if not follow:  # godirwalk lstats its root when it does not follow links
        try:
            st = os.lstat(start)
        except OSError as exc:
            yield Object.error(ShimError(go_os_error("lstat", start, exc)))
            return
        if not stat_module.S_ISDIR(st.st_mode):
            yield Object.error(ShimError(f"cannot Walk non-directory: {start}"))
            return
    with contextlib.suppress(_Stop):
        yield from walk(start)


def _name(entry: os.DirEntry[str]) -> str:
    return entry.name


def _is_directory(entry: os.DirEntry[str], follow: bool) -> bool:
    """A directory to walk into: following links, as ``os.path.isdir`` (False when it cannot
    be told); not following them, a directory itself (as ``lstat``)."""
    try:
        return entry.is_dir(follow_symlinks=follow)
    except OSError:
        return False


def _is_link(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_symlink()
    except OSError:
        return False


def list_objects(src: ObjectURL, follow: bool = True) -> Iterator[Object]:
    """s5cmd ``Filesystem.List``: a glob's matches (a matched file is taken as it is, a matched
    directory walked), a directory walked, or one file."""
    if src.is_wildcard():
        matches = go_glob(src.absolute())
        if not matches:
            yield Object.error(ShimError(f"no match found for {go_quote(src.absolute())}"))
            return
        for match in matches:
            url = local_url(match, set_relative(match, src))
            try:
                obj = stat(url)
            except ShimError as exc:
                yield Object.error(exc)
                return
            if obj.is_dir:
                yield from walk_dir(url, follow)
            else:
                yield obj
        return
    try:
        obj = stat(src)
    except ShimError as exc:
        yield Object.error(exc)
        return
    if obj.is_dir:
        yield from walk_dir(src, follow)
    else:
        yield obj


# ---- reading and writing -----------------------------------------------------------------------


class SourceFile:
    """A local file open for its upload: its descriptor, and its size when it was opened."""

    __slots__ = ("fd", "size")

    def __init__(self, fd: int, size: int) -> None:
        self.fd = fd
        self.size = size

    def fileno(self) -> int:
        return self.fd

    def head(self, size: int) -> bytes:
        """Its first ``size`` bytes (fewer if it is shorter), wherever its offset is."""
        return os.pread(self.fd, size, 0)

    def close(self) -> None:
        if self.fd >= 0:
            fd, self.fd = self.fd, -1
            os.close(fd)

    def __enter__(self) -> SourceFile:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def open_source_file(path: str) -> SourceFile:
    """A local source, opened for its upload without ever blocking: ``O_NONBLOCK`` (a FIFO that
    took the file's place since it was listed opens at once, and is refused), then it must be a
    regular file, as s5cmd's listing requires.  (Links are followed here whatever
    ``--no-follow-symlinks`` says: s5cmd uploads a link matched by a glob's last element.)
    ``O_NONBLOCK`` stays set: it changes nothing for a regular file's reads (POSIX), and
    clearing it cost two system calls a file."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise ShimError(go_os_error("open", path, exc)) from None
    try:
        st = os.fstat(fd)
        if not stat_module.S_ISREG(st.st_mode):
            raise ShimError(f"object '{path}' is not a regular file")
        return SourceFile(fd, st.st_size)
    except BaseException:
        os.close(fd)
        raise


def mkdir_all(path: str) -> None:
    """Go ``os.MkdirAll``, with its error text (the first component that is not a directory)."""
    try:
        st = os.stat(path)
    except OSError:
        st = None
    if st is not None:
        if stat_module.S_ISDIR(st.st_mode):
            return
        raise ShimError(f"mkdir {path}: {os.strerror(errno.ENOTDIR).lower()}")
    i = len(path)
    while i > 0 and path[i - 1] == "/":
        i -= 1
    j = i
    while j > 0 and path[j - 1] != "/":
        j -= 1
    if j > 1:
        mkdir_all(path[: j - 1])
    try:
        os.mkdir(path, 0o777)
    except OSError as exc:
        if os.path.isdir(path):
            return
        raise ShimError(go_os_error("mkdir", path, exc)) from None


def remove(path: str) -> None:
    """Go ``os.Remove``, with its error text."""
    try:
        os.remove(path)
    except OSError as exc:
        raise ShimError(go_os_error("remove", path, exc)) from None
