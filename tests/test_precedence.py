"""Which profile applies, end to end: the real ``s3env`` (``exec``, the shim on both backends,
``env``, the bare status, ``doctor``) and the Python API, against two moto servers, honour
``-p``/NAME > ``S3ENV_PINNED`` > ``.s3env`` (here or in a parent) > the global profile.

Each case gives the rule that must win a profile on server A and every rule below it a profile
on server B, so the bucket listed proves where the request went (one more case with only the
global profile, on B, proves B is reachable the same way)."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

import pytest

import s3env
from devtools.devserver import MotoServer
from s3env.core.choose import DIRECTORY, FLAG, GLOBAL, PINNED
from s3env.core.errors import ProfileNotWritten
from s3env.shim.s5cmd import find_s5cmd
from tests.conftest import S3ENV, Sandbox, s3_client, unique_bucket

ON_A, ON_B = "on-a", "on-b"

#: (id, the rules present: rule -> profile, the rule that must decide, the profile it names)
CASES = [
    ("flag", {FLAG: ON_A, PINNED: ON_B, DIRECTORY: ON_B, GLOBAL: ON_B}, FLAG, ON_A),
    ("pinned", {PINNED: ON_A, DIRECTORY: ON_B, GLOBAL: ON_B}, PINNED, ON_A),
    ("directory", {DIRECTORY: ON_A, GLOBAL: ON_B}, DIRECTORY, ON_A),
    ("global", {GLOBAL: ON_A}, GLOBAL, ON_A),
    ("global-b", {GLOBAL: ON_B}, GLOBAL, ON_B),
]
IDS = [case[0] for case in CASES]
#: The quicker backend, for the tests that are not about the backends.
BACKEND = "s5cmd" if find_s5cmd() is not None else "boto3"


class World:
    """Two profiles on two servers, each with a bucket of its own; a project tree in HOME."""

    def __init__(self, sandbox: Sandbox, servers: tuple[MotoServer, MotoServer]) -> None:
        self.sandbox = sandbox
        self.buckets: dict[str, str] = {}
        store = s3env.open_store()
        for name, server in zip((ON_A, ON_B), servers, strict=True):
            store.add(
                s3env.Profile(
                    name,
                    endpoint_url=server.url,
                    region="us-east-1",
                    addressing_style="path",
                    access_key_id="test",
                    secret_access_key="test",
                )
            )
            bucket = unique_bucket(name)
            s3_client(server).create_bucket(Bucket=bucket)
            self.buckets[name] = bucket
        self.project = sandbox.home / "proj"
        self.cwd = self.project / "src" / "deep"
        self.cwd.mkdir(parents=True)
        self.dotfile = self.project / ".s3env"

    def arrange(self, rules: Mapping[str, str]) -> dict[str, str | None]:
        """Put the rules in place; the environment changes for the child (the flag is the caller's)."""
        s3env.open_store().set_setting("active", rules.get(GLOBAL))
        if DIRECTORY in rules:
            self.dotfile.write_text(rules[DIRECTORY] + "\n")
        else:
            self.dotfile.unlink(missing_ok=True)
        return {"S3ENV_PINNED": rules.get(PINNED)}

    def run(
        self, *args: str, env: Mapping[str, str | None] | None = None, cwd: Path | None = None
    ) -> subprocess.CompletedProcess[str]:
        where = self.cwd if cwd is None else cwd
        full = {**self.sandbox.env, "PWD": str(where)}
        for key, value in (env or {}).items():
            if value is None:
                full.pop(key, None)
            else:
                full[key] = value
        return subprocess.run(
            [S3ENV, *args], capture_output=True, text=True, env=full, cwd=where, timeout=120, input=""
        )

    def went_to(self, output: str) -> str:
        """The profile whose bucket ``output`` lists (exactly one of the two)."""
        seen = [name for name, bucket in self.buckets.items() if bucket in output]
        assert len(seen) == 1, output
        return seen[0]


@pytest.fixture
def world(sandbox: Sandbox, moto_pair: tuple[MotoServer, MotoServer]) -> World:
    return World(sandbox, moto_pair)


def _flag(rules: Mapping[str, str]) -> list[str]:
    return [rules[FLAG]] if FLAG in rules else []


@pytest.mark.parametrize("backend", ["boto3", "s5cmd"])
@pytest.mark.parametrize(("label", "rules", "source", "want"), CASES, ids=IDS)
def test_the_shim_lists_the_buckets_of_the_profile_that_applies(
    world: World, backend: str, label: str, rules: dict[str, str], source: str, want: str
) -> None:
    if backend == "s5cmd" and find_s5cmd() is None:
        pytest.skip("s5cmd is not installed")
    env = world.arrange(rules)
    flag = ["--profile", rules[FLAG]] if FLAG in rules else []
    result = world.run(*flag, "--backend", backend, "ls", env=env)
    assert result.returncode == 0, result.stderr
    assert world.went_to(result.stdout) == want


@pytest.mark.parametrize(("label", "rules", "source", "want"), CASES, ids=IDS)
def test_exec_gives_the_command_the_profile_that_applies(
    world: World, label: str, rules: dict[str, str], source: str, want: str
) -> None:
    s5cmd = find_s5cmd()
    if s5cmd is None:
        pytest.skip("s5cmd is not installed")
    env = world.arrange(rules)
    result = world.run("exec", *_flag(rules), "--", str(s5cmd), "ls", env=env)
    assert result.returncode == 0, result.stderr
    assert world.went_to(result.stdout) == want
    # The child is pinned as `s3env env` would pin it: an s3env it runs uses the same profile.
    shown = world.run(
        "exec", *_flag(rules), "--", "sh", "-c", 'echo "$S3ENV_PROFILE ${S3ENV_PINNED-}"', env=env
    )
    pinned = want if source in (FLAG, PINNED) else ""
    assert shown.stdout == f"{want} {pinned}\n", shown.stderr


@pytest.mark.parametrize("with_keys", [False, True])
@pytest.mark.parametrize(("label", "rules", "source", "want"), CASES, ids=IDS)
def test_env_exports_the_profile_that_applies_and_pins_only_a_chosen_one(
    world: World, label: str, rules: dict[str, str], source: str, want: str, with_keys: bool
) -> None:
    env = world.arrange(rules)
    keys = ["--with-keys"] if with_keys else []
    result = world.run("env", *_flag(rules), *keys, "--shell", "json", env=env)
    assert result.returncode == 0, result.stderr
    export = json.loads(result.stdout)
    assert export["S3ENV_PROFILE"] == want
    assert export["S3ENV_PINNED"] == (want if source in (FLAG, PINNED) else None)
    assert export["S3_ENDPOINT_URL"] == s3env.open_store().get(want).endpoint_url


@pytest.mark.parametrize("shell", ["sh", "bash", "zsh", "fish", "pwsh", "cmd", "dotenv"])
def test_env_name_pins_in_every_format_and_unset_unpins(world: World, shell: str) -> None:
    pinned = world.run("env", ON_B, "--shell", shell)
    assert pinned.returncode == 0, pinned.stderr
    assert (
        "S3ENV_PINNED" in pinned.stdout and ON_B in pinned.stdout.split("S3ENV_PINNED", 1)[1].splitlines()[0]
    )
    unset = world.run("env", "--unset", "--shell", shell)
    assert unset.returncode == 0 and ON_B not in unset.stdout
    assert ("S3ENV_PINNED" in unset.stdout) == (shell != "dotenv")  # a .env file cannot unset


@pytest.mark.parametrize(("label", "rules", "source", "want"), CASES, ids=IDS)
def test_the_python_api_uses_the_profile_that_applies(
    world: World, monkeypatch: pytest.MonkeyPatch, label: str, rules: dict[str, str], source: str, want: str
) -> None:
    env = world.arrange(rules)
    monkeypatch.chdir(world.cwd)
    monkeypatch.setenv("PWD", str(world.cwd))
    if env["S3ENV_PINNED"] is None:
        monkeypatch.delenv("S3ENV_PINNED", raising=False)
    else:
        monkeypatch.setenv("S3ENV_PINNED", env["S3ENV_PINNED"])
    name = rules.get(FLAG)
    where = str(world.dotfile) if source == DIRECTORY else None
    assert s3env.which_profile(name) == (want, source, where)
    buckets = [b["Name"] for b in s3env.client(name).list_buckets()["Buckets"]]
    assert world.went_to(" ".join(buckets)) == want
    with pytest.warns(ProfileNotWritten):  # no `s3env use` here: the AWS files are empty
        export = s3env.activate(name)
    assert os.environ["S3ENV_PROFILE"] == export["S3ENV_PROFILE"] == want
    assert os.environ.get("S3ENV_PINNED") == (want if source in (FLAG, PINNED) else None)
    s3env.deactivate()
    assert "S3ENV_PINNED" not in os.environ and "S3ENV_PROFILE" not in os.environ


# ---- a .s3env that names no profile; files that are not honoured -----------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [("nope\n", "not a profile in the store"), ("no pe\n", "not a valid profile name")],
)
def test_a_bad_dotfile_is_one_line_and_exit_1(world: World, text: str, reason: str) -> None:
    world.arrange({GLOBAL: ON_B})
    world.dotfile.write_text(text)
    line = f"s3env: error: {world.dotfile} names '{text.strip()}', which is {reason}"
    for args in (
        ("env",),
        ("env", "--with-keys", "--shell", "json"),
        ("exec", "--", "true"),
        ("--backend", "boto3", "ls"),
        ("--backend", "s5cmd", "ls"),
    ):
        result = world.run(*args)
        assert (result.returncode, result.stdout, result.stderr) == (1, "", line + "\n"), args


