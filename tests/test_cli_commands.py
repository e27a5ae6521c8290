"""The command table (``s3env.cli.table``) and what reads it: ``s3env --help``, dispatch, the
"did you mean" of a mistyped command, s3env's options placed after an S3 command, and the
typer registration.  The installed script in a sandbox HOME; the real s5cmd as the reference
for what its commands accept."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

import s3env
from s3env.core.errors import NoActiveProfile, S3envError, UsageError
from s3env.shim.base import SHIM_COMMANDS
from s3env.shim.s5cmd import find_s5cmd
from tests.conftest import RunS3env, Sandbox

GLOBAL_OPTIONS = ("-p, --profile NAME", "--backend auto|s5cmd|boto3", "--json", "--dry-run", "--numworkers N")


def one_line_error(result: subprocess.CompletedProcess[str], code: int) -> str:
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("s3env: error: "), result.stderr
    assert result.stdout == ""
    return lines[0]


def listed(help_text: str) -> set[str]:
    """The names in the two-column rows of a help text ("  NAME  help")."""
    return {m.group(1) for m in re.finditer(r"^  (\S+(?: \S+)?)(?:  +\S|$)", help_text, re.M)}


def typer_commands() -> set[str]:
    """Every command typer registered, as "profile add" for a subcommand."""
    import typer.main

    from s3env.cli.app import app

    names = set()

    def walk(command, path: str) -> None:  # type: ignore[no-untyped-def]
        for name, sub in getattr(command, "commands", {}).items():
            full = f"{path} {name}".strip()
            if getattr(sub, "commands", None):
                walk(sub, full)
            else:
                names.add(full)

    walk(typer.main.get_command(app), "")
    return names


# ---- s3env --help ------------------------------------------------------------------------------


def test_help_lists_every_command_and_the_s3_commands_options(run_s3env: RunS3env) -> None:
    result = run_s3env("--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Usage: s3env")
    rows = listed(result.stdout)
    for name in (*SHIM_COMMANDS, *typer_commands(), "env", "exec", "shell-init", "completion"):
        assert name in rows, name
    for option in GLOBAL_OPTIONS:
        assert re.search(rf"^  {re.escape(option)}  ", result.stdout, re.M), option
    assert "_profiles" not in result.stdout  # the completion scripts' helpers stay hidden
    assert run_s3env("-h").stdout == result.stdout


def test_help_lists_what_the_table_holds(run_s3env: RunS3env) -> None:
    from s3env.cli.table import COMMANDS, HIDDEN, subcommands

    rows = listed(run_s3env("--help").stdout)
    expected = {c.name for c in COMMANDS.values() if c.group != HIDDEN and not subcommands(c.name)}
    assert expected <= rows


@pytest.mark.parametrize(
    "argv", [["--backend", "boto3", "--help"], ["--backend", "s5cmd", "-h"], ["-p", "x", "--json", "--help"]]
)
def test_help_after_the_s3_commands_options(run_s3env: RunS3env, argv: list[str]) -> None:
    result = run_s3env(*argv)
    assert result.returncode == 0, result.stderr
    assert result.stdout == run_s3env("--help").stdout


def test_fast_commands_help_comes_from_the_table(run_s3env: RunS3env) -> None:
    from s3env.cli.table import COMMANDS

    for name in ("env", "exec", "shell-init", "completion", "credential-process"):
        out = run_s3env(name, "--help").stdout
        assert out.startswith(f"Usage: s3env {name} {COMMANDS[name].usage}\n"), out
        assert all(example in out for example in COMMANDS[name].examples), name
    words = " ".join(run_s3env("env", "-h").stdout.split())  # the help wraps its lines
    assert "bash, zsh, fish, sh, pwsh, cmd, dotenv, json" in words


# ---- mistyped commands ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "guess"),
    [
        (["lss"], "ls"),
        (["--backend", "boto3", "lss"], "ls"),
        (["--backend", "s5cmd", "lss"], "ls"),
        (["-p", "x", "--json", "snyc", "a/", "s3://b/"], "sync"),
        (["doctr"], "doctor"),
        (["shell-int", "bash"], "shell-init"),
        (["profiles"], "profile"),
    ],
)
def test_a_mistyped_command_gets_a_suggestion(run_s3env: RunS3env, argv: list[str], guess: str) -> None:
    line = one_line_error(run_s3env(*argv), 2)
    assert f"did you mean '{guess}'" in line, line


def test_an_unknown_command_without_a_close_one(run_s3env: RunS3env) -> None:
    line = one_line_error(run_s3env("frobnicate"), 2)
    assert "no such command 'frobnicate'" in line and "did you mean" not in line


def test_s3_options_before_another_command_say_so(run_s3env: RunS3env) -> None:
    line = one_line_error(run_s3env("--json", "doctor"), 2)
    assert "go with the S3 commands" in line and "'doctor'" in line


# ---- s3env's options after an S3 command ---------------------------------------------------------


@pytest.fixture
def active(run_s3env: RunS3env) -> str:
    """An active profile on a port nothing listens on: no command here may reach it."""
    added = run_s3env(
        "profile", "add", "minio", "--endpoint-url", "http://127.0.0.1:9", "--region", "us-east-1",
        "--access-key-id", "AK", "--secret-stdin", input="SK\n",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert run_s3env("use", "minio").returncode == 0
    return "minio"


def s5cmd_itself(*args: str) -> subprocess.CompletedProcess[str]:
    binary = find_s5cmd()
    assert binary is not None, "the s5cmd package is a test dependency"
    return subprocess.run([binary, *args], capture_output=True, text=True, env={}, timeout=60)


@pytest.mark.parametrize(
    ("argv", "fixed"),
    [
        (["ls", "-p", "minio"], "s3env -p minio ls"),
        (["ls", "--profile", "minio", "s3://b/"], "s3env --profile minio ls s3://b/"),
        (["ls", "-profile=minio"], "s3env --profile=minio ls"),
        (["--json", "ls", "--backend=boto3"], "s3env --json --backend=boto3 ls"),
        (["cp", "-n", "--dry-run", "a", "s3://b/k"], "s3env --dry-run cp -n a s3://b/k"),
        (["rm", "s3://b/k", "--json"], "s3env --json rm s3://b/k"),
        (["du", "--numworkers", "4", "s3://b/*"], "s3env --numworkers 4 du 's3://b/*'"),
        (["ls", "-p"], "s3env -p NAME ls"),
    ],
)
@pytest.mark.parametrize("backend", ["s5cmd", "boto3"])
def test_s3env_options_after_an_s3_command_say_where_they_go(
    run_s3env: RunS3env, active: str, argv: list[str], fixed: str, backend: str
) -> None:
    # s5cmd itself refuses these command lines (an unknown flag, or an argument too many).
    command_at = next(i for i, a in enumerate(argv) if a in SHIM_COMMANDS)
    assert s5cmd_itself(*argv[command_at:]).returncode != 0
    line = one_line_error(run_s3env("--backend", backend, *argv), 2)
    fixed = fixed.replace("s3env", f"s3env --backend {backend}", 1)
    assert line.startswith(f"s3env: error: s3env's own options go before the command: {fixed} ("), line
    assert line.endswith(f" is not {argv[command_at]}'s)"), line


@pytest.mark.parametrize("backend", ["s5cmd", "boto3"])
def test_the_s3_commands_own_flags_of_the_same_name_still_reach_them(
    run_s3env: RunS3env, sandbox: Sandbox, active: str, backend: str
) -> None:
    # cp's -p is s5cmd's --part-size; with s3env's --dry-run nothing is sent.
    (sandbox.root / "f.txt").write_text("x")
    result = run_s3env("--backend", backend, "--dry-run", "cp", "-p", "5", "f.txt", "s3://b/k")
    assert (result.returncode, result.stdout, result.stderr) == (0, "cp f.txt s3://b/k\n", "")
    # after `--` or as s5cmd's own error (an unknown flag first), nothing is s3env's
    result = run_s3env("--backend", backend, "ls", "-x", "-p", "minio")
    assert result.returncode == 1 and "flag provided but not defined: -x" in result.stdout


def test_an_s3_commands_help_still_needs_no_profile(run_s3env: RunS3env) -> None:
    for argv in (["--backend", "boto3", "ls", "-h"], ["-p", "nosuch", "sync", "--help"]):
        result = run_s3env(*argv)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith(f"Name:\n  {argv[-2]} - ")
        assert "Options (before the command):" in result.stdout


# ---- NoActiveProfile -----------------------------------------------------------------------------


def test_no_active_profile_is_one_class(sandbox: Sandbox, run_s3env: RunS3env) -> None:
    assert issubclass(NoActiveProfile, S3envError) and not issubclass(NoActiveProfile, UsageError)
    assert s3env.NoActiveProfile is NoActiveProfile
    from s3env.integrations.envvars import load_profile

    with pytest.raises(NoActiveProfile):
        load_profile(None, secrets=False)
    with pytest.raises(NoActiveProfile):
        s3env.activate()
    for argv, how in ((["ls"], "pass --profile NAME or "), (["env"], "pass a NAME or "), (["use"], "")):
        line = one_line_error(run_s3env(*argv), 1)
        assert line == f"s3env: error: no active profile: {how}run 's3env use NAME' first", argv


# ---- the table itself ----------------------------------------------------------------------------


def test_every_handler_loads_and_typer_serves_exactly_the_table_s_typer_commands() -> None:
    import typer

    from s3env.cli.table import COMMANDS, load, subcommands

    for command in COMMANDS.values():
        handler = load(command.handler)
        assert callable(handler) or isinstance(handler, typer.Typer), command.name
    table_typer = {c.name for c in COMMANDS.values() if not c.fast and not subcommands(c.name)}
    assert typer_commands() == table_typer
    assert "credential-process" not in typer_commands()  # runs on the fast path only


def test_typer_arguments_match_the_table_s_argument_kinds() -> None:
    import typer.main

    from s3env.cli.app import app
    from s3env.cli.table import COMMANDS, subcommands

    root = typer.main.get_command(app)
    for command in COMMANDS.values():
        if command.fast or subcommands(command.name):
            continue
        click_command = root
        for word in command.name.split():
            click_command = click_command.commands[word]  # type: ignore[attr-defined]
        arguments = [p for p in click_command.params if p.param_type_name == "argument"]
        assert len(arguments) == len(command.args), command.name


def test_the_s3_commands_help_lines_are_s5cmds() -> None:
    from s3env.cli.table import COMMANDS
    from s3env.shim.frame import s5cmd_help

    for name in SHIM_COMMANDS:
        assert s5cmd_help(name).startswith(f"Name:\n  {name} - {COMMANDS[name].help}\n"), name


def test_env_options_in_the_table_are_the_ones_env_parses() -> None:
    from s3env.cli.fastpath import parse_env_args
    from s3env.cli.table import COMMANDS

    for option in COMMANDS["env"].options:
        for name in option.names:
            parse_env_args([name, "json"] if option.metavar else [name])
    with pytest.raises(UsageError):
        parse_env_args(["--bogus"])


def test_the_table_is_cheap_to_import() -> None:
    code = (
        "import sys; before = set(sys.modules); import s3env.cli.entry, s3env.cli.table; "
        "print(' '.join(sorted(set(sys.modules) - before)))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    for heavy in ("typer", "click", "typing", "re", "dataclasses", "difflib", "s3env.shim.frame"):
        assert heavy not in loaded.split(), heavy
