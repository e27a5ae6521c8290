"""`s3env shell-init` in real interactive shells, and `s3env exec`.

Interactive bash, zsh and fish run on a pty (pexpect).  `s3env use` run by another process
rewrites the env files; a hooked shell must pick the change up at its next prompt, without
starting a program.  Two moto servers, each with a bucket the other lacks, show which server
a real tool reached.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import s3env
from devtools.devserver import MotoServer
from tests.conftest import S3ENV, RunS3env, Sandbox, s3_client, unique_bucket
from tests.tools import require_program

pexpect = pytest.importorskip("pexpect")

PROMPT = "__PS__$ "
TIMEOUT = 30
FISH_PROMPT = f"function fish_prompt; printf '%s' '{PROMPT}'; end"
SHELL_ARGV = {
    "bash": ["bash", "--norc", "--noprofile", "-i"],
    "zsh": ["zsh", "-f", "-i"],
    "fish": ["fish", "--no-config", "-i", "-C", FISH_PROMPT],
}
SHOW = 'echo "V""AL=$AWS_PROFILE|$S3_ENDPOINT_URL|$AWS_REGION"'  # the typed line never matches VAL=
SHOW_RE = r"VAL=([^|\r\n]*)\|([^|\r\n]*)\|([^\r\n]*)\r\n"


class Shell:
    """An interactive shell on a pty; ``run`` types one line and returns its output and status."""

    def __init__(self, name: str, env: dict[str, str], cwd: Path) -> None:
        require_program(SHELL_ARGV[name][0])
        self.name = name
        env = dict(env, PS1=PROMPT, PROMPT=PROMPT, TERM="dumb")
        self.child = pexpect.spawn(
            SHELL_ARGV[name][0],
            SHELL_ARGV[name][1:],
            env=env,
            cwd=str(cwd),
            encoding="utf-8",
            codec_errors="replace",
            timeout=TIMEOUT,
            dimensions=(50, 400),
        )
        self.child.expect_exact(PROMPT)

    def run(self, line: str) -> tuple[str, int]:
        status = "$status" if self.name == "fish" else "$?"
        self.child.sendline(f'{line}; echo "@@""END {status}"')
        self.child.expect(r"@@END (\d+)\r\n")
        output, code = self.child.before, int(self.child.match.group(1))
        self.child.expect_exact(PROMPT)
        return output, code

    def enter(self) -> str:
        """Press Enter on an empty line: the shell shows its next prompt (and runs its hook)."""
        self.child.sendline("")
        self.child.expect_exact(PROMPT)
        return self.child.before

    def show(self) -> tuple[str, str, str]:
        self.child.sendline(SHOW)
        self.child.expect(SHOW_RE)
        groups = self.child.match.groups()
        self.child.expect_exact(PROMPT)
        return groups[0], groups[1], groups[2]

    def close(self) -> None:
        self.child.close(force=True)


@pytest.fixture
def shells(sandbox: Sandbox) -> Iterator[list[Shell]]:
    started: list[Shell] = []
    yield started
    for shell in started:
        shell.close()


def hook_line(name: str) -> str:
    if name == "fish":
        return f"{S3ENV} shell-init fish | source"
    return f'eval "$({S3ENV} shell-init {name})"'


class Servers:
    def __init__(self, a: MotoServer, b: MotoServer) -> None:
        self.a, self.b = a, b
        self.only_a, self.only_b = unique_bucket("only-a"), unique_bucket("only-b")
        s3_client(a).create_bucket(Bucket=self.only_a)
        s3_client(a).put_object(Bucket=self.only_a, Key="marker-a.txt", Body=b"server A")
        s3_client(b).create_bucket(Bucket=self.only_b)
        s3_client(b).put_object(Bucket=self.only_b, Key="marker-b.txt", Body=b"server B")


@pytest.fixture
def two_profiles(moto_pair: tuple[MotoServer, MotoServer], sandbox: Sandbox, run_s3env: RunS3env) -> Servers:
    """Profiles a and b on two servers, a active (AWS files and env files written)."""
    servers = Servers(*moto_pair)
    store = s3env.open_store()
    for name, server, region in (("a", servers.a, "us-east-1"), ("b", servers.b, "eu-west-1")):
        store.add(
            s3env.Profile(
                name,
                endpoint_url=server.url,
                region=region,
                addressing_style="path",
                access_key_id=f"AK{name}",
                secret_access_key=f"secret-of-{name}",
            )
        )
    use(run_s3env, "a")
    return servers


def use(run_s3env: RunS3env, name: str) -> None:
    """`s3env use NAME` in a second process, not in the hooked shell."""
    result = run_s3env("use", name)
    assert result.returncode == 0, result.stderr


# ---- the prompt hook ---------------------------------------------------------------------------


def test_bash_hook_follows_use_from_another_process_and_tools_reach_it(
    sandbox: Sandbox, run_s3env: RunS3env, two_profiles: Servers, shells: list[Shell]
) -> None:
    servers = two_profiles
    sh = Shell("bash", sandbox.env, sandbox.root)
    shells.append(sh)
    output, code = sh.run(hook_line("bash"))
    assert code == 0 and "rror" not in output, output
    assert sh.show() == ("a", servers.a.url, "us-east-1")

    use(run_s3env, "b")
    sh.enter()  # the next prompt applies the change
    assert sh.show() == ("b", servers.b.url, "eu-west-1")

    for command, wanted in (
        ("aws s3 ls", servers.only_b),
        ("s5cmd ls", servers.only_b),
        (f"megfile ls s3://{servers.only_b}/", "marker-b.txt"),
    ):
        output, code = sh.run(command)
        assert code == 0, (command, output)
        assert wanted in output and servers.only_a not in output, (command, output)

    # Typed in the hooked shell, `s3env use` (the function) switches it at once.
    output, code = sh.run(f"s3env use a >/dev/null; {SHOW}")
    match = re.search(SHOW_RE, output + "\r\n")
    assert code == 0 and match is not None, output
    assert match.groups() == ("a", servers.a.url, "us-east-1")
    output, code = sh.run("s5cmd ls")
    assert code == 0 and servers.only_a in output and servers.only_b not in output, output

    # A failing s3env command leaves the shell as it was and keeps its status.
    output, code = sh.run("s3env use nosuch")
    assert code != 0, output
    assert sh.show() == ("a", servers.a.url, "us-east-1")


@pytest.mark.parametrize("name", ["zsh", "fish"])
def test_zsh_and_fish_hooks_follow_use_from_another_process(
    name: str, sandbox: Sandbox, run_s3env: RunS3env, two_profiles: Servers, shells: list[Shell]
) -> None:
    servers = two_profiles
    sh = Shell(name, sandbox.env, sandbox.root)
    shells.append(sh)
    output, code = sh.run(hook_line(name))
    assert code == 0, output
    assert sh.show() == ("a", servers.a.url, "us-east-1")

    use(run_s3env, "b")
    sh.run("true")  # the prompt after this line runs the hook
    assert sh.show() == ("b", servers.b.url, "eu-west-1")
    output, code = sh.run("s5cmd ls")
    assert code == 0 and servers.only_b in output and servers.only_a not in output, output

    # Nothing changed: further prompts keep the values (and print nothing).
    assert "rror" not in sh.run("true")[0]
    assert sh.show() == ("b", servers.b.url, "eu-west-1")

    # The `s3env` function switches this shell immediately.
    output, code = sh.run(f"s3env use a >/dev/null; {SHOW}")
    match = re.search(SHOW_RE, output + "\r\n")
    assert code == 0 and match is not None, output
    assert match.groups() == ("a", servers.a.url, "us-east-1")


def test_bash_hook_needs_no_program(
    sandbox: Sandbox, run_s3env: RunS3env, two_profiles: Servers, shells: list[Shell]
) -> None:
    """With PATH pointing at an empty directory the hook still applies a change: builtins only."""
    servers = two_profiles
    empty = sandbox.root / "empty-bin"
    empty.mkdir()
    sh = Shell("bash", sandbox.env, sandbox.root)
    shells.append(sh)
    assert sh.run(hook_line("bash"))[1] == 0
    output, code = sh.run(f"PATH={empty}; hash -r")
    assert code == 0, output
    assert "not found" in sh.run("ls")[0]  # really no program reachable

    # Idle prompts with nothing changed: no error, no output, status kept.
    for _ in range(3):
        assert sh.enter().strip() == ""
    output, code = sh.run("(exit 3)")
    assert code == 3
    sh.child.sendline("(exit 5)")
    sh.child.expect_exact(PROMPT)
    assert sh.run("echo status=$?")[0].count("status=5") == 1  # the hook kept $? for the next line

    use(run_s3env, "b")
    assert sh.enter().strip() == ""
    assert sh.show() == ("b", servers.b.url, "eu-west-1")
    assert sh.enter().strip() == ""

    # The env file disappearing is not an error either.
    env_file = sandbox.store / "env" / "active.sh"
    env_file.rename(env_file.with_suffix(".away"))
    assert sh.enter().strip() == ""
    assert sh.show() == ("b", servers.b.url, "eu-west-1")


@pytest.mark.parametrize("name", ["bash", "zsh", "fish"])
def test_hooks_start_no_process_at_idle_prompts(
    name: str, sandbox: Sandbox, run_s3env: RunS3env, two_profiles: Servers, shells: list[Shell]
) -> None:
    """strace on the interactive shell: prompts and command lines (the hook runs before each),
    with and without a change, outside and 30 levels inside a `.s3env` tree, fork and exec
    nothing (the ownership and mode checks included: builtins and glob qualifiers only)."""
    strace = shutil.which("strace")
    if strace is None:
        pytest.skip("strace is not installed")
    servers = two_profiles
    top = sandbox.root / "tree"
    bottom = top.joinpath(*(f"d{i}" for i in range(30)))
    bottom.mkdir(parents=True)
    (top / ".s3env").write_text("a\n")
    sh = Shell(name, sandbox.env, sandbox.root)
    shells.append(sh)
    assert sh.run(hook_line(name))[1] == 0
    trace = sandbox.root / "strace.txt"
    tracer = subprocess.Popen(
        [strace, "-f", "-e", "trace=process", "-o", str(trace), "-p", str(sh.child.pid)],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert tracer.stderr is not None
        first = tracer.stderr.readline()
        if "attached" not in first:
            tracer.wait(timeout=10)
            pytest.skip(f"strace cannot attach here: {first.strip()}")
        sh.enter()
        sh.enter()
        assert sh.run("true")[1] == 0  # builtins only, so any process would be the hook's
        use(run_s3env, "b")
        assert sh.show() == ("b", servers.b.url, "eu-west-1")  # applied before the command
        sh.enter()
        sh.run(f"cd {bottom}")
        assert sh.show() == ("a", servers.a.url, "us-east-1")
        assert sh.run("true")[1] == 0
        sh.enter()
    finally:
        tracer.send_signal(signal.SIGINT)
        tracer.wait(timeout=10)
    calls = [
        line
        for line in trace.read_text().splitlines()
        if re.search(r"\b(fork|vfork|clone|clone3|execve|execveat)\(", line)
        and "CLONE_THREAD" not in line  # a thread of the shell (fish has some) is no process
    ]
    assert calls == []


# ---- s3env exec ----------------------------------------------------------------------------------

EXEC_SECRET = "exec-secret-'$(touch MARKER)'-\u00e9-Zq9"
STALE_A = ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "S3_ENDPOINT_URL")


@pytest.fixture
def exec_profile(moto_pair: tuple[MotoServer, MotoServer], sandbox: Sandbox) -> Servers:
    """Profile p on server B; the caller's environment points every endpoint variable at A."""
    servers = Servers(*moto_pair)
    s3env.open_store().add(
        s3env.Profile(
            "p",
            endpoint_url=servers.b.url,
            region="us-east-1",
            addressing_style="path",
            access_key_id="test",
            secret_access_key=EXEC_SECRET,
        )
    )
    return servers


