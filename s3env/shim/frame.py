"""``s3env [GLOBAL OPTIONS] ls|cp|mv|rm|mb|rb|du|cat|head|sync ARGS…``: s5cmd's commands on
the active (or ``--profile``) profile, through s5cmd or boto3 with the same results.

Global options come before the command, as in s5cmd; one of them placed after the command
is a usage error that says so (s5cmd would answer ``flag provided but not defined`` and its
whole help).  No typer here: argument parsing is by hand so the s5cmd backend adds little
over plain s5cmd.  The CLI's help and completion read ``GLOBAL_OPTIONS`` and
``flag_table``; ``s3env.cli`` answers ``-h`` before calling ``main``.
"""

from __future__ import annotations

import os
import sys

from s3env.core.errors import NoActiveProfile, S3envError, UsageError
from s3env.shim.base import SHIM_COMMANDS, ShimRequest

#: s3env's own options of the S3 commands, given before the command:
#: (long, short or "", METAVAR of the value or "" for a switch, what completes the value, help).
GLOBAL_OPTIONS: tuple[tuple[str, str, str, str, str], ...] = (
    ("--profile", "-p", "NAME", "profile", "Profile to use (default: the one that applies here)."),
    (
        "--backend",
        "",
        "auto|s5cmd|boto3",
        "backend",
        "Run through s5cmd or boto3 (default: $S3ENV_BACKEND, else s5cmd when installed).",
    ),
    ("--json", "", "", "", "JSON output, one object a line (s5cmd's --json)."),
    ("--dry-run", "", "", "", "Print what would be done; change nothing (s5cmd's --dry-run)."),
    ("--numworkers", "", "N", "", "Number of parallel workers (s5cmd's --numworkers, default 256)."),
    ("--retry-count", "-r", "N", "", "Retries of a failed request (s5cmd's --retry-count)."),
)

# spelling -> (key in split_global_options' dict, takes a value)
_SPELLINGS: dict[str, tuple[str, bool]] = {
    name: (long[2:].replace("-", "_"), bool(metavar))
    for long, short, metavar, _kind, _help in GLOBAL_OPTIONS
    for name in (long, short)
    if name
}
# the same names as Go's flag package reads them (-x and --x alike), without dashes
_GO_NAMES: dict[str, str] = {name.lstrip("-"): name for name in _SPELLINGS}


def is_global_option(word: str) -> bool:
    """Whether ``word`` is one of s3env's global options (``--profile=x`` included)."""
    return word.partition("=")[0] in _SPELLINGS


def split_global_options(args: list[str]) -> tuple[dict[str, object], list[str]]:
    """Global options before the command, and the rest.  Pure.  ``retry_count`` (s5cmd's
    ``--retry-count``/``-r``) is in the options only when given."""
    options: dict[str, object] = {
        key: (None if value else False) for key, value in _SPELLINGS.values() if key != "retry_count"
    }
    i = 0
    while i < len(args):
        arg = args[i]
        name, eq, inline = arg.partition("=")
        spec = _SPELLINGS.get(name)
        if spec is None:
            break
        key, takes_value = spec
        if not takes_value:
            if eq:  # --json=…: not a global option; what follows is the command
                break
            options[key] = True
            i += 1
            continue
        if eq:
            value = inline
            i += 1
        else:
            if i + 1 >= len(args):
                raise UsageError(f"{name} needs a value")
            value = args[i + 1]
            i += 2
        if key == "retry_count":
            if not value.isdigit():
                raise UsageError(f"--retry-count needs a number of retries (0 or more), not {value!r}")
            options[key] = int(value)
        elif key == "numworkers":
            if not value.isdigit() or int(value) < 1:
                raise UsageError(f"--numworkers needs a positive number, not {value!r}")
            options[key] = int(value)
        else:
            options[key] = value
    return options, args[i:]


def is_shim_invocation(args: list[str]) -> bool:
    try:
        _options, rest = split_global_options(args)
    except UsageError:
        return bool(args) and is_global_option(args[0])
    return bool(rest) and rest[0] in SHIM_COMMANDS


def s5cmd_help(command: str) -> str:
    """s5cmd's own ``-h`` text for ``command`` (both backends take its flags)."""
    from s3env.shim.boto3.usage import help_text

    return help_text(command)


