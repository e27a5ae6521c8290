"""Every shell's quoting against hostile values from hypothesis.

Where the shell exists here (bash, zsh, dash for `sh`, fish) the rendered text is evaluated by
the real shell, as `eval "$(s3env env)"` and as the prompt hook's `. FILE` / `source FILE`,
and its environment (`env -0`) must hold exactly the values; python-dotenv reads the dotenv
format.  cmd.exe and PowerShell cannot be installed on this project's machines: their quoting
is held to a model of each one's parser, written from their documented rules (cmd's batch
phases: Ctrl-Z as a line end, percent expansion, quote/special-character tokenising, delayed
expansion; PowerShell's single-quoted string scanner).  Those models are the oracle only: the
code under test is s3env's renderers.
"""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import s3env
from s3env.core.errors import InvalidValue
from s3env.integrations.shells import get_shell
from s3env.integrations.shells.cmd import CmdShell
from s3env.integrations.shells.pwsh import quote_pwsh
from tests.conftest import RunS3env, Sandbox
from tests.tools import require_program

# Characters that break quoting somewhere, mixed into arbitrary text.
HOSTILE = [
    *"'\"`$\\!%^&|<>()*?~#;{}[]=\n\r\t\x1a\x1b\x7f -",
    "\u2018",
    "\u2019",
    "\u201a",
    "\u201b",
    "\U0001f600",
]
chars = st.one_of(
    st.sampled_from(HOSTILE),
    st.characters(blacklist_characters="\0", blacklist_categories=("Cs",)),
)
values = st.text(chars, max_size=40)
exports = st.lists(values, min_size=1, max_size=8).map(lambda vs: {f"V{i}": v for i, v in enumerate(vs)})

PROGRAMS = {
    "bash": ["bash", "--norc", "--noprofile"],
    "zsh": ["zsh", "-f"],
    "sh": ["dash"],
    "fish": ["fish", "--no-config"],
}
RUNS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def environment_after(shell: str, text: str, tmp: Path, *, how: str) -> dict[str, str]:
    """The V* variables of ``shell`` after evaluating ``text`` (``how``: eval or source)."""
    argv = PROGRAMS[shell]
    require_program(argv[0])
    env_file = tmp / f"env.{shell}"
    env_file.write_bytes(text.encode())
    if how == "source":
        load = f"source '{env_file}'" if shell == "fish" else f". '{env_file}'"
    elif shell == "fish":
        load = f"cat '{env_file}' | source"
    else:
        load = f"eval \"$(cat '{env_file}')\""
    result = subprocess.run(
        ["env", "-i", "PATH=/usr/bin:/bin", *argv, "-c", f"{load}; env -0"],
        cwd=tmp,
        capture_output=True,
        timeout=30,
    )
    assert result.returncode == 0 and result.stderr == b"", result.stderr.decode(errors="replace")
    out: dict[str, str] = {}
    for entry in result.stdout.split(b"\0"):
        name, _, value = entry.partition(b"=")
        if name.startswith(b"V"):
            out[name.decode()] = value.decode()
    return out