def stale_env(servers: Servers) -> dict[str, str | None]:
    env: dict[str, str | None] = dict.fromkeys(STALE_A, servers.a.url)
    env.update(AWS_PROFILE="stale", AWS_ACCESS_KEY_ID="stale", AWS_SECRET_ACCESS_KEY="stale")
    return env


@pytest.mark.parametrize(
    ("tool", "args", "wanted"),
    [
        ("s5cmd", ["ls"], "only_b"),
        ("aws", ["s3", "ls"], "only_b"),
        ("megfile", ["ls", "s3://{only_b}/"], "marker-b.txt"),
    ],
)
def test_exec_tools_reach_the_profiles_server(
    tool: str, args: list[str], wanted: str, exec_profile: Servers, run_s3env: RunS3env
) -> None:
    require_program(tool)
    servers = exec_profile
    args = [a.format(only_b=servers.only_b) for a in args]
    result = run_s3env("exec", "p", "--", tool, *args, env=stale_env(servers))
    assert result.returncode == 0, result.stdout + result.stderr
    expected = servers.only_b if wanted == "only_b" else wanted
    assert expected in result.stdout, result.stdout
    assert servers.only_a not in result.stdout


def test_exec_exit_status_passes_through(exec_profile: Servers, run_s3env: RunS3env) -> None:
    assert run_s3env("exec", "p", "--", "sh", "-c", "exit 7").returncode == 7
    assert run_s3env("exec", "p", "--", "false").returncode == 1
    assert run_s3env("exec", "p", "--", "true").returncode == 0


