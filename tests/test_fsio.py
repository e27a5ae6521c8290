"""fsio: atomic replace, modes, symlinks, the lock, backups."""

from __future__ import annotations

import multiprocessing
import os
import stat
import time
from pathlib import Path

import pytest

from s3env.core.errors import FileWriteError, NotRegularFile, UnsafeDirectory
from s3env.store import fileguard, fsio


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_new_secret_file_is_0600_and_plain_file_follows_umask(tmp_path: Path) -> None:
    old = os.umask(0o002)
    try:
        fsio.atomic_write_text(tmp_path / "secret", "s", secret=True)
        fsio.atomic_write_text(tmp_path / "plain", "p")
    finally:
        os.umask(old)
    assert mode(tmp_path / "secret") == 0o600
    assert mode(tmp_path / "plain") == 0o644 & ~0o002
    assert not list(tmp_path.glob(".*.tmp"))


def test_existing_mode_and_content_replaced_atomically(tmp_path: Path) -> None:
    target = tmp_path / "config"
    target.write_text("old\r\n")
    os.chmod(target, 0o640)
    fsio.atomic_write_text(target, "new\r\nline\r\n")
    assert target.read_bytes() == b"new\r\nline\r\n"
    assert mode(target) == 0o640


def test_secret_write_tightens_a_wide_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "credentials"
    target.write_text("x")
    os.chmod(target, 0o664)
    fsio.atomic_write_text(target, "y", secret=True)
    assert mode(target) == 0o600


def test_symlink_is_written_through_and_kept(tmp_path: Path) -> None:
    real = tmp_path / "dotfiles" / "aws-config"
    real.parent.mkdir()
    real.write_text("old")
    link = tmp_path / "config"
    link.symlink_to(real)
    fsio.atomic_write_text(link, "new")
    assert link.is_symlink()
    assert real.read_text() == "new"


def test_read_text_exact_keeps_line_endings(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"a\r\nb\rc\n")
    assert fsio.read_text_exact(path) == "a\r\nb\rc\n"
    assert fsio.read_text_exact(tmp_path / "missing") is None


def test_write_where_the_directory_cannot_exist_is_a_clean_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("file")
    with pytest.raises(FileWriteError) as info:
        fsio.atomic_write_text(blocker / "f", "x")
    assert str(blocker) in str(info.value)
    assert blocker.read_text() == "file"


def _append_under_lock(args: tuple[str, str, int]) -> None:
    lock, counter, n = args
    for _ in range(n):
        with fsio.locked(Path(lock)):
            value = int(Path(counter).read_text())
            time.sleep(0.001)  # widen the race window: without the lock, increments are lost
            fsio.atomic_write_text(Path(counter), str(value + 1))


def test_lock_serialises_processes(tmp_path: Path) -> None:
    counter = tmp_path / "counter"
    counter.write_text("0")
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        pool.map(_append_under_lock, [(str(tmp_path / ".lock"), str(counter), 15)] * 4)
    assert counter.read_text() == "60"


def test_lock_is_reentrant_within_a_process(tmp_path: Path) -> None:
    lock = tmp_path / ".lock"
    with fsio.locked(lock), fsio.locked(lock):
        pass
    with fsio.locked(lock):  # released properly: can be taken again
        pass


def test_backups_are_0600_and_pruned(tmp_path: Path) -> None:
    backups = tmp_path / "backups"
    made = [fsio.write_backup(backups, "config", f"v{i}".encode(), keep=3) for i in range(5)]
    left = sorted(backups.glob("config.*.bak"))
    assert left == sorted(made[-3:])
    assert [p.read_bytes() for p in left] == [b"v2", b"v3", b"v4"]
    assert all(mode(p) == 0o600 for p in left)
    assert mode(backups) == 0o700


def test_temps_of_killed_writers_are_swept(tmp_path: Path) -> None:
    import subprocess

    dead = subprocess.Popen(["true"])
    dead.wait()  # its pid is now free: a writer with it was killed
    target = tmp_path / "config"
    stale = tmp_path / f".config.s3env-{dead.pid}-1.tmp"
    live = tmp_path / f".config.s3env-{os.getppid()}-1.tmp"  # a running process: left alone
    stale.write_text("half")
    live.write_text("busy")
    fsio.atomic_write_text(target, "new")
    assert not stale.exists() and live.exists()

    backups = tmp_path / "backups"
    backups.mkdir()
    stale_backup = backups / f".config.20260101T000000-1.bak.s3env-{dead.pid}-1.tmp"
    stale_backup.write_text("half")
    fsio.write_backup(backups, "config", b"v1")
    assert not stale_backup.exists()


def test_directories_are_made_0700_with_their_parents_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        fsio.atomic_write_text(tmp_path / "a" / "b" / "c" / "f", "x")
        with fsio.locked(tmp_path / "s" / "t" / ".lock"):
            pass
        fsio.write_backup(tmp_path / "u" / "backups", "l", b"x")
    finally:
        os.umask(old)
    for directory in ("a", "a/b", "a/b/c", "s", "s/t", "u", "u/backups"):
        assert mode(tmp_path / directory) == 0o700, directory


def test_reading_a_fifo_or_a_directory_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)  # nobody ever writes to it: a blocking open would hang here
    link = tmp_path / "link"
    link.symlink_to(fifo)
    for path in (fifo, link, tmp_path):
        with pytest.raises(NotRegularFile, match="not a regular file"):
            fsio.read_text_exact(path)
    with pytest.raises(NotRegularFile, match="FIFO"):
        fsio.atomic_write_text(link, "x")
    with pytest.raises(NotRegularFile, match="FIFO"):
        fsio.check_write_target(link)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_private_directory_checks(tmp_path: Path) -> None:
    private = tmp_path / "private"
    fsio.ensure_private_dir(private)
    assert fileguard.private_dir_problem(str(private)) is None
    assert fileguard.private_dir_problem(str(tmp_path / "absent")) is None
    os.chmod(private, 0o770)
    assert "its group" in (fileguard.private_dir_problem(str(private)) or "")
    os.chmod(private, 0o703)
    assert "others" in (fileguard.private_dir_problem(str(private)) or "")
    with pytest.raises(UnsafeDirectory):
        fsio.ensure_private_dir(private)
    with pytest.raises(UnsafeDirectory), fsio.locked(private / ".lock"):
        pass
    assert not (private / ".lock").exists()
    if os.geteuid() == 0:
        os.chmod(private, 0o700)
        os.chown(private, 65534, 65534)
        assert "uid 65534" in (fileguard.private_dir_problem(str(private)) or "")