def test_a_flag_or_a_pin_decides_before_a_bad_dotfile_is_read(world: World) -> None:
    world.arrange({GLOBAL: ON_B})
    world.dotfile.write_text("no pe\n")
    ls = ("--backend", BACKEND, "ls")
    assert world.went_to(world.run("-p", ON_A, *ls).stdout) == ON_A
    assert world.went_to(world.run(*ls, env={"S3ENV_PINNED": ON_A}).stdout) == ON_A
    # Outside the tree, the global profile again.
    assert world.went_to(world.run(*ls, cwd=world.sandbox.home).stdout) == ON_B


def test_a_pin_naming_no_profile_is_one_line(world: World) -> None:
    world.arrange({GLOBAL: ON_B})
    result = world.run("exec", "--", "true", env={"S3ENV_PINNED": "gone"})
    assert result.returncode == 1 and len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("s3env: error: this shell is pinned to 'gone' (S3ENV_PINNED)")
    assert 'eval "$(s3env env --unset)"' in result.stderr


def test_a_symlinked_dotfile_is_ignored(world: World, tmp_path: Path) -> None:
    world.arrange({GLOBAL: ON_B})
    target = tmp_path / "elsewhere"
    target.write_text(ON_A + "\n")
    world.dotfile.symlink_to(target)
    assert world.went_to(world.run("--backend", BACKEND, "ls").stdout) == ON_B
    export = json.loads(world.run("env", "--shell", "json").stdout)
    assert export["S3ENV_PROFILE"] == ON_B


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0, reason="chown to another user needs root"
)
def test_another_users_dotfile_is_ignored(world: World) -> None:
    world.arrange({DIRECTORY: ON_A, GLOBAL: ON_B})
    os.chown(world.dotfile, 4242, 4242)
    assert world.went_to(world.run("--backend", BACKEND, "ls").stdout) == ON_B
    assert json.loads(world.run("env", "--shell", "json").stdout)["S3ENV_PROFILE"] == ON_B


