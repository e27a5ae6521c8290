"""The hook of `s3env shell-init` around a switch, in real bash, zsh and fish on a pty (issue 15):

- a switch made by another process reaches the very next command typed in an idle shell (the
  hook runs right before each command line too: bash's DEBUG trap or bash-preexec, zsh's
  preexec, fish's fish_preexec), and real tools reach the new server;
- a shell pinned with `s3env env NAME` keeps NAME across a global `use` until it unpins;
- a `.s3env` file in a directory or a parent switches the shell while it is inside that tree;
- bash keeps a DEBUG trap the user already had, and works with bash-preexec;
- the prompt snippets of docs/shells.md show the active profile.

One shell per test and shell, each walking through its whole story, keeps this file fast.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from tests import test_shell_hook
from tests.conftest import RunS3env, Sandbox
from tests.test_shell_hook import PROMPT, Servers, Shell, hook_line, use

# The fixtures of test_shell_hook.py, shared.
shells = test_shell_hook.shells
two_profiles = test_shell_hook.two_profiles
offline_profiles = test_shell_hook.offline_profiles

HOOK_SHELLS = ("bash", "zsh", "fish")
DOCS = Path(__file__).parents[1] / "docs" / "shells.md"
BASH_PREEXEC = Path(__file__).parent / "data" / "bash-preexec" / "bash-preexec.sh"
DEPTH = 30


def run_all(sh: Shell, line: str) -> tuple[str, int]:
    """Like ``Shell.run``, but the output includes what the hook printed at the next prompt."""
    status = "$status" if sh.name == "fish" else "$?"
    sh.child.sendline(f'{line}; echo "@@""END {status}"')
    sh.child.expect(r"@@END (\d+)\r\n")
    output, code = sh.child.before, int(sh.child.match.group(1))
    sh.child.expect_exact(PROMPT)
    return output + sh.child.before, code


def shown(sh: Shell) -> str:
    """$S3ENV_PROFILE|$S3ENV_PINNED as the shell sees them in the first command it runs now."""
    output, code = sh.run('echo "P""ROF=$S3ENV_PROFILE|$S3ENV_PINNED"')
    match = re.search(r"PROF=([^\r\n]*)", output)
    assert code == 0 and match is not None, output
    return match.group(1)


def pin(sh: Shell, name: str | None) -> str:
    """`eval "$(s3env env NAME)"` (None: `--unset`), in this shell's own syntax; what it printed
    (the hook's lines at the next prompt included)."""
    args = f"env {name}" if name else "env --unset"
    if sh.name == "fish":
        line = f"s3env {args} --shell fish | source"
    else:
        line = f'eval "$(s3env {args} --shell sh)"'
    output, code = run_all(sh, line)
    assert code == 0, output
    return output


def start(sandbox: Sandbox, shells: list[Shell], name: str, cwd: Path | None = None) -> Shell:
    sh = Shell(name, sandbox.env, cwd or sandbox.root)
    shells.append(sh)
    output, code = sh.run(hook_line(name))
    assert code == 0 and "s3env:" not in output, output
    return sh


# ---- no lag; pinned shells ---------------------------------------------------------------------

# A real tool as the very first command after the switch: awscli in bash, boto3 in zsh, s5cmd in fish.
LIST_BUCKETS = {
    "bash": "aws s3 ls",
    "zsh": 'python3 -c \'import boto3; print(boto3.client("s3").list_buckets()["Buckets"])\'',
    "fish": "s5cmd ls",
}


@pytest.mark.parametrize("name", HOOK_SHELLS)
def test_the_very_next_command_follows_a_switch_and_a_pinned_shell_stays(
    name: str, sandbox: Sandbox, run_s3env: RunS3env, two_profiles: Servers, shells: list[Shell]
) -> None:
    servers = two_profiles
    sh = start(sandbox, shells, name)
    assert sh.show() == ("a", servers.a.url, "us-east-1")

    # Idle at a prompt while another process switches: the first command sees the switch.
    use(run_s3env, "b")
    assert sh.show() == ("b", servers.b.url, "eu-west-1")
    use(run_s3env, "a")
    output, code = sh.run(LIST_BUCKETS[name])
    assert code == 0 and servers.only_a in output and servers.only_b not in output, output

    # Pinned: `s3env env b` keeps b whatever `use` does elsewhere.
    pin(sh, "b")
    assert shown(sh) == "b|b"
    use(run_s3env, "b")
    use(run_s3env, "a")
    assert shown(sh) == "b|b"
    sh.enter()
    assert sh.show() == ("b", servers.b.url, "eu-west-1")

    # Unpinned: the global profile again, from the very next command.
    pin(sh, None)
    assert shown(sh) == "a|"
    assert sh.show() == ("a", servers.a.url, "us-east-1")

    # `s3env use NAME` typed in a pinned shell: asked for here, so this shell unpins and follows.
    pin(sh, "a")
    assert shown(sh) == "a|a"
    output, code = sh.run("s3env use b >/dev/null")
    assert code == 0, output
    assert shown(sh) == "b|"
    use(run_s3env, "a")
    assert shown(sh) == "a|"


# ---- .s3env ----------------------------------------------------------------------------------------


def s3env_file(directory: Path, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / ".s3env").write_text(text)
    return directory


@pytest.mark.parametrize("name", HOOK_SHELLS)
def test_s3env_file_switches_inside_its_tree(
    name: str, sandbox: Sandbox, run_s3env: RunS3env, offline_profiles: None, shells: list[Shell]
) -> None:
    home = sandbox.home
    s3env_file(home / "proj", " b\t\nanything else is not read\n")
    (home / "proj" / "sub").mkdir()
    s3env_file(home / "unknown", "nosuch\n")
    s3env_file(home / "badname", "../b\n")
    deep = s3env_file(home / "deep", "b")  # no newline: still its first line
    bottom = deep.joinpath(*(f"d{i}" for i in range(DEPTH)))
    bottom.mkdir(parents=True)
    (home / "linked").mkdir()
    (home / "linked" / ".s3env").symlink_to(home / "proj" / ".s3env")
    (home / "fresh").mkdir()
    sh = start(sandbox, shells, name, cwd=home)
    assert shown(sh) == "a|"

    # Entering: one line, and the profile the file names.
    output, code = run_all(sh, "cd ~/proj/sub")
    assert code == 0 and output.count("s3env: using 'b' for ~/proj\r\n") == 1, output
    assert shown(sh) == "b|"
    output, _code = run_all(sh, "cd ..")  # still inside: nothing said
    assert "s3env:" not in output, output
    assert shown(sh) == "b|"
    # Leaving: one line, and the global profile again.
    output, _code = run_all(sh, "cd ~")
    assert output.count("s3env: left ~/proj, back to 'a'\r\n") == 1, output
    assert shown(sh) == "a|"

    # A global switch does not move a shell inside the tree; leaving the tree follows it.
    sh.run("cd ~/proj")
    use(run_s3env, "b")
    use(run_s3env, "a")
    assert shown(sh) == "b|"

    # A .s3env written while the shell sits in its directory counts from the next command.
    sh.run("cd ~/fresh")
    assert shown(sh) == "a|"
    s3env_file(home / "fresh", "b\n")
    output, _code = run_all(sh, 'echo "P""ROF=$S3ENV_PROFILE"')
    assert "PROF=b" in output and "s3env: using 'b' for ~/fresh" in output, output

    # Names that are not profiles: refused once per file and name; the global profile stays.
    for where, named in (("unknown", "nosuch"), ("badname", "../b")):
        output, _code = run_all(sh, f"cd ~/{where}")
        refusal = f"s3env: ~/{where}/.s3env names '{named}', which is not an s3env profile; ignored"
        assert output.count(refusal) == 1, output
        assert shown(sh) == "a|"
        output, _code = run_all(sh, "true")
        assert "s3env:" not in output, output
    # A link is not honoured (said once).
    output, _code = run_all(sh, "cd ~/linked")
    assert output.count("s3env: ignoring ~/linked/.s3env: it is a link or is not yours") == 1, output
    assert shown(sh) == "a|"
    assert "s3env:" not in run_all(sh, "true")[0]

    # Thirty levels down: the walk still finds it.
    output, _code = run_all(sh, f"cd {bottom}")
    assert "s3env: using 'b' for ~/deep" in output, output
    assert shown(sh) == "b|"

    # Pinned wins over the directory; unpinning inside the tree gives the directory's profile.
    sh.run("cd ~")
    pin(sh, "a")
    output, _code = run_all(sh, "cd ~/proj")
    assert "s3env:" not in output, output
    assert shown(sh) == "a|a"
    output = pin(sh, None)
    assert "s3env: using 'b' for ~/proj" in output, output
    assert shown(sh) == "b|"

    # A profile removed from the store: its env files go, and its .s3env is refused.
    assert run_s3env("profile", "rm", "b", "--yes").returncode == 0
    output, _code = run_all(sh, "true")
    assert "s3env: ~/proj/.s3env names 'b', which is not an s3env profile; ignored" in output, output
    assert shown(sh) == "a|"


def test_per_profile_env_files_follow_the_store(
    sandbox: Sandbox, run_s3env: RunS3env, offline_profiles: None
) -> None:
    """One file per profile and hooked format; removed with the profile, and only s3env's."""
    profiles = sandbox.store / "env" / "profiles"
    assert sorted(p.name for p in profiles.iterdir()) == ["a.fish", "a.sh", "b.fish", "b.sh"]
    assert oct(profiles.stat().st_mode & 0o777) == "0o700"
    assert all(oct(p.stat().st_mode & 0o777) == "0o600" for p in profiles.iterdir())
    active = (sandbox.store / "env" / "active.sh").read_text()
    assert (profiles / "a.sh").read_text() == active  # same marker, same text: no re-source on entering
    b = (profiles / "b.sh").read_text()
    assert b.startswith("# s3env-env b ") and "export AWS_PROFILE='b'\n" in b
    assert "AWS_SECRET_ACCESS_KEY=" not in b

    mine = profiles / "notes.sh"
    mine.write_text("# my own notes\n")
    lookalike = profiles / "gone.fish"
    lookalike.symlink_to(profiles / "b.fish")
    assert run_s3env("profile", "rename", "b", "c").returncode == 0
    left = sorted(p.name for p in profiles.iterdir())
    assert left == ["a.fish", "a.sh", "c.fish", "c.sh", "gone.fish", "notes.sh"]
    assert mine.read_text() == "# my own notes\n"
    assert lookalike.is_symlink()
    drift = run_s3env("write", "--check")
    assert drift.returncode == 0, drift.stdout

    (profiles / "c.sh").unlink()  # out of date until written again
    drift = run_s3env("write", "--check")
    assert drift.returncode == 1 and f"{profiles / 'c.sh'}: out of date" in drift.stdout, drift.stdout
    assert run_s3env("write").returncode == 0
    assert (profiles / "c.sh").exists()

    # A stale file s3env wrote (its profile gone behind its back) is removed by the next write.
    stale = profiles / "old.sh"
    stale.write_text((profiles / "c.sh").read_text())
    diff = run_s3env("write", "--diff")
    assert f"--- {stale} (now)" in diff.stdout, diff.stdout
    assert run_s3env("write").returncode == 0
    assert not stale.exists() and mine.exists()


# ---- bash: an existing DEBUG trap, bash-preexec, extdebug ------------------------------------------


def test_bash_keeps_the_users_debug_trap(
    sandbox: Sandbox, run_s3env: RunS3env, offline_profiles: None, shells: list[Shell]
) -> None:
    log = sandbox.root / "trap.log"
    sh = Shell("bash", sandbox.env, sandbox.root)
    shells.append(sh)
    sh.run(f'trap \'printf "%s|%s|%s\\n" "$BASH_COMMAND" "$?" "$_" >> {log}\' DEBUG')
    assert sh.run(hook_line("bash"))[1] == 0
    log.write_text("")

    use(run_s3env, "b")
    assert shown(sh) == "b|"
    lines = log.read_text().splitlines()
    assert any(line.startswith('echo "P""ROF=') for line in lines), lines  # the user's trap ran

    # The user's trap sees the $? and $_ it would see without s3env's; so do commands.
    log.write_text("")
    output, _code = sh.run('(exit 3); echo one two; echo "rc-last=$_"')
    assert "rc-last=two" in output, output
    lines = log.read_text().splitlines()
    assert "echo one two|3|" in "\n".join(lines), lines
    assert any(line.startswith('echo "rc-last=$_"|0|two') for line in lines), lines

    # Installing the hook again (a re-sourced ~/.bashrc) does not chain s3env to itself.
    assert sh.run(hook_line("bash"))[1] == 0
    output, _code = sh.run("trap -p DEBUG")
    assert output.count("_s3env_debug") == 1 and str(log) in output, output


def test_bash_without_a_user_trap_under_extdebug(
    sandbox: Sandbox, run_s3env: RunS3env, offline_profiles: None, shells: list[Shell]
) -> None:
    """With extdebug a DEBUG trap returning non-zero skips the command: s3env's never does."""
    sh = start(sandbox, shells, "bash")
    sh.run("shopt -s extdebug")
    output, _code = sh.run("false; echo ran-$?")
    assert "ran-1" in output, output
    use(run_s3env, "b")
    assert shown(sh) == "b|"
    # Other PROMPT_COMMAND entries after s3env's (which fire the DEBUG trap) do not use up the
    # check that belongs to the next command line.
    sh.run('PROMPT_COMMAND="$PROMPT_COMMAND;: one;: two"')
    use(run_s3env, "a")
    assert shown(sh) == "a|"


@pytest.mark.parametrize("order", ["bash-preexec first", "s3env first"])
def test_bash_with_bash_preexec(
    order: str, sandbox: Sandbox, run_s3env: RunS3env, offline_profiles: None, shells: list[Shell]
) -> None:
    sh = Shell("bash", sandbox.env, sandbox.root)
    shells.append(sh)
    lines = [f". {BASH_PREEXEC}", hook_line("bash")]
    for line in lines if order == "bash-preexec first" else reversed(lines):
        output, code = sh.run(line)
        assert code == 0, output
    sh.run("preexec_functions+=(_mine); _mine() { n_mine=$((${n_mine:-0}+1)); }")
    sh.enter()
    output, _code = sh.run("trap -p DEBUG")
    assert "__bp_preexec_invoke_exec" in output, output
    use(run_s3env, "b")
    assert shown(sh) == "b|"
    use(run_s3env, "a")
    assert shown(sh) == "a|"
    output, _code = sh.run('echo "n=$n_mine"')
    assert "n=4" in output, output  # bash-preexec's own functions still run once per line


# ---- prompt snippets (docs/shells.md) --------------------------------------------------------------

PROMPT_SNIPPETS = {
    "bash": """PS1='${S3ENV_PROFILE:+($S3ENV_PROFILE) }'"$PS1\"""",
    "zsh": """setopt PROMPT_SUBST; PS1='${S3ENV_PROFILE:+($S3ENV_PROFILE) }'"$PS1\"""",
    "fish": "set -q S3ENV_PROFILE; and printf '(%s) ' $S3ENV_PROFILE",
}


@pytest.mark.parametrize("name", HOOK_SHELLS)
def test_prompt_snippet_shows_the_profile_of_the_next_prompt(
    name: str, sandbox: Sandbox, run_s3env: RunS3env, offline_profiles: None, shells: list[Shell]
) -> None:
    snippet = PROMPT_SNIPPETS[name]
    assert snippet in DOCS.read_text(), "the snippet tested is the one documented"
    if name == "fish":
        snippet = f"function fish_prompt; {snippet}; printf '%s' '{PROMPT}'; end"
    sh = start(sandbox, shells, name)
    sh.child.sendline(snippet)
    sh.child.expect_exact(f"(a) {PROMPT}")
    use(run_s3env, "b")
    sh.child.sendline("")
    sh.child.expect_exact(f"(b) {PROMPT}")  # the prompt after a switch already shows it
    sh.child.sendline("s3env use a >/dev/null")
    sh.child.expect_exact(f"(a) {PROMPT}")
    sh.child.sendline(("set -e" if name == "fish" else "unset") + ' S3ENV_PROFILE; echo "M""ARK"')
    sh.child.expect_exact("MARK\r\n")
    sh.child.expect(rf"(\([\w.-]+\) )?{re.escape(PROMPT)}")
    assert sh.child.match.group(1) is None, sh.child.before  # no profile: nothing shown


def test_starship_snippet_uses_the_env_var_module() -> None:
    """starship is not installed here: the documented snippet parses and uses only the fields and
    variables starship documents for its env_var module (symbol, style, variable, default, format,
    disabled, description; $env_value, $symbol, $style)."""
    text = DOCS.read_text()
    blocks = re.findall(r"```toml\n(.*?)```", text, re.S)
    assert blocks, "docs/shells.md has a toml block"
    config = tomllib.loads(blocks[0])
    module = config["env_var"]["S3ENV_PROFILE"]
    assert set(module) <= {"symbol", "style", "variable", "default", "format", "disabled", "description"}
    assert "$env_value" in module["format"]
    assert set(re.findall(r"\$(\w+)", module["format"])) <= {"env_value", "symbol", "style"}
    assert "custom" not in config  # a custom module would start a process per prompt