@pytest.mark.parametrize("how", ["eval", "source"])
@pytest.mark.parametrize("shell", list(PROGRAMS))
def test_real_shells_carry_any_value_exactly(
    shell: str, how: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    renderer = get_shell(shell)

    @RUNS
    @given(exports)
    def check(export: dict[str, str]) -> None:
        tmp = tmp_path_factory.mktemp("q")
        assert environment_after(shell, renderer.render(export), tmp, how=how) == export
        assert list(tmp.iterdir()) == [tmp / f"env.{shell}"]  # nothing hidden in a value ran

    check()


@RUNS
@given(exports)
def test_dotenv_is_read_back_exactly_by_python_dotenv_or_refused(export: dict[str, str]) -> None:
    dotenv = pytest.importorskip("dotenv")
    try:
        text = get_shell("dotenv").render(export)
    except InvalidValue:
        return
    assert dotenv.dotenv_values(stream=io.StringIO(text), interpolate=True) == export, text


# ---- cmd.exe: a model of how a batch file line is read ---------------------------------------------


def cmd_batch_lines(text: str) -> list[str]:
    """Phase 0: lines of a batch file; cmd reads Ctrl-Z (0x1A) as a line feed."""
    return text.replace("\x1a", "\n").split("\n")


def cmd_percent(line: str) -> str | None:
    """Phase 1 in a batch file: ``%%`` is one ``%``; any other ``%`` expands something (None)."""
    out, i = [], 0
    while i < len(line):
        if line[i] == "%":
            if line[i + 1 : i + 2] != "%":
                return None
            out.append("%")
            i += 2
        else:
            out.append(line[i])
            i += 1
    return "".join(out).replace("\r", "")  # phase 1.5: carriage returns are dropped


def cmd_single_set(line: str, *, delayed: bool) -> tuple[str, str] | None:
    """Phases 2 and 5 for a ``set "N=V"`` line: (N, V) when the line is exactly one ``set`` whose
    argument is one quoted string, with no special character outside quotes; else None."""
    if not line.startswith('set "'):
        return None
    in_quotes = False
    for char in line[4:]:
        if char == '"':
            in_quotes = not in_quotes
        elif not in_quotes and char in "&|<>()^":
            return None  # a command separator, redirection, block or escape: not one plain set
    if delayed and "!" in line:
        return None  # phase 5 would expand !X! and eat carets
    argument = line[4:]
    last = argument.rfind('"')
    body = argument[1:last]  # set strips the first quote and everything from the last one
    if argument[last + 1 :].strip() or "=" not in body:
        return None
    name, _, value = body.partition("=")
    return name, value


def cmd_reads(line: str, *, delayed: bool) -> tuple[str, str] | None:
    lines = cmd_batch_lines(line)
    if len(lines) != 1:
        return None
    expanded = cmd_percent(lines[0])
    return None if expanded is None else cmd_single_set(expanded, delayed=delayed)


@given(values)
@settings(max_examples=500)
def test_cmd_carries_a_value_exactly_or_refuses_it(value: str) -> None:
    shell = CmdShell()
    try:
        text = shell.render({"N": value})
    except InvalidValue as exc:
        assert "cmd" in exc.message and "\n" not in exc.message
        assert not (value.isascii() and value.isprintable() and not set(value) & set('"!'))
        return
    head, line, rest = text.split("\n", 2)
    assert head == "@echo off" and rest == ""
    assert value.isascii() and value.isprintable()
    for delayed in (False, True):
        assert cmd_reads(line, delayed=delayed) == ("N", value), (line, delayed)


@pytest.mark.parametrize(
    "value",
    [
        'AK"&whoami&"',
        'http://h:1/a"&whoami&"b',
        "sec!PATH!ret",
        "a\x1awhoami",
        "tab\there",
        "esc\x1b[0m",
        "caf\u00e9",
        "line\nbreak",
    ],
)
def test_cmd_refuses_what_it_cannot_carry_with_one_line(value: str) -> None:
    with pytest.raises(InvalidValue) as info:
        get_shell("cmd").render({"AWS_ACCESS_KEY_ID": value})
    assert "AWS_ACCESS_KEY_ID" in info.value.message and "cmd" in info.value.message
    assert "\n" not in info.value.message and value not in info.value.message


@pytest.mark.parametrize(
    "value", ["100%PATH%", "%%x%%", "a^b", "a&b|c<d>e(f)", "s3cr/et+=", "'single'", "  "]
)
def test_cmd_carries_what_quotes_protect(value: str) -> None:
    text = get_shell("cmd").render({"N": value})
    assert cmd_reads(text.splitlines()[1], delayed=True) == ("N", value)


def test_the_model_sees_the_injection_of_the_issue() -> None:
    """The oracle itself: the line the old quoting wrote is not one plain set."""
    assert cmd_reads('set "AWS_ACCESS_KEY_ID=AK"&whoami&""', delayed=False) is None
    assert cmd_reads('set "N=a\x1awhoami"', delayed=False) is None
    assert cmd_reads('set "N=a!b!"', delayed=True) is None
    assert cmd_reads('set "N=100%PATH%"', delayed=False) is None
    assert cmd_reads('set "N=100%%PATH%%"', delayed=False) == ("N", "100%PATH%")


def test_cmd_refusal_file_fails_and_carries_nothing() -> None:
    shell = CmdShell()
    text = shell.refusal_file(
        "s3env-env p 0123", 'profile p cannot be applied in cmd: the value of X contains a "!"&'
    )
    lines = text.splitlines()
    assert lines[0] == "@echo off" and lines[1] == "rem s3env-env p 0123" and lines[-1] == "exit /b 1"
    assert not any(line.startswith("set ") for line in lines)
    echo = lines[2]
    assert echo.startswith("echo s3env: ") and echo.endswith(" 1>&2")
    assert not set(echo[: -len(" 1>&2")]) & set('"!%&|<>^()')


# ---- PowerShell: its single-quoted string scanner ---------------------------------------------------

PWSH_SINGLE_QUOTES = "'\u2018\u2019\u201a\u201b"


def pwsh_single_quoted(text: str) -> tuple[str, str]:
    """(value, rest) of a single-quoted string at the start of ``text``, as PowerShell's tokenizer
    scans it (ScanStringLiteral): any single-quote character ends it, unless the next character
    is one too, which is then taken literally."""
    assert text[0] in PWSH_SINGLE_QUOTES
    out, i = [], 1
    while True:
        assert i < len(text), "unterminated string"
        char = text[i]
        if char in PWSH_SINGLE_QUOTES:
            if i + 1 < len(text) and text[i + 1] in PWSH_SINGLE_QUOTES:
                out.append(text[i + 1])
                i += 2
                continue
            return "".join(out), text[i + 1 :]
        out.append(char)
        i += 1


@given(values)
@settings(max_examples=500)
def test_pwsh_single_quoted_value_reads_back_exactly(value: str) -> None:
    line = get_shell("pwsh").render({"N": value}).removesuffix("\n")
    assert line.startswith("$env:N = ")
    read, rest = pwsh_single_quoted(line[len("$env:N = ") :])
    assert (read, rest) == (value, "")
    assert quote_pwsh(value) == line[len("$env:N = ") :]


# ---- the env files of `s3env use` -------------------------------------------------------------------


def test_use_switches_when_cmd_or_dotenv_cannot_carry_the_profile(
    sandbox: Sandbox, run_s3env: RunS3env
) -> None:
    """An endpoint path holding `"`, `&` and `'`: cmd and dotenv cannot carry it.  The switch still
    happens for every other shell; active.cmd sets nothing and exits 1; active.env sets nothing;
    `use` says so; bash gets the endpoint byte for byte."""
    endpoint = 'http://127.0.0.1:9/a"&whoami&"b\'c'
    s3env.open_store().add(s3env.Profile("odd", endpoint_url=endpoint, region="us-east-1"))
    result = run_s3env("use", "odd")
    assert result.returncode == 0, result.stderr
    env_dir = sandbox.store / "env"
    assert f"{env_dir / 'active.cmd'} applies nothing" in result.stderr
    assert f"{env_dir / 'active.env'} applies nothing" in result.stderr
    cmd_lines = (env_dir / "active.cmd").read_text().splitlines()
    assert cmd_lines[-1] == "exit /b 1" and not any(line.startswith("set ") for line in cmd_lines)
    assert all(cmd_reads(line, delayed=False) is None or line.startswith("rem ") for line in cmd_lines[1:])
    dotenv = pytest.importorskip("dotenv")
    assert dotenv.dotenv_values(env_dir / "active.env") == {}
    shown = environment_after(
        "bash",
        (env_dir / "active.sh").read_text() + 'export V0="$S3_ENDPOINT_URL"\n',
        sandbox.root,
        how="source",
    )
    assert shown == {"V0": endpoint}
    # Back to a profile cmd can carry: the cmd file sets it again.
    s3env.open_store().add(s3env.Profile("plain", endpoint_url="http://127.0.0.1:9/100%", region="us-east-1"))
    result = run_s3env("use", "plain")
    assert result.returncode == 0 and "applies nothing" not in result.stderr, result.stderr
    cmd_lines = (env_dir / "active.cmd").read_text().splitlines()
    assert cmd_reads('set "S3_ENDPOINT_URL=http://127.0.0.1:9/100%%"', delayed=True) == (
        "S3_ENDPOINT_URL",
        "http://127.0.0.1:9/100%",
    )
    assert 'set "S3_ENDPOINT_URL=http://127.0.0.1:9/100%%"' in cmd_lines