# ---- what the bare `s3env` and doctor say ----------------------------------------------------


def _shell_after(world: World, *env_args: str, cwd: Path | None = None) -> dict[str, str | None]:
    """This shell's variables after ``eval "$(s3env env …)"`` there (None: unset)."""
    result = world.run("env", *env_args, "--shell", "json", cwd=cwd)
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout))


def test_status_says_pinned_directory_or_global(world: World) -> None:
    world.arrange({DIRECTORY: ON_A, GLOBAL: ON_B})
    pinned = world.run(env=_shell_after(world, ON_B))
    assert pinned.returncode == 0, pinned.stderr
    assert "active profile: on-b" in pinned.stdout
    assert (
        """  this shell: pinned to 'on-b' (eval "$(s3env env --unset)" to follow the global profile)\n"""
        in pinned.stdout
    )
    assert "does not follow" not in pinned.stdout

    directory = world.run(env=_shell_after(world))
    assert "  this shell: uses 'on-a' from ~/proj/.s3env\n" in directory.stdout
    assert "does not follow" not in directory.stdout
    stale = world.run(env=_shell_after(world, "--unset"))
    assert "  this shell: uses 'on-a' from ~/proj/.s3env\n" in stale.stdout
    assert "  this shell: does not follow 'on-a' (" in stale.stdout

    home = world.sandbox.home
    assert "  this shell: does not follow it (" in world.run(cwd=home).stdout
    following = world.run(env=_shell_after(world, cwd=home), cwd=home)
    assert "  this shell: follows it\n" in following.stdout
    assert "this shell: pinned" not in following.stdout and ".s3env" not in following.stdout

    world.dotfile.write_text("nope\n")
    broken = world.run()
    assert broken.returncode == 0
    assert "  this shell: ~/proj/.s3env names 'nope', which is not a profile in the store\n" in broken.stdout


def test_doctor_examines_the_profile_that_applies_and_says_why(world: World) -> None:
    world.arrange({DIRECTORY: ON_A, GLOBAL: ON_B})
    report = json.loads(world.run("doctor", "--json").stdout)
    assert (report["profile"], report["profile_source"], report["profile_file"]) == (
        ON_A,
        DIRECTORY,
        str(world.dotfile),
    )
    text = world.run("doctor", env={"S3ENV_PINNED": ON_B}).stdout
    assert text.startswith("profile: on-b (this shell is pinned to it)")
    text = world.run("doctor").stdout
    assert text.startswith("profile: on-a (from ~/proj/.s3env)")
    world.dotfile.write_text("nope\n")
    report = json.loads(world.run("doctor", "--json").stdout)
    assert (report["profile"], report["profile_source"]) == (ON_B, GLOBAL)
    assert "directory-profile-invalid" in {p["code"] for p in report["problems"]}
    report = json.loads(world.run("doctor", "--json", env={"S3ENV_PINNED": "gone"}).stdout)
    assert (report["profile"], report["profile_source"]) == (ON_B, GLOBAL)
    assert "pinned-profile-unknown" in {p["code"] for p in report["problems"]}


def test_the_env_files_of_use_unpin(world: World, run_s3env) -> None:  # type: ignore[no-untyped-def]
    result = run_s3env("use", ON_A)
    assert result.returncode == 0, result.stderr
    env_dir = world.sandbox.store / "env"
    assert "unset S3ENV_PINNED\n" in (env_dir / "active.sh").read_text()
    assert "set -e S3ENV_PINNED" in (env_dir / "active.fish").read_text()
