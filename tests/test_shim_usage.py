"""Usage errors and help: s5cmd's texts on both backends, and ``s3env CMD -h`` without a profile.

s5cmd answers a flag it does not know with ``Incorrect Usage: …``, a blank line and the
command's help on stdout (exit status 1), and ``-h``/``--help`` with the help (status 0).  The
boto3 backend prints the same bytes from ``s5cmd_help.json``; the first test keeps that file
honest against the real binary.
"""

from __future__ import annotations

import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest

from devtools.devserver import MotoServer
from s3env.shim.base import SHIM_COMMANDS as COMMANDS
from s3env.shim.boto3.usage import help_text
from s3env.shim.s5cmd import find_s5cmd
from tests.conftest import RunS3env, Sandbox, Shim, make_shim


@pytest.fixture
def usage_shim(sandbox: Sandbox, moto: MotoServer) -> Shim:
    return make_shim(sandbox, moto)  # one server is enough: usage errors come before any request


def both(shim: Shim, *args: str) -> subprocess.CompletedProcess[bytes]:
    with ThreadPoolExecutor(2) as pool:
        ref_f, got_f = pool.submit(shim, "s5cmd", *args), pool.submit(shim, "boto3", *args)
        ref, got = ref_f.result(), got_f.result()
    assert (got.stdout, got.stderr, got.returncode) == (ref.stdout, ref.stderr, ref.returncode), args
    return ref


@pytest.mark.parametrize("command", COMMANDS)
def test_vendored_help_is_the_real_s5cmds(command: str) -> None:
    binary = find_s5cmd()
    assert binary is not None, "the s5cmd package is a test dependency"
    real = subprocess.run([binary, command, "-h"], env={}, capture_output=True, check=True).stdout
    assert help_text(command).encode() == real
    assert real.startswith(b"Name:\n  " + command.encode() + b" - ")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["cp", "--bogus", "a", "s3://b/k"], "flag provided but not defined: -bogus"),
        (["ls", "-x", "s3://b/"], "flag provided but not defined: -x"),
        (["--json", "rm", "--nope", "s3://b/k"], "flag provided but not defined: -nope"),
        (["cp", "-c", "abc", "a", "s3://b/k"], 'invalid value "abc" for flag -c: parse error'),
        (["du", "--humanize=maybe", "s3://b/*"], 'invalid boolean value "maybe" for -humanize: parse error'),
        (["sync", "--delete", "--size-only", "---x", "a/", "s3://b/"], "bad flag syntax: ---x"),
        (["head", "--version-id"], "flag needs an argument: -version-id"),
        (["mb", "-q", "s3://b"], "flag provided but not defined: -q"),
    ],
)
def test_incorrect_usage_prints_the_commands_help(usage_shim: Shim, argv: list[str], message: str) -> None:
    r = both(usage_shim, *argv)
    command = next(a for a in argv if not a.startswith("-"))
    assert r.returncode == 1 and r.stderr == b""
    assert r.stdout.decode() == f"Incorrect Usage: {message}\n\n{help_text(command)}"


@pytest.mark.parametrize(
    "argv", [["ls", "-e", "--help", "s3://b/"], ["cp", "-n", "-h", "a", "b"], ["sync", "--delete", "-h"]]
)
def test_help_flag_among_the_flags(usage_shim: Shim, argv: list[str]) -> None:
    r = both(usage_shim, *argv)
    assert (r.returncode, r.stdout.decode(), r.stderr) == (0, help_text(argv[0]), b"")


def test_command_help_needs_no_profile(run_s3env: RunS3env) -> None:
    for flag in ("-h", "--help"):
        r = run_s3env("cp", flag)
        assert r.returncode == 0, r.stderr
        assert r.stdout.startswith(help_text("cp"))
        assert "Usage: s3env [--profile NAME] [--backend auto|s5cmd|boto3]" in r.stdout


@pytest.mark.parametrize(("given", "shown"), [("010", "8"), ("0x1F", "31"), ("1_000", "1000")])
def test_integer_flags_parse_and_show_as_go_does(usage_shim: Shim, given: str, shown: str) -> None:
    r = both(usage_shim, "cat", "-c", given, "s3://no-such-bucket-s3env/k")
    assert r.returncode == 1
    assert r.stderr.startswith(f'ERROR "cat --concurrency={shown} s3://no-such-bucket-s3env/k": '.encode())
