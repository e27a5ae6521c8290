"""Help texts from the command table, without typer: ``s3env --help``, the fast commands'
``--help`` and the S3 commands' part of ``s3env COMMAND -h``.  Laid out as click lays out the
typer commands' help (Usage, description, Options, Examples), so every command reads alike.
"""

from __future__ import annotations

import textwrap

from s3env.cli.table import (
    COMMANDS,
    GROUPS,
    HELP_OPTION,
    HIDDEN,
    ROOT_EXAMPLES,
    S3,
    S3_ABOUT,
    S3_EXAMPLES,
    SUMMARY,
    Option,
    choices,
    subcommands,
    top_level,
)
from s3env.shim.base import SHIM_COMMANDS
from s3env.shim.frame import GLOBAL_OPTIONS

WIDTH = 100


def _paragraph(text: str, indent: str = "  ") -> str:
    return textwrap.fill(text, WIDTH, initial_indent=indent, subsequent_indent=indent)


def _rows(rows: list[tuple[str, str]], width: int = 0) -> str:
    """Two columns, the second wrapped (as click's definition lists)."""
    width = width or min(max((len(left) for left, _right in rows), default=0), 30)
    lines = []
    for left, right in rows:
        pad = " " * (2 + width + 2)
        if len(left) > width:
            lines.append(f"  {left}")
            lines.extend(textwrap.wrap(right, WIDTH, initial_indent=pad, subsequent_indent=pad))
            continue
        first = f"  {left.ljust(width)}  "
        lines.extend(textwrap.wrap(right, WIDTH, initial_indent=first, subsequent_indent=pad) or [first])
    return "\n".join(lines)


def _examples(lines: tuple[str, ...]) -> str:
    return "Examples:\n" + "\n".join(f"  {line}" for line in lines) + "\n"


def _global_options() -> list[tuple[str, str]]:
    return [
        (", ".join(n for n in (short, long) if n) + (f" {metavar}" if metavar else ""), help)
        for long, short, metavar, _kind, help in GLOBAL_OPTIONS
    ]


def s3_usage_line() -> str:
    """``s3env [--profile NAME] … ls|cp|… ARGS...``, the second line under the first's options."""
    options = " ".join(
        f"[{long} {metavar}]" if metavar else f"[{long}]" for long, _short, metavar, *_ in GLOBAL_OPTIONS
    )
    return f"s3env {options}\n{' ' * 13}{'|'.join(SHIM_COMMANDS)} ARGS..."


def root_help() -> str:
    parts = [
        f"Usage: s3env COMMAND [ARGS]...\n       {s3_usage_line()}",
        _paragraph(SUMMARY),
        "Options:\n" + _rows([("--version", "Print the version and exit."), _option_row(HELP_OPTION)]),
    ]
    listed: dict[str, list[tuple[str, str]]] = {key: [] for key, _title in GROUPS}
    for command in top_level():
        children = subcommands(command.name)  # `profile add`, … rather than `profile`
        listed[command.group] += [(c.name, c.help) for c in children or [command]]
    width = max(len(name) for rows in listed.values() for name, _help in rows)
    for key, title in GROUPS:
        if key == HIDDEN:
            continue
        parts.append(f"{title}:\n{_rows(listed[key], width)}")
        if key == S3:
            parts.append("Options of the S3 commands (before the command):\n" + _rows(_global_options()))
    parts.append(
        "s3env COMMAND --help shows a command's options; s3env ls -h (or cp, sync, …) shows s5cmd's\n"
        "flags of that command."
    )
    parts.append(_examples(ROOT_EXAMPLES))
    return "\n\n".join(parts)


def _option_row(option: Option) -> tuple[str, str]:
    left = ", ".join(option.names) + (f" {option.metavar}" if option.metavar else "")
    values = choices(option.kind) if option.kind else None
    help = option.help
    if values:
        help = f"{help[:-1] if help.endswith('.') else help}: {', '.join(values)}."
    return left, help


def command_help(name: str) -> str:
    """``s3env NAME --help`` for a fast command."""
    command = COMMANDS[name]
    parts = [f"Usage: s3env {name} {command.usage}".rstrip(), _paragraph(command.about or command.help)]
    arg_values = [f"{metavar}: {', '.join(values)}." for metavar, values in _positional_choices(command)]
    if arg_values:
        parts.append("\n".join(_paragraph(text) for text in arg_values))
    parts.append("Options:\n" + _rows([_option_row(o) for o in (*command.options, HELP_OPTION)]))
    if command.examples:
        parts.append(_examples(command.examples))
    return "\n\n".join(parts) + ("" if command.examples else "\n")


def _positional_choices(command: object) -> list[tuple[str, list[str]]]:
    """(METAVAR, values) for a fast command whose usage is one fixed-choice argument (SHELL)."""
    usage, args = getattr(command, "usage", ""), getattr(command, "args", ())
    if len(args) == 1 and usage.isupper() and " " not in usage:
        values = choices(args[0])
        if values:
            return [(usage, values)]
    return []


def s3_help() -> str:
    """The part of ``s3env COMMAND -h`` after s5cmd's own help of the command."""
    return "\n\n".join(
        [
            f"Usage: {s3_usage_line()}",
            _paragraph(S3_ABOUT),
            "Options (before the command):\n" + _rows(_global_options()),
            _examples(S3_EXAMPLES),
        ]
    )