def test_exec_replaces_s3env_so_signals_reach_the_command(exec_profile: Servers, sandbox: Sandbox) -> None:
    script = 'trap "exit 42" TERM; echo ready; while :; do sleep 0.05; done'
    proc = subprocess.Popen(
        [S3ENV, "exec", "p", "--", "sh", "-c", script],
        env=sandbox.env,
        cwd=sandbox.root,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        # Same pid: the process we started is now sh, not a Python parent forwarding signals.
        cmdline = Path(f"/proc/{proc.pid}/cmdline").read_bytes().split(b"\0")
        assert cmdline[:2] == [b"sh", b"-c"], cmdline
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=TIMEOUT) == 42
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_exec_secret_in_environment_never_in_argv(exec_profile: Servers, sandbox: Sandbox) -> None:
    proc = subprocess.Popen(
        [S3ENV, "exec", "p", "--", "sleep", "30"],
        env=dict(sandbox.env, AWS_SECRET_ACCESS_KEY="stale"),
        cwd=sandbox.root,
    )
    try:
        cmdline_path = Path(f"/proc/{proc.pid}/cmdline")
        deadline = time.monotonic() + TIMEOUT
        while not cmdline_path.read_bytes().startswith(b"sleep\0"):
            assert proc.poll() is None, "s3env exec exited early"
            assert time.monotonic() < deadline, cmdline_path.read_bytes()
            time.sleep(0.02)
        assert cmdline_path.read_bytes() == b"sleep\x0030\x00"
        assert EXEC_SECRET.encode() not in cmdline_path.read_bytes()
        environ = Path(f"/proc/{proc.pid}/environ").read_bytes().split(b"\0")
        assert b"AWS_SECRET_ACCESS_KEY=" + EXEC_SECRET.encode() in environ
        assert b"AWS_SECRET_ACCESS_KEY=stale" not in environ
        assert b"AWS_ACCESS_KEY_ID=test" in environ
        assert not any(e.startswith(b"AWS_PROFILE=") for e in environ)
    finally:
        proc.kill()
        proc.wait()
    assert not (sandbox.root / "MARKER").exists()


