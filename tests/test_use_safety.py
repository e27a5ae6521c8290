"""`s3env use` never corrupts, widens or loses: SIGKILL at random points, races, symlinks, modes,
backups, and files botocore cannot parse.

Every test runs the installed console script against real files in a sandbox HOME.  The AWS
files start out written by "the user": comments, CRLF lines, a missing final newline,
``[services x]``, ``[sso-session y]`` and profiles with keys that s3env must never touch.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import signal
import stat
import subprocess
import time
import tomllib
from pathlib import Path

import pytest
from botocore.configloader import raw_config_parse
from botocore.exceptions import ConfigParseError

from s3env.integrations.writers import ini_edit
from s3env.store import fsio
from s3env.store.paths import StorePaths
from tests.conftest import S3ENV, RunS3env, Sandbox

PROFILES = ("a", "b", "c")
# Every header s3env may write for PROFILES; everything else in the files is the user's.
CONFIG_MANAGED = frozenset(
    {"default"} | {f"profile {n}" for n in PROFILES} | {f"services s3env-{n}" for n in PROFILES}
)
CREDENTIALS_MANAGED = frozenset({"default", *PROFILES})

USER_CONFIG = (
    "# my own aws config: s3env must not touch a byte of this\n"
    "; semicolon comment\n"
    "[profile user1]\r\n"
    "region = us-west-2\r\n"
    "output = json\n"
    "\n"
    "[sso-session y]\n"
    "sso_start_url = https://example.awsapps.com/start\n"
    "sso_region = us-east-1\n"
    "# a comment inside a section\n"
    "sso_registration_scopes = sso:account:access\n"
    "\n"
    "# endpoint of my own minio\n"
    "[services x]\n"
    "s3 =\n"
    "  endpoint_url = http://127.0.0.1:9999\n"
    "\n"
    "[profile sso-user]\r\n"
    "sso_session = y\r\n"
    "sso_account_id = 111122223333\r\n"
    "sso_role_name = ReadOnly\r\n"
    "region = eu-central-1\r\n"
    "services = x\n"
    "\t\n"
    "# trailing comment without a final newline"
)
USER_CREDENTIALS = (
    "# my keys\n"
    "[user1]\r\n"
    "aws_access_key_id = AKIAUSER1\r\n"
    "aws_secret_access_key = user1/secret+chars=\r\n"
    "\r\n"
    "; another one\n"
    "[user2]\n"
    "aws_access_key_id=AKIAUSER2\n"
    "aws_secret_access_key  =  spaced out\n"
    "aws_session_token = tok\n"
)


# ---- helpers ----------------------------------------------------------------------------------------


def ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def add_profiles(run_s3env: RunS3env, names: tuple[str, ...] = PROFILES) -> None:
    for i, name in enumerate(names):
        ok(
            run_s3env(
                "profile",
                "add",
                name,
                "--endpoint-url",
                f"http://127.0.0.1:{9001 + i}",
                "--region",
                f"us-east-{1 + i % 2}",
                "--access-key-id",
                f"AK{name}",
                "--secret-stdin",
                input=f"secret/of+{name}\n",
            )
        )


def write_user_files(sandbox: Sandbox, *, config_mode: int = 0o644, credentials_mode: int = 0o600) -> None:
    sandbox.aws_config.write_bytes(USER_CONFIG.encode())
    os.chmod(sandbox.aws_config, config_mode)
    sandbox.aws_credentials.write_bytes(USER_CREDENTIALS.encode())
    os.chmod(sandbox.aws_credentials, credentials_mode)


def megfile_conf(sandbox: Sandbox) -> Path:
    return sandbox.home / ".config" / "megfile" / "megfile.conf"


def read_or_none(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def snapshot(paths: list[Path]) -> dict[Path, bytes | None]:
    return {p: read_or_none(p) for p in paths}


def parsed_text(text: str, where: Path) -> dict:
    """What botocore reads from ``text`` (written to a scratch file next to ``where``)."""
    scratch = where.with_name(where.name + ".parse-check")
    scratch.write_bytes(text.encode())
    try:
        return raw_config_parse(str(scratch))
    finally:
        scratch.unlink()


def check_aws_file(path: Path, original: str, original_parsed: dict, managed: frozenset[str]) -> dict:
    """botocore reads ``path``; every unmanaged byte and value of ``original`` is still there."""
    parsed = raw_config_parse(str(path))  # raises ConfigParseError on a torn or mangled file
    text = path.read_bytes().decode("utf-8")
    doc = ini_edit.parse(text, str(path))
    unmanaged = [s.header for s in doc.sections if s.header not in managed]
    assert unmanaged == [s.header for s in ini_edit.parse(original).sections], path
    cut = text
    for section in reversed([s for s in doc.sections if s.header in managed]):
        cut = cut[: section.start] + cut[section.end :]
    # With s3env's sections cut out, the user's text is what it was (up to trailing blank lines).
    assert cut.rstrip() == original.rstrip(), (path, cut)
    for header, values in original_parsed.items():
        assert parsed[header] == values, (path, header)
    return parsed


def check_default_is_a_profile(config: dict, credentials: dict) -> None:
    if "default" in config:
        assert config["default"] in [config[f"profile {n}"] for n in PROFILES if f"profile {n}" in config]
    if "default" in credentials:
        assert credentials["default"] in [credentials[n] for n in PROFILES if n in credentials]


def temp_files(sandbox: Sandbox) -> list[Path]:
    roots = [sandbox.aws_config.parent, sandbox.store, megfile_conf(sandbox).parent]
    return [p for root in roots if root.exists() for p in root.rglob("*.tmp")]


def check_modes(sandbox: Sandbox) -> None:
    """Nothing that holds a secret (or may: a temp file) is readable beyond its owner."""
    assert mode(sandbox.aws_credentials) & 0o077 == 0, oct(mode(sandbox.aws_credentials))
    for path in sandbox.store.rglob("*"):
        if path.is_file():
            assert mode(path) & 0o077 == 0, (path, oct(mode(path)))
    config_mode = mode(sandbox.aws_config)
    for tmp in temp_files(sandbox):
        try:
            tmp_mode = mode(tmp)
        except FileNotFoundError:
            continue
        if tmp.parent == sandbox.aws_config.parent and tmp.name.startswith(f".{sandbox.aws_config.name}."):
            # The config's own temp file: never wider than the config itself (which is not secret).
            assert tmp_mode & ~config_mode == 0, (tmp, oct(tmp_mode))
        elif tmp.parent == megfile_conf(sandbox).parent:
            assert tmp_mode & 0o022 == 0, (tmp, oct(tmp_mode))
        else:
            assert tmp_mode & 0o077 == 0, (tmp, oct(tmp_mode))


def pending(sandbox: Sandbox) -> bool:
    data = read_or_none(sandbox.store / "managed.json")
    if data is None:
        return False
    state = json.loads(data)
    return any(e.get("pending") for sections in state["files"].values() for e in sections.values())


def popen_use(sandbox: Sandbox, name: str, stderr: int = subprocess.DEVNULL) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [S3ENV, "use", name],
        env=sandbox.env,
        cwd=sandbox.root,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
    )


# ---- 1. SIGKILL at random points --------------------------------------------------------------------

MIN_KILLS = 60
# The loop runs until MIN_KILLS kills, 3 of them mid-write (about 30 s on a quiet 2-core machine).  The
# budget only stops a loop that cannot get there: it is a guard against hanging, not a speed target, so
# it is far above what a loaded machine needs (about 75 s with four CPU hogs on two cores).
KILL_LOOP_BUDGET = 300.0


def test_use_killed_at_random_points_leaves_old_or_new_files(run_s3env: RunS3env, sandbox: Sandbox) -> None:
    """The issue: "`s3env use` killed with SIGKILL at random points, many times; the files are always
    either the old or the new version, always parse, never lose an unmanaged byte, never leave a
    secret-holding file wider than 0600."
    """
    write_user_files(sandbox, credentials_mode=0o600)
    add_profiles(run_s3env)
    config_parsed = parsed_text(USER_CONFIG, sandbox.aws_config)
    credentials_parsed = parsed_text(USER_CREDENTIALS, sandbox.aws_credentials)

    # Before any `use`: kept to start over from, so kills also land in the first adoption of the files.
    pristine = sandbox.root / "pristine"
    kept_dirs = [sandbox.aws_config.parent, sandbox.store, megfile_conf(sandbox).parent]
    for d in kept_dirs:
        if d.exists():
            shutil.copytree(d, pristine / d.relative_to(sandbox.root), symlinks=True)

    def restore_pristine() -> None:
        for d in kept_dirs:
            if d.exists():
                shutil.rmtree(d)
            saved = pristine / d.relative_to(sandbox.root)
            if saved.exists():
                shutil.copytree(saved, d, symlinks=True)

    # The version of every file after a completed `use X` depends only on X: measure each (twice,
    # to prove it) and the typical run time.
    tracked: list[Path] = []
    versions: dict[str, dict[Path, bytes | None]] = {}
    durations: list[float] = []
    for name in PROFILES * 2:
        started = time.monotonic()
        ok(run_s3env("use", name))
        durations.append(time.monotonic() - started)
        if not tracked:
            env_files = sorted(p for p in (sandbox.store / "env").rglob("*") if p.is_file())
            assert env_files
            tracked = [sandbox.aws_config, sandbox.aws_credentials, megfile_conf(sandbox), *env_files]
        now = snapshot(tracked)
        assert versions.setdefault(name, now) == now, f"`s3env use {name}` is not deterministic"
    assert len({versions[n][sandbox.aws_config] for n in PROFILES}) == len(PROFILES)
    # The fastest full run: a busy machine (or a recompile) only makes runs slower, and a kill that
    # lands after the end is a wasted iteration.  The first run is left out: it also adopts the files.
    typical = min(durations[1:])

    rng = random.Random(0x5E3E7)
    kills = completed = interrupted_writes = 0
    # Timed kills aim inside an estimate of a whole run.  On a loaded machine (the other xdist worker)
    # runs take longer than the quiet ``typical``; a run that is killed proves only that it was slower
    # than its delay, so after a streak of kills with none completing the estimate grows.
    estimate = typical
    streak = 0
    deadline = time.monotonic() + KILL_LOOP_BUDGET
    i = 0
    while (kills < MIN_KILLS or interrupted_writes < 3) and time.monotonic() < deadline:
        if i % 7 == 6:
            restore_pristine()
        name = PROFILES[i % len(PROFILES)]
        i += 1
        before = snapshot(tracked)
        managed_before = read_or_none(sandbox.store / "managed.json")
        started = time.monotonic()
        proc = popen_use(sandbox, name, stderr=subprocess.PIPE)
        if i % 3 == 0:
            # Watched: kill just after ownership is recorded (managed.json changed, entries pending),
            # wherever that falls in time, so the write window is hit however slow the machine is.
            delay = rng.uniform(0.0, 0.02)
            how = f"{delay:.3f}s after managed.json went pending"
            while proc.poll() is None:
                state = read_or_none(sandbox.store / "managed.json")
                if state != managed_before and state is not None and pending(sandbox):
                    time.sleep(delay)
                    break
                time.sleep(0.0005)
        else:
            # Timed: spread over the whole run, with extra weight on its last third, where the writes happen.
            low = 0.0 if rng.random() < 0.6 else 0.65 * estimate
            delay = rng.uniform(low, estimate)
            how = f"after {delay:.3f}s of an estimated {estimate:.3f}s"
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=delay)
            streak = streak + 1 if proc.poll() is None else 0
            if streak >= 6:
                estimate *= 1.25
                streak = 0
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        else:
            estimate = max(typical, time.monotonic() - started)
        stderr = proc.communicate()[1].decode()
        where = f"kill #{i} (`use {name}` {how})"
        assert proc.returncode in (0, -signal.SIGKILL), f"{where}: exit {proc.returncode}: {stderr}"
        after = snapshot(tracked)
        if proc.returncode == 0:
            completed += 1
            assert after == versions[name], f"{where}: a completed run wrote something unexpected"
        else:
            kills += 1
            if read_or_none(sandbox.store / "managed.json") != managed_before and pending(sandbox):
                interrupted_writes += 1
        for path in tracked:
            assert after[path] in (before[path], versions[name][path]), (
                f"{where}: {path} is neither the old nor the new version:\n{(after[path] or b'').decode()}"
            )
        config = check_aws_file(sandbox.aws_config, USER_CONFIG, config_parsed, CONFIG_MANAGED)
        credentials = check_aws_file(
            sandbox.aws_credentials, USER_CREDENTIALS, credentials_parsed, CREDENTIALS_MANAGED
        )
        check_default_is_a_profile(config, credentials)
        check_modes(sandbox)
        state = read_or_none(sandbox.store / "managed.json")
        if state is not None:
            json.loads(state)  # never torn

    print(
        f"{i} runs: {kills} killed ({interrupted_writes} mid-write), {completed} completed, "
        f"{typical=:.3f}s {estimate=:.3f}s"
    )
    assert kills >= MIN_KILLS, f"only {kills} kills in {KILL_LOOP_BUDGET}s ({completed} runs completed)"
    assert interrupted_writes >= 1, (
        f"none of {kills} kills landed between recording ownership and confirming it: "
        f"the test exercised nothing (typical run {typical:.3f}s, estimate {estimate:.3f}s)"
    )

    ok(run_s3env("use", "a"))
    assert snapshot(tracked) == versions["a"]
    assert not pending(sandbox)
    check_modes(sandbox)
    assert ok(run_s3env("write", "--check")).returncode == 0
    assert ok(run_s3env("use")).stdout == "a\n"


# ---- 2. concurrent `use` ----------------------------------------------------------------------------


def test_concurrent_use_serialises_to_one_clean_state(run_s3env: RunS3env, sandbox: Sandbox) -> None:
    """Racing `use a` / `use b`: all succeed, and the end state is exactly that of one clean `use`."""
    write_user_files(sandbox)
    add_profiles(run_s3env, ("a", "b"))
    clean = {}
    for name in ("b", "a"):
        ok(run_s3env("use", name))
        tracked = [
            sandbox.aws_config,
            sandbox.aws_credentials,
            megfile_conf(sandbox),
            *sorted(p for p in (sandbox.store / "env").rglob("*") if p.is_file()),
        ]
        clean[name] = snapshot(tracked)
    assert clean["a"] != clean["b"]

    # One crowd of 10, then pairs: two processes on two cores reach the lock at nearly the same moment.
    rounds = [10] + [2] * 6
    for round_, count in enumerate(rounds):
        procs = [popen_use(sandbox, "ab"[(i + round_) % 2], stderr=subprocess.PIPE) for i in range(count)]
        errors = [proc.communicate(timeout=60)[1].decode() for proc in procs]
        assert [p.returncode for p in procs] == [0] * count, errors
        raw_config_parse(str(sandbox.aws_config))
        raw_config_parse(str(sandbox.aws_credentials))
        assert not temp_files(sandbox)
        assert not pending(sandbox)
        check_modes(sandbox)
        raced = snapshot(tracked)
        active = tomllib.loads(sandbox.profiles_file.read_text())["settings"]["active"]
        assert raced == clean[active], f"round {round_}: the files do not match the active profile {active}"
    assert ok(run_s3env("use")).stdout.strip() == active

    # While another s3env holds the store lock, `use` waits and writes nothing.
    other = "b" if active == "a" else "a"
    watched = [*tracked, sandbox.profiles_file, sandbox.store / "managed.json"]
    before = snapshot(watched)
    with fsio.locked(StorePaths(sandbox.store).lock):
        proc = popen_use(sandbox, other, stderr=subprocess.PIPE)
        time.sleep(1.5)
        assert proc.poll() is None, "`s3env use` did not wait for the lock"
        assert snapshot(watched) == before
    assert proc.communicate(timeout=60)[1].decode() == "" and proc.returncode == 0
    assert snapshot(tracked) == clean[other]
    ok(run_s3env("write", "--check"))


# ---- 3. symlinked AWS files ---------------------------------------------------------------------------


def test_symlinked_aws_files_are_written_through_and_stay_links(
    run_s3env: RunS3env, sandbox: Sandbox
) -> None:
    dotfiles = sandbox.root / "dotfiles" / "aws"
    dotfiles.mkdir(parents=True)
    real_config, real_credentials = dotfiles / "config", dotfiles / "credentials"
    real_config.write_bytes(USER_CONFIG.encode())
    real_credentials.write_bytes(USER_CREDENTIALS.encode())
    os.chmod(real_credentials, 0o600)
    sandbox.aws_config.symlink_to(real_config)  # absolute link
    relative = os.path.relpath(real_credentials, sandbox.aws_credentials.parent)
    sandbox.aws_credentials.symlink_to(relative)  # relative link
    add_profiles(run_s3env, ("a", "b"))

    for name in ("a", "b"):
        ok(run_s3env("use", name))
        assert sandbox.aws_config.is_symlink() and os.readlink(sandbox.aws_config) == str(real_config)
        assert sandbox.aws_credentials.is_symlink() and os.readlink(sandbox.aws_credentials) == relative
        config = raw_config_parse(str(real_config))
        credentials = raw_config_parse(str(real_credentials))
        assert config["default"] == config[f"profile {name}"]
        assert config[f"profile {name}"]["services"] == f"s3env-{name}"
        assert credentials["default"]["aws_access_key_id"] == f"AK{name}"
        assert real_config.read_bytes().decode().startswith(USER_CONFIG)
        assert real_credentials.read_bytes().decode().startswith(USER_CREDENTIALS)
        assert mode(real_credentials) == 0o600
        # Nothing was put next to the links, nothing left next to the targets.
        assert sorted(os.listdir(sandbox.aws_config.parent)) == ["config", "credentials"]
        assert sorted(os.listdir(dotfiles)) == ["config", "credentials"]
    ok(run_s3env("write", "--check"))


def test_dangling_links_get_their_targets_created(run_s3env: RunS3env, sandbox: Sandbox) -> None:
    """A dotfile manager linked the files before they exist: the targets are created, the links kept."""
    dotfiles = sandbox.root / "dotfiles"
    dotfiles.mkdir()
    sandbox.aws_credentials.symlink_to("../../dotfiles/credentials")  # target absent
    sandbox.aws_config.symlink_to(dotfiles / "aws" / "config")  # target and its directory absent
    add_profiles(run_s3env, ("a",))
    ok(run_s3env("use", "a"))
    assert sandbox.aws_config.is_symlink() and sandbox.aws_credentials.is_symlink()
    assert raw_config_parse(str(dotfiles / "aws" / "config"))["profile a"]["services"] == "s3env-a"
    assert raw_config_parse(str(dotfiles / "credentials"))["a"]["aws_access_key_id"] == "AKa"
    assert mode(dotfiles / "credentials") == 0o600
    assert sorted(os.listdir(sandbox.aws_config.parent)) == ["config", "credentials"]
    ok(run_s3env("write", "--check"))


# ---- 4. modes and owners ------------------------------------------------------------------------------


def test_existing_modes_and_owner_are_kept_and_credentials_tightened(
    run_s3env: RunS3env, sandbox: Sandbox
) -> None:
    write_user_files(sandbox, config_mode=0o640, credentials_mode=0o644)
    if os.geteuid() == 0:  # root can prove the owner is carried over, not just left as ours
        for path in (sandbox.aws_config, sandbox.aws_credentials):
            os.chown(path, 4321, 4321)
    owners = {
        p: (os.stat(p).st_uid, os.stat(p).st_gid) for p in (sandbox.aws_config, sandbox.aws_credentials)
    }
    add_profiles(run_s3env, ("a", "b"))
    for name in ("a", "b"):
        ok(run_s3env("use", name))
        assert f"[profile {name}]" in sandbox.aws_config.read_text()
        assert "[default]" in sandbox.aws_credentials.read_text()
        assert mode(sandbox.aws_config) == 0o640
        assert mode(sandbox.aws_credentials) == 0o600
        for path, owner in owners.items():
            assert (os.stat(path).st_uid, os.stat(path).st_gid) == owner, path


def test_new_credentials_file_is_created_0600_even_with_umask_0(
    run_s3env: RunS3env, sandbox: Sandbox
) -> None:
    add_profiles(run_s3env, ("a",))
    aws_dir = sandbox.aws_config.parent
    aws_dir.rmdir()  # no ~/.aws at all yet
    ok(
        subprocess.run(
            ["sh", "-c", 'umask 000 && exec "$0" use a', S3ENV],
            env=sandbox.env,
            cwd=sandbox.root,
            capture_output=True,
            text=True,
            timeout=60,
        )
    )
    assert "aws_secret_access_key" in sandbox.aws_credentials.read_text()
    assert mode(sandbox.aws_credentials) == 0o600
    assert os.stat(sandbox.aws_credentials).st_uid == os.getuid()
    check_modes(sandbox)
    # Nothing s3env created may be writable by others (they could redirect endpoints or keys).
    for path in [aws_dir, *aws_dir.rglob("*"), *sandbox.store.rglob("*"), megfile_conf(sandbox)]:
        assert mode(path) & 0o022 == 0, (path, oct(mode(path)))


# ---- 5. backups -----------------------------------------------------------------------------------------


def test_backups_keep_the_last_three_previous_versions_0600(run_s3env: RunS3env, sandbox: Sandbox) -> None:
    write_user_files(sandbox, config_mode=0o644)
    add_profiles(run_s3env)
    files = {"aws-config": sandbox.aws_config, "aws-credentials": sandbox.aws_credentials}
    history: dict[str, list[bytes]] = {label: [path.read_bytes()] for label, path in files.items()}
    for name in ("a", "b", "c", "a", "b"):
        ok(run_s3env("use", name))
        for label, path in files.items():
            history[label].append(path.read_bytes())

    backups = sorted((sandbox.store / "backups").iterdir())
    groups: dict[str, list[Path]] = {}
    for backup in backups:
        groups.setdefault(backup.name.split(".", 1)[0], []).append(backup)
    for group in groups.values():
        assert len(group) <= 3, group
        for backup in group:
            assert mode(backup) == 0o600, (backup, oct(mode(backup)))
    for label in files:
        [group] = [g for prefix, g in groups.items() if prefix.startswith(f"{label}-")]
        # Each switch changed the file: the backups are the three versions before the last three switches.
        assert [b.read_bytes() for b in sorted(group)] == history[label][-4:-1], label
    assert history["aws-config"][0] == USER_CONFIG.encode()


# ---- 6. files botocore cannot parse ------------------------------------------------------------------


def _bad_versions(text: str, duplicate: str, inside: str) -> list[tuple[str, str, int]]:
    """(case, bad text, line botocore chokes on) for four kinds of unreadable file."""
    cut = text.index(inside) + len(inside)
    line_after = len(text[:cut].splitlines()) + 1
    end = text if text.endswith("\n") else text + "\n"
    return [
        ("duplicate section", f"{end}[{duplicate}]\nregion = x\n", len(end.splitlines()) + 1),
        ("BOM", "\ufeff" + text, 1),
        ("key before any header", "region = us-east-1\n" + text, 1),
        ("line without '='", text[:cut] + "this line has no delimiter\n" + text[cut:], line_after),
    ]


def test_unparsable_file_is_refused_with_one_line_and_nothing_changes(
    run_s3env: RunS3env, sandbox: Sandbox
) -> None:
    write_user_files(sandbox)
    add_profiles(run_s3env, ("a", "b"))
    ok(run_s3env("use", "a"))
    good = {p: p.read_bytes() for p in (sandbox.aws_config, sandbox.aws_credentials)}
    managed = sandbox.store / "managed.json"
    env_files = sorted(p for p in (sandbox.store / "env").rglob("*") if p.is_file())
    store_files = [managed, sandbox.profiles_file, *env_files]
    cases = [
        (sandbox.aws_config, *case)
        for case in _bad_versions(
            good[sandbox.aws_config].decode(), "profile user1", "sso_region = us-east-1\n"
        )
    ] + [
        (sandbox.aws_credentials, *case)
        for case in _bad_versions(good[sandbox.aws_credentials].decode(), "user1", "[user2]\n")
    ]
    for path, case, bad, line in cases:
        what = f"{path.name}: {case}"
        path.write_bytes(bad.encode())
        with pytest.raises(ConfigParseError):  # the case really is one botocore refuses
            raw_config_parse(str(path))
        before_aws = {p: p.read_bytes() for p in good}
        before_store = {p: (p.read_bytes(), os.stat(p).st_ino) for p in store_files}
        backups = sorted(os.listdir(sandbox.store / "backups"))

        result = run_s3env("use", "b")
        assert result.returncode == 1, (what, result.stdout, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, (what, result.stderr)
        assert f"{path}:{line}:" in lines[0], (what, lines[0])
        assert {p: p.read_bytes() for p in good} == before_aws, what
        assert {p: (p.read_bytes(), os.stat(p).st_ino) for p in store_files} == before_store, what
        assert sorted(os.listdir(sandbox.store / "backups")) == backups, what
        path.write_bytes(good[path])
    assert ok(run_s3env("use")).stdout == "a\n"
    ok(run_s3env("write", "--check"))