def flag_table(command: str) -> list[tuple[tuple[str, ...], bool, str]]:
    """s5cmd's flags of ``command`` as its help lists them: (spellings with their dashes, takes
    a value, help), e.g. ``(("--concurrency", "-c"), True, "number of concurrent parts …")``."""
    _head, _sep, options = s5cmd_help(command).partition("\nOptions:\n")
    table = []
    for line in options.splitlines():
        if not line.startswith("  -"):
            break
        split = line.find("  ", 2)  # the spellings end at the first double space
        spellings = line[2:split].split(", ")
        names = tuple(part.split()[0] for part in spellings)
        table.append((names, len(spellings[0].split()) > 1, line[split:].strip()))
    return table


def misplaced_option(command: str, args: list[str]) -> int | None:
    """The index in ``args`` (what follows ``command``) of one of s3env's global options that
    ``command`` does not take itself, or None.  Go's flag rules: flags (``-x`` or ``--x``) end at
    the first other argument or ``--``; among the arguments after them only the spellings
    s3env reads count.  s5cmd's flags are read only when such a word is there at all."""
    if not any(_global_go_name(arg) for arg in args):
        return None
    flags = {name.lstrip("-"): takes for names, takes, _help in flag_table(command) for name in names}
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            return None
        if len(arg) < 2 or not arg.startswith("-"):
            break
        name, eq, _value = arg[2 if arg.startswith("--") else 1 :].partition("=")
        if name in flags:
            i += 2 if flags[name] and not eq else 1
            continue
        return i if name in _GO_NAMES else None  # another unknown flag: s5cmd's own error says so
    for j in range(i, len(args)):
        if is_global_option(args[j]):
            return j
    return None


def _global_go_name(arg: str) -> str | None:
    if len(arg) < 2 or not arg.startswith("-"):
        return None
    name = arg[2 if arg.startswith("--") else 1 :].partition("=")[0]
    return name if name in _GO_NAMES else None


def misplaced_error(args: list[str], command_at: int, index: int) -> UsageError:
    """The one-line error for ``args[command_at + 1 + index]``, a global option after the command:
    the same command line with it moved before the command."""
    import shlex

    before, command, after = args[:command_at], args[command_at], list(args[command_at + 1 :])
    word = after.pop(index)
    name, eq, value = word[2 if word.startswith("--") else 1 :].partition("=")
    spelling = _GO_NAMES[name]
    moved = [spelling + eq + value]
    if _SPELLINGS[spelling][1] and not eq:
        metavar = next(m for long, short, m, _k, _h in GLOBAL_OPTIONS if spelling in (long, short))
        moved.append(after.pop(index) if index < len(after) else metavar)
    fixed = shlex.join(["s3env", *before, *moved, command, *after])
    return UsageError(f"s3env's own options go before the command: {fixed} ({spelling} is not {command}'s)")


def command_of(args: list[str], rest: list[str]) -> tuple[str, list[str]]:
    """The command and its arguments in ``rest``, what follows the global options of ``args``:
    a ``UsageError`` for no command, or for one of s3env's options after it."""
    if not rest or rest[0] not in SHIM_COMMANDS:
        raise UsageError(f"expected a command ({', '.join(SHIM_COMMANDS)}) after the global options")
    command, command_args = rest[0], rest[1:]
    misplaced = misplaced_option(command, command_args)
    if misplaced is not None:
        raise misplaced_error(args, len(args) - len(rest), misplaced)
    return command, command_args


def main(args: list[str]) -> int:
    from s3env.core.errorline import run_guarded

    return run_guarded(_main, args)


def _main(args: list[str]) -> int:
    from s3env.integrations.envvars import load_profile
    from s3env.shim.registry import get_backend, resolve_backend

    options, rest = split_global_options(args)
    command, command_args = command_of(args, rest)
    backend_name, _why = resolve_backend(options["backend"], os.environ)  # type: ignore[arg-type]
    backend = get_backend(backend_name)
    if not backend.available():
        raise S3envError(f"the {backend_name} backend is not available here (is it installed?)")
    try:
        _store, profile = load_profile(options["profile"], secrets=True)  # type: ignore[arg-type]
    except NoActiveProfile:
        raise NoActiveProfile("pass --profile NAME") from None
    request = ShimRequest(
        command=command,
        args=command_args,
        profile=profile,
        json=bool(options["json"]),
        dry_run=bool(options["dry_run"]),
        numworkers=options["numworkers"],  # type: ignore[arg-type]
        retry_count=options.get("retry_count"),  # type: ignore[arg-type]
        base_env=dict(os.environ),
        stdout=sys.stdout.buffer,
        stderr=sys.stderr.buffer,
        replace_process=True,
    )
    sys.stdout.flush()
    return backend.run(request)