def test_exec_carries_a_hostile_secret_exactly(sandbox: Sandbox, run_s3env: RunS3env) -> None:
    secret = "a'b\"c\n$(touch MARKER)\r\t\\ \x1b[0m 😀 `x` !! %PATH% "
    token = "\n" + "t" * 5000 + "\\"
    s3env.open_store().add(
        s3env.Profile("h", access_key_id="AK", secret_access_key=secret, session_token=token)
    )
    code = (
        "import os, sys; e = os.environb; "
        "sys.stdout.buffer.write(e[b'AWS_SECRET_ACCESS_KEY'] + b'\\0' + e[b'AWS_SESSION_TOKEN'])"
    )
    result = subprocess.run(
        [S3ENV, "exec", "h", "--", sys.executable, "-c", code],
        env=sandbox.env,
        cwd=sandbox.root,
        capture_output=True,
        timeout=TIMEOUT,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == secret.encode() + b"\0" + token.encode()
    assert not (sandbox.root / "MARKER").exists()


def test_exec_errors_are_one_line(exec_profile: Servers, run_s3env: RunS3env) -> None:
    missing = run_s3env("exec", "nosuch", "--", "true")
    assert missing.returncode not in (0, 127)
    assert missing.stdout == ""
    assert len(missing.stderr.splitlines()) == 1, missing.stderr
    assert "nosuch" in missing.stderr

    not_found = run_s3env("exec", "p", "--", "no-such-command")
    assert not_found.returncode == 127
    assert not_found.stdout == ""
    assert len(not_found.stderr.splitlines()) == 1, not_found.stderr
    assert "no-such-command" in not_found.stderr

    for args in (["p"], ["p", "--"], ["-x", "--", "true"]):
        usage = run_s3env("exec", *args)
        assert usage.returncode not in (0, 127), args
        assert len(usage.stderr.splitlines()) == 1, (args, usage.stderr)

    no_active = run_s3env("exec", "--", "true")
    assert no_active.returncode not in (0, 127)
    assert len(no_active.stderr.splitlines()) == 1, no_active.stderr


def test_exec_defaults_to_the_active_profile(
    exec_profile: Servers, sandbox: Sandbox, run_s3env: RunS3env
) -> None:
    use(run_s3env, "p")
    result = run_s3env("exec", "--", "sh", "-c", 'printf "%s|%s" "$S3ENV_PROFILE" "$S3_ENDPOINT_URL"')
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"p|{exec_profile.b.url}"


def _no_shebang(tmp: Path) -> str:
    path = tmp / "no-shebang"
    path.write_text("echo hi\n")
    path.chmod(0o755)
    return str(path)


def _through_a_file(tmp: Path) -> str:
    (tmp / "plain-file").write_text("")
    return str(tmp / "plain-file" / "x")


@pytest.mark.parametrize("target", [_no_shebang, _through_a_file], ids=["ENOEXEC", "ENOTDIR"])
def test_exec_other_exec_failures_are_one_line(
    target: Callable[[Path], str], exec_profile: Servers, sandbox: Sandbox, run_s3env: RunS3env
) -> None:
    result = run_s3env("exec", "p", "--", target(sandbox.root))
    assert "Traceback" not in result.stderr, result.stderr
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.returncode == 126


def test_exec_environment_is_the_caller_plus_the_profile(
    exec_profile: Servers, sandbox: Sandbox, run_s3env: RunS3env
) -> None:
    """Variables s3env does not manage pass through unchanged; stale managed ones are replaced."""
    env = dict(stale_env(exec_profile), KEEP_ME="kept \n value", AWS_SESSION_TOKEN="stale-token")
    code = "import json, os; print(json.dumps(dict(os.environ)))"
    result = run_s3env("exec", "p", "--", sys.executable, "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    child = json.loads(result.stdout)
    assert child["KEEP_ME"] == "kept \n value"
    assert child["HOME"] == os.environ["HOME"]
    for name in STALE_A:
        assert child[name] == exec_profile.b.url
    assert "AWS_SESSION_TOKEN" not in child and "AWS_PROFILE" not in child
    assert child["AWS_SECRET_ACCESS_KEY"] == EXEC_SECRET


# ---- the hook sources only the user's own env file -----------------------------------------------

HOOK_SHELLS = ("bash", "zsh", "fish")
NOBODY = 65534
SUFFIX = {"bash": "sh", "zsh": "sh", "fish": "fish"}


@pytest.fixture
def offline_profiles(sandbox: Sandbox, run_s3env: RunS3env) -> None:
    """Profiles a and b on endpoints nothing listens on (only the environment is looked at), a active."""
    store = s3env.open_store()
    for name, port in (("a", 9), ("b", 10)):
        store.add(s3env.Profile(name, endpoint_url=f"http://127.0.0.1:{port}", region="us-east-1"))
    use(run_s3env, "a")


def planted(shell: str, marker: Path) -> str:
    """An env file as another user would plant it: a new first line, a command, a profile switch."""
    if shell == "fish":
        return f"# s3env-env evil 0\ntouch {marker}\nset -gx AWS_PROFILE evil\n"
    return f"# s3env-env evil 0\ntouch '{marker}'\nexport AWS_PROFILE=evil\n"


def _chown_file(env_file: Path, env_dir: Path) -> None:
    os.chown(env_file, NOBODY, NOBODY)


def _chown_dir(env_file: Path, env_dir: Path) -> None:
    os.chown(env_dir, NOBODY, NOBODY)


def _link(env_file: Path, env_dir: Path) -> None:
    """The file replaced by a link to a file the user owns elsewhere (with the planted text)."""
    elsewhere = env_dir.parent.parent / f"elsewhere-{env_file.name}"
    env_file.rename(elsewhere)
    env_file.symlink_to(elsewhere)


PLANTS = {"owned-by-nobody": _chown_file, "dir-owned-by-nobody": _chown_dir, "link": _link}


@pytest.mark.parametrize("plant", list(PLANTS))
@pytest.mark.parametrize("name", HOOK_SHELLS)
def test_hook_never_sources_a_planted_env_file(
    name: str, plant: str, sandbox: Sandbox, offline_profiles: None, shells: list[Shell]
) -> None:
    if plant != "link" and os.geteuid() != 0:
        pytest.skip("chown to another user needs root")
    sh = Shell(name, sandbox.env, sandbox.root)
    shells.append(sh)
    assert sh.run(hook_line(name))[1] == 0
    assert sh.show()[0] == "a"

    env_dir = sandbox.store / "env"
    env_file = env_dir / f"active.{SUFFIX[name]}"
    marker = sandbox.root / "PLANTED-RAN"
    env_file.write_text(planted(name, marker))
    PLANTS[plant](env_file, env_dir)
    first = sh.enter()
    assert not marker.exists(), "the planted file ran"
    assert sh.show()[0] == "a"
    assert "s3env: not applying" in first and str(env_file) in first, first
    assert "not applying" not in sh.enter()  # said once, not at every prompt


@pytest.mark.parametrize("what", ["file", "directory"])
def test_zsh_hook_never_sources_a_file_others_can_write(
    what: str, sandbox: Sandbox, offline_profiles: None, shells: list[Shell]
) -> None:
    """zsh sees mode bits with glob qualifiers; bash and fish have no builtin for them (see
    docs/shells.md): for those, s3env's own checks below keep the file 0600 in a 0700 directory."""
    sh = Shell("zsh", sandbox.env, sandbox.root)
    shells.append(sh)
    assert sh.run(hook_line("zsh"))[1] == 0
    env_dir = sandbox.store / "env"
    env_file = env_dir / "active.sh"
    marker = sandbox.root / "PLANTED-RAN"
    env_file.write_text(planted("zsh", marker))
    os.chmod(env_file if what == "file" else env_dir, 0o666 if what == "file" else 0o777)
    first = sh.enter()
    assert not marker.exists(), "the planted file ran"
    assert sh.show()[0] == "a"
    assert "s3env: not applying" in first


def test_use_refuses_an_env_directory_others_can_write_and_tightens_the_file(
    sandbox: Sandbox, offline_profiles: None, run_s3env: RunS3env
) -> None:
    env_dir = sandbox.store / "env"
    env_file = env_dir / "active.sh"
    os.chmod(env_file, 0o666)
    use(run_s3env, "b")  # s3env's own file: rewritten 0600
    assert stat.S_IMODE(os.stat(env_file).st_mode) == 0o600
    before = {p: p.read_bytes() for p in env_dir.rglob("*") if p.is_file()}
    os.chmod(env_dir, 0o777)
    result = run_s3env("use", "a")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and str(env_dir) in result.stderr, result.stderr
    assert {p: p.read_bytes() for p in env_dir.rglob("*") if p.is_file()} == before
    # env/profiles (the per-profile files of `.s3env` directories) is held to the same rule.
    os.chmod(env_dir, 0o700)
    os.chmod(env_dir / "profiles", 0o777)
    result = run_s3env("use", "a")
    assert result.returncode == 1 and str(env_dir / "profiles") in result.stderr, result.stderr
    assert {p: p.read_bytes() for p in env_dir.rglob("*") if p.is_file()} == before
    assert run_s3env("use").stdout == "b\n"


def test_a_relative_s3env_home_is_made_absolute_in_the_hook(
    sandbox: Sandbox, run_s3env: RunS3env, shells: list[Shell]
) -> None:
    """S3ENV_HOME=rel: the hook names <cwd>/rel/env/active.sh, not a path that follows `cd`."""
    env = dict(sandbox.env, S3ENV_HOME="rel-store")
    store = s3env.open_store(env=dict(env, S3ENV_HOME=str(sandbox.root / "rel-store")))
    store.add(s3env.Profile("a", endpoint_url="http://127.0.0.1:9", region="us-east-1"))
    result = run_s3env("use", "a", env={"S3ENV_HOME": "rel-store"})
    assert result.returncode == 0, result.stderr
    code = run_s3env("shell-init", "bash", env={"S3ENV_HOME": "rel-store"}).stdout
    assert f"_s3env_env_file='{sandbox.root}/rel-store/env/active.sh'" in code

    elsewhere = sandbox.root / "elsewhere"
    (elsewhere / "rel-store" / "env").mkdir(parents=True)
    marker = sandbox.root / "PLANTED-RAN"
    (elsewhere / "rel-store" / "env" / "active.sh").write_text(planted("bash", marker))
    for name in HOOK_SHELLS:
        (elsewhere / "rel-store" / "env" / "active.fish").write_text(planted("fish", marker))
        sh = Shell(name, env, sandbox.root)
        shells.append(sh)
        assert sh.run(hook_line(name))[1] == 0
        assert sh.show()[0] == "a"
        sh.run(f"cd {elsewhere}")
        sh.enter()
        assert sh.show()[0] == "a", name
        assert not marker.exists(), name
    # The fast path (s3env env) reads the same absolute store.
    plain = run_s3env("env", "a", "--shell", "sh", env={"S3ENV_HOME": "rel-store"})
    assert plain.returncode == 0 and "export AWS_PROFILE='a'" in plain.stdout, plain.stderr


@pytest.mark.parametrize("name", HOOK_SHELLS)
def test_hook_checks_accept_the_users_own_file_under_an_odd_path(
    name: str, sandbox: Sandbox, run_s3env: RunS3env, shells: list[Shell]
) -> None:
    """Spaces, glob and quote characters in S3ENV_HOME: the checks (zsh's glob qualifiers
    included) still see the user's own file, and the hook applies it."""
    odd = sandbox.root / "my store [x]*? 'q' $HOME"
    env = dict(sandbox.env, S3ENV_HOME=str(odd))
    store = s3env.open_store(env=env)
    for profile, port in (("a", 9), ("b", 10)):
        store.add(s3env.Profile(profile, endpoint_url=f"http://127.0.0.1:{port}", region="us-east-1"))
    assert run_s3env("use", "a", env={"S3ENV_HOME": str(odd)}).returncode == 0
    sh = Shell(name, env, sandbox.root)
    shells.append(sh)
    output, code = sh.run(hook_line(name))
    assert code == 0 and "not applying" not in output, output
    assert sh.show()[0] == "a"
    assert run_s3env("use", "b", env={"S3ENV_HOME": str(odd)}).returncode == 0
    assert "not applying" not in sh.enter()
    assert sh.show()[0] == "b"
