"""s5cmd's command flags as urfave/cli v2 (Go's ``flag`` package) parses them, for every
boto3-backend command: flags stop at the first non-flag argument or at ``--``; ``-x`` and
``--x`` are the same; ``--x=v`` or ``--x v``; booleans take ``=true``/``=false`` (Go's
spellings); integers follow ``strconv.ParseInt(s, 0, 64)``.  ``full_command`` is s5cmd's
``commandFromContext``, the text its error lines quote.  A command line s5cmd's parser refuses
raises ``UsageError``; ``-h``/``--help`` raises ``HelpRequested``."""

from __future__ import annotations

from typing import NamedTuple

from s3env.core.errors import UsageError
from s3env.shim.boto3.usage import HELP_FLAGS, HelpRequested

_BOOL_VALUES = {"1": True, "t": True, "T": True, "true": True, "TRUE": True, "True": True}
_BOOL_VALUES.update({"0": False, "f": False, "F": False, "false": False, "FALSE": False, "False": False})


class Flag(NamedTuple):  # not a dataclass: its creation cost ~0.5 ms of every command's start
    name: str
    kind: str = "bool"  # bool | str | int | slice | map
    aliases: tuple[str, ...] = ()


class Options:
    """Parsed flags: ``values[name]`` is the list of the values given, in order, as Go shows
    them (``true``/``false``, integers in decimal)."""

    def __init__(self, specs: tuple[Flag, ...]) -> None:
        self.specs = specs
        self.values: dict[str, list[str]] = {}

    def is_set(self, name: str) -> bool:
        return name in self.values

    def bool(self, name: str) -> bool:
        return self.values.get(name, ["false"])[-1] == "true"

    def str(self, name: str) -> str:
        return self.values.get(name, [""])[-1]

    def int(self, name: str, default: int) -> int:
        return int(self.values[name][-1]) if name in self.values else default

    def list(self, name: str) -> list[str]:
        return list(self.values.get(name, []))


def go_parse_int(text: str) -> int | None:
    """``strconv.ParseInt(text, 0, 64)``: 0x/0o/0b prefixes, a leading 0 means octal, ``_``
    between digits; None where Go refuses."""
    sign, digits = (text[0], text[1:]) if text[:1] in ("+", "-") else ("", text)
    if not digits or not digits.isascii() or not (digits[0].isdigit()) or any(c.isspace() for c in digits):
        return None
    if len(digits) > 1 and digits[0] == "0" and digits[1].lower() not in "xob":
        digits = "0o" + digits[1:]  # Go's legacy octal, in Python's spelling
    try:
        value = int(digits, 0)  # Python's literal rules are Go's here (prefixes, underscores)
    except ValueError:
        return None
    value = -value if sign == "-" else value
    return value if -(2**63) <= value < 2**63 else None


def parse_flags(specs: tuple[Flag, ...], args: list[str]) -> tuple[Options, list[str]]:
    by_name: dict[str, Flag] = {}
    for spec in specs:
        by_name[spec.name] = spec
        for alias in spec.aliases:
            by_name[alias] = spec
    options = Options(specs)
    i = 0
    while i < len(args):
        arg = args[i]
        if len(arg) < 2 or not arg.startswith("-"):
            break
        if arg == "--":
            i += 1
            break
        name = arg[2:] if arg.startswith("--") else arg[1:]
        if not name or name.startswith("-") or name.startswith("="):
            raise UsageError(f"bad flag syntax: {arg}")
        name, eq, value = name.partition("=")
        spec = by_name.get(name)
        if spec is None and name in HELP_FLAGS:
            raise HelpRequested
        if spec is None:
            raise UsageError(f"flag provided but not defined: -{name}")
        i += 1
        if spec.kind == "bool":
            if eq:
                if value not in _BOOL_VALUES:
                    raise UsageError(f'invalid boolean value "{value}" for -{name}: parse error')
                value = "true" if _BOOL_VALUES[value] else "false"
            else:
                value = "true"
        elif not eq:
            if i >= len(args):
                raise UsageError(f"flag needs an argument: -{name}")
            value = args[i]
            i += 1
        if spec.kind == "int":
            number = go_parse_int(value)
            if number is None:
                raise UsageError(f'invalid value "{value}" for flag -{name}: parse error')
            value = str(number)
        if spec.kind in ("slice", "map"):
            options.values.setdefault(spec.name, []).append(value)
        else:
            options.values[spec.name] = [value]
    return options, args[i:]


def full_command(op: str, options: Options, positional: list[str]) -> str:
    """s5cmd ``commandFromContext``: the command, every set flag as ``--name=value``, the args."""
    command = op
    for spec in options.specs:
        for value in options.values.get(spec.name, []):
            command += f" --{spec.name}={value}"
    if positional:
        command += " " + " ".join(positional)
    return command
