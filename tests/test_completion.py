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
