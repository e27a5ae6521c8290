"""Completion scripts: checked in, equal to what `s3env completion` generates, and working
in real bash, zsh and fish with profile names read live from the store."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import RunS3env, Sandbox
from tests.tools import require_program

COMPLETIONS = Path(__file__).parent.parent / "completions"
FILES = {"bash": "s3env.bash", "zsh": "_s3env", "fish": "s3env.fish"}


@pytest.mark.parametrize("shell", sorted(FILES))
def test_checked_in_scripts_match_the_generator(run_s3env: RunS3env, shell: str) -> None:
    result = run_s3env("completion", shell)
    assert result.returncode == 0, result.stderr
    assert (COMPLETIONS / FILES[shell]).read_text() == result.stdout, "run `make completions`"


def test_unknown_shell_is_a_usage_error(run_s3env: RunS3env) -> None:
    result = run_s3env("completion", "tcsh")
    assert result.returncode == 2 and "tcsh" in result.stderr


@pytest.fixture
def profiles(run_s3env: RunS3env) -> list[str]:
    names = ["alpha", "beta.two", "gamma_3"]
    for name in names:
        assert run_s3env("profile", "add", name, "--region", "us-east-1").returncode == 0
    return names


def run_shell(sandbox: Sandbox, argv: list[str]) -> list[str]:
    result = subprocess.run(argv, env=sandbox.env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


BASH_CASES = [
    (["s3env", "profile", "show", ""], ["alpha", "beta.two", "gamma_3"]),
    (["s3env", "use", "g"], ["gamma_3"]),
    (["s3env", "pro"], ["profile", "providers"]),
    (["s3env", "env", "alpha", "--shell", "f"], ["fish"]),
    (["s3env", "profile", "add", "x", "--addressing-style", ""], ["auto", "path", "virtual"]),
    (["s3env", "profile", "set", "alpha", "reg"], ["region="]),
    (["s3env", "write", "--c"], ["--check"]),
    (["s3env", "profile", "add", "x", "--provider", "r"], ["r2"]),
    (["s3env", "shell-init", ""], ["bash", "fish", "pwsh", "zsh"]),
]


@pytest.mark.parametrize(("words", "expected"), BASH_CASES)
def test_bash_completion(
    sandbox: Sandbox, profiles: list[str], words: list[str], expected: list[str]
) -> None:
    require_program("bash")
    quoted = " ".join(f"'{w}'" for w in words)
    script = (
        f"source {COMPLETIONS / FILES['bash']}; "
        f"COMP_WORDS=({quoted}); COMP_CWORD={len(words) - 1}; _s3env; printf '%s\\n' \"${{COMPREPLY[@]}}\""
    )
    assert sorted(run_shell(sandbox, ["bash", "--norc", "-c", script])) == sorted(expected)


@pytest.mark.parametrize(("words", "expected"), BASH_CASES)
def test_zsh_completion(sandbox: Sandbox, profiles: list[str], words: list[str], expected: list[str]) -> None:
    require_program("zsh")
    quoted = " ".join(f"'{w}'" for w in words)
    script = (
        "compdef() { :; }; "
        f"source {COMPLETIONS / FILES['zsh']}; "
        # zsh's own matcher filters candidates by the word's prefix; stand in for it here.
        "compadd() { shift; local w; for w in $@; do "
        "[[ $w == ${words[CURRENT]}* ]] && print -- $w; done; true; }; "
        f"words=({quoted}); CURRENT={len(words)}; _s3env"
    )
    assert sorted(run_shell(sandbox, ["zsh", "-f", "-c", script])) == sorted(expected)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("s3env use ", ["alpha", "beta.two", "gamma_3"]),
        ("s3env profile ", ["add", "copy", "list", "rename", "rm", "set", "show"]),
        ("s3env env alpha --shell ", ["bash", "cmd", "dotenv", "fish", "json", "pwsh", "sh", "zsh"]),
    ],
)
def test_fish_completion(sandbox: Sandbox, profiles: list[str], line: str, expected: list[str]) -> None:
    require_program("fish")
    script = f"source {COMPLETIONS / FILES['fish']}; complete -C '{line}'"
    got = [w.split("\t")[0] for w in run_shell(sandbox, ["fish", "--no-config", "-c", script])]
    assert sorted(got) == sorted(expected)


# ---- in real interactive shells, on a pty: TAB as a user presses it ---------------------------

PROMPT = "__PS__$ "
INTERACTIVE = {
    "bash": ["bash", "--norc", "--noprofile", "-i"],
    "zsh": ["zsh", "-f", "-i"],
    "fish": ["fish", "--no-config", "-i", "-C", f"function fish_prompt; printf '%s' '{PROMPT}'; end"],
}
# Load the checked-in script the way each shell's users do, and stand a function in for s3env
# that prints the words it got: the completion helpers call the real one (`command s3env`).
POSIX_STAND_IN = 's3env() { echo "AR""GS:$*"; }'
SETUP = {
    "bash": f"source {COMPLETIONS / FILES['bash']}; {POSIX_STAND_IN}",
    "zsh": f"fpath=({COMPLETIONS} $fpath); autoload -U compinit; compinit -u -D; {POSIX_STAND_IN}",
    "fish": f"source {COMPLETIONS / FILES['fish']}; function s3env; echo AR''GS:\"$argv\"; end",
}
TAB_CASES = [
    ("s3env sy", "sync"),  # an S3 command
    ("s3env --json he", "head"),  # an S3 command after s3env's options
    ("s3env ls --show-f", "--show-fullpath"),  # a flag of an S3 command, from s5cmd's help
    ("s3env cp --if-source-n", "--if-source-newer"),
    ("s3env -p gam", "gamma_3"),  # a profile name as the value of s3env's option
    ("s3env use bet", "beta.two"),  # a profile name as an argument
    ("s3env --backend bo", "boto3"),
]


@pytest.mark.parametrize("shell", sorted(INTERACTIVE))
def test_tab_completes_in_the_real_shell(sandbox: Sandbox, profiles: list[str], shell: str) -> None:
    pexpect = pytest.importorskip("pexpect")
    require_program(shell)
    child = pexpect.spawn(
        INTERACTIVE[shell][0],
        INTERACTIVE[shell][1:],
        env=dict(sandbox.env, PS1=PROMPT, PROMPT=PROMPT, TERM="dumb"),
        cwd=str(sandbox.root),
        encoding="utf-8",
        codec_errors="replace",
        timeout=30,
        dimensions=(50, 400),
    )
    try:
        child.expect_exact(PROMPT)
        child.sendline(SETUP[shell])
        child.expect_exact(PROMPT)
        for typed, word in TAB_CASES:
            child.send(typed + "\t")
            child.expect_exact(word[len(typed.split()[-1]) :])  # what TAB inserted
            child.send("\r")
            child.expect(r"ARGS:([^\r\n]*)\r\n")
            assert child.match.group(1).split() == [*typed.split()[1:-1], word], typed
            child.expect_exact(PROMPT)
    finally:
        child.close(force=True)
