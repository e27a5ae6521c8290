"""Files that are not regular files: never written through, never read in a way that blocks.

A target of `s3env use`/`write` (the AWS files, megfile.conf, the env files, managed.json,
profiles.toml, the lock) is replaced by a FIFO, a character device (a private copy of
/dev/null, made with mknod: the real one is never put at risk), a directory, or a symlink to
one of those.  The command must refuse with one line, quickly, and change nothing at all:
every file byte-identical, the special file still the same special file.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import S3ENV, RunS3env, Sandbox
from tests.test_use_safety import add_profiles, megfile_conf, ok, write_user_files

TIMEOUT = 20  # a FIFO read blocked forever before the fix: this bound turns a hang into a failure


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _chardev(path: Path) -> None:
    """A character device like /dev/null (1, 3), private to the test (needs CAP_MKNOD)."""
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("mknod needs root here")


def _directory(path: Path) -> None:
    path.mkdir()


KINDS: dict[str, Callable[[Path], None]] = {"fifo": _fifo, "chardev": _chardev, "directory": _directory}


def snapshot(roots: list[Path]) -> dict[str, tuple]:
    """Every entry under ``roots`` without following links: type, inode, device, and the bytes of
    regular files or the text of links."""
    out: dict[str, tuple] = {}
    for root in roots:
        if not root.exists() and not root.is_symlink():
            continue
        for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
            for name in [*dirnames, *filenames]:
                path = Path(dirpath) / name
                info = os.lstat(path)
                if stat.S_ISREG(info.st_mode):
                    content: object = path.read_bytes()
                elif stat.S_ISLNK(info.st_mode):
                    content = os.readlink(path)
                else:
                    content = None
                out[str(path)] = (stat.S_IFMT(info.st_mode), info.st_ino, info.st_rdev, content)
    return out


def run_bounded(run_s3env: RunS3env, *args: str) -> subprocess.CompletedProcess[str]:
    try:
        return run_s3env(*args, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        pytest.fail(f"s3env {' '.join(args)} hung (a FIFO was opened for a blocking read)")


def targets(sandbox: Sandbox) -> dict[str, Path]:
    env = sandbox.store / "env"
    return {
        "credentials": sandbox.aws_credentials,
        "config": sandbox.aws_config,
        "megfile": megfile_conf(sandbox),
        "env-sh": env / "active.sh",
        "env-cmd": env / "active.cmd",
        "managed": sandbox.store / "managed.json",
        "profiles": sandbox.profiles_file,
        "lock": sandbox.store / ".lock",
    }


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("through_link", [True, False], ids=["link", "direct"])
def test_a_non_regular_target_is_refused_and_nothing_changes(
    kind: str, through_link: bool, run_s3env: RunS3env, sandbox: Sandbox
) -> None:
    write_user_files(sandbox)
    add_profiles(run_s3env, ("a", "b"))
    ok(run_s3env("use", "a"))
    elsewhere = sandbox.root / "elsewhere"
    elsewhere.mkdir()
    watched = [sandbox.home, elsewhere]
    for label, target in targets(sandbox).items():
        if label == "lock" and through_link:
            continue  # the lock is s3env's own: a link there is refused as a link (below)
        saved = target.with_name(target.name + ".saved")
        target.rename(saved)
        special = elsewhere / f"{label}-{kind}"
        if through_link:
            KINDS[kind](special)
            target.symlink_to(special)
        else:
            KINDS[kind](target)
        before = snapshot(watched)
        for args in (("use", "b"), ("write",)):
            what = f"{label} as {'a link to ' if through_link else ''}{kind}: s3env {' '.join(args)}"
            result = run_bounded(run_s3env, *args)
            assert result.returncode == 1, (what, result.stdout, result.stderr)
            lines = result.stderr.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith("s3env: error:"), (what, result.stderr)
            assert str(target) in lines[0] or str(special) in lines[0], (what, lines[0])
            assert snapshot(watched) == before, what  # nothing written, nothing replaced
        if target.is_dir() and not target.is_symlink():
            target.rmdir()
        else:
            target.unlink()
        saved.rename(target)
    # Everything back in place: the same commands work again.
    ok(run_s3env("use", "b"))
    ok(run_s3env("write", "--check"))


def test_a_link_as_the_lock_file_is_refused(run_s3env: RunS3env, sandbox: Sandbox) -> None:
    add_profiles(run_s3env, ("a",))
    lock = sandbox.store / ".lock"
    lock.unlink(missing_ok=True)
    victim = sandbox.root / "victim"
    lock.symlink_to(victim)  # absent target: O_CREAT through the link would create it
    result = run_bounded(run_s3env, "use", "a")
    assert result.returncode == 1, result.stderr
    assert "symbolic link" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not victim.exists()


@pytest.mark.parametrize("kind", ["fifo", "chardev"])
def test_start_up_reads_never_block_or_open_devices(kind: str, run_s3env: RunS3env, sandbox: Sandbox) -> None:
    """`s3env env` runs in shell start-up: a FIFO or device in place of a file it reads must not
    hang it (the AWS config is only looked at for a warning; the store is essential)."""
    add_profiles(run_s3env, ("a",))
    ok(run_s3env("use", "a"))
    config = sandbox.aws_config
    config.unlink()
    KINDS[kind](config)
    result = run_bounded(run_s3env, "env", "a", "--shell", "sh")
    assert result.returncode == 0, result.stderr
    assert "export AWS_PROFILE='a'" in result.stdout
    assert "not in the AWS files" in result.stderr  # a FIFO holds no [profile a]

    secrets = sandbox.secrets_file
    secrets.rename(secrets.with_name("saved"))
    KINDS[kind](secrets)
    result = run_bounded(run_s3env, "env", "a", "--with-keys", "--shell", "sh")
    assert result.returncode == 1 and result.stdout == ""
    assert str(secrets) in result.stderr and len(result.stderr.strip().splitlines()) == 1

    profiles = sandbox.profiles_file
    profiles.rename(profiles.with_name("saved-profiles"))
    KINDS[kind](profiles)
    for args in (("env", "a"), ("profile", "list"), ("exec", "a", "--", "true")):
        result = run_bounded(run_s3env, *args)
        assert result.returncode == 1 and result.stdout == "", (args, result.stdout)
        assert str(profiles) in result.stderr and len(result.stderr.strip().splitlines()) == 1, args
    assert stat.S_IFMT(os.lstat(profiles).st_mode) == stat.S_IFMT(os.lstat(secrets).st_mode) != stat.S_IFREG


# ---- directories: 0700 whatever the umask; others' directories refused -----------------------------


def run_with_umask(
    sandbox: Sandbox, umask: str, *args: str, input: str = ""
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["sh", "-c", f'umask {umask} && exec "$0" "$@"', S3ENV, *args],
        env=sandbox.env,
        cwd=sandbox.root,
        input=input,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("umask", ["000", "002", "077"])
def test_directories_s3env_creates_are_0700_whatever_the_umask(umask: str, sandbox: Sandbox) -> None:
    for sub in (".config", ".aws"):
        shutil.rmtree(sandbox.home / sub)  # s3env creates ~/.config, its store, ~/.aws, megfile's dir
    for name in ("a", "b"):
        ok(
            run_with_umask(
                sandbox,
                umask,
                *("profile", "add", name, "--endpoint-url", "http://127.0.0.1:9", "--access-key-id", "AK"),
                "--secret-stdin",
                input="secret\n",
            )
        )
        ok(run_with_umask(sandbox, umask, "use", name))
    created = [sandbox.home / ".config", sandbox.home / ".aws"]
    dirs = [*created, *(p for root in created for p in root.rglob("*") if p.is_dir())]
    assert {
        sandbox.store,
        sandbox.store / "env",
        sandbox.store / "backups",
        megfile_conf(sandbox).parent,
    } <= set(dirs)
    for directory in dirs:
        assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700, (directory, oct(os.stat(directory).st_mode))
    for path in sandbox.store.rglob("*"):
        if path.is_file():
            assert stat.S_IMODE(os.stat(path).st_mode) & 0o077 == 0, path


def _world_writable(path: Path) -> None:
    os.chmod(path, 0o777)


def _group_writable(path: Path) -> None:
    os.chmod(path, 0o770)


def _someone_elses(path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("chown to another user needs root")
    os.chown(path, 65534, 65534)


UNSAFE = {"world-writable": _world_writable, "group-writable": _group_writable, "not-yours": _someone_elses}


@pytest.mark.parametrize("which", ["store", "backups", "env"])
@pytest.mark.parametrize("how", list(UNSAFE))
def test_a_directory_others_control_is_refused_for_writing_and_reported(
    which: str, how: str, run_s3env: RunS3env, sandbox: Sandbox
) -> None:
    write_user_files(sandbox)
    add_profiles(run_s3env, ("a", "b"))
    ok(run_s3env("use", "a"))
    ok(run_s3env("use", "b"))  # backups/ exists
    directory = {"store": sandbox.store, "backups": sandbox.store / "backups", "env": sandbox.store / "env"}[
        which
    ]
    UNSAFE[how](directory)
    watched = [sandbox.home, sandbox.root / "elsewhere"]
    before = snapshot(watched)
    commands = [("use", "a"), ("write",)]
    if which == "store":
        commands += [
            ("profile", "add", "c", "--access-key-id", "AK", "--secret-stdin"),
            ("profile", "set", "a", "region=eu-west-1"),
            ("profile", "rm", "b", "--yes"),
        ]
    for args in commands:
        result = (
            run_bounded(run_s3env, *args) if "--secret-stdin" not in args else run_s3env(*args, input="s\n")
        )
        assert result.returncode == 1, (args, result.stdout, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and str(directory) in lines[0], (args, result.stderr)
        assert snapshot(watched) == before, args
    # Reading still works (nothing is written), and doctor says what is wrong.
    assert ok(run_s3env("env", "b", "--shell", "sh")).stdout.count("AWS_PROFILE='b'") == 1
    report = json.loads(run_s3env("doctor", "--json").stdout)
    found = [p for p in report["problems"] if p["code"] == "unsafe-directory"]
    assert len(found) == 1 and str(directory) in found[0]["message"], report["problems"]
    os.chown(directory, os.geteuid(), os.getegid())
    os.chmod(directory, 0o700)
    ok(run_s3env("use", "a"))
    report = json.loads(run_s3env("doctor", "--json").stdout)
    assert "unsafe-directory" not in {p["code"] for p in report["problems"]}


@pytest.mark.parametrize("name", ["active.fish", "profiles/a.sh"])
def test_doctor_reports_env_files_the_hook_refuses(name: str, run_s3env: RunS3env, sandbox: Sandbox) -> None:
    add_profiles(run_s3env, ("a",))
    ok(run_s3env("use", "a"))
    env_file = sandbox.store / "env" / name
    os.chmod(env_file, 0o646)
    report = json.loads(run_s3env("doctor", "--json").stdout)
    found = [p for p in report["problems"] if p["code"] == "unsafe-env-file"]
    assert len(found) == 1 and str(env_file) in found[0]["message"], report["problems"]
    env_file.unlink()  # the fix doctor gives
    ok(run_s3env("write"))
    assert stat.S_IMODE(os.stat(env_file).st_mode) == 0o600
    report = json.loads(run_s3env("doctor", "--json").stdout)
    assert "unsafe-env-file" not in {p["code"] for p in report["problems"]}
