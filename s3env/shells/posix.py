"""POSIX sh, bash and zsh.

Single quotes keep every byte literal in all three (``$``, backticks, ``\\``, ``!`` in eval'd
text, newlines); the only character that cannot appear inside them is ``'`` itself, written
as ``'\\''`` (close, escaped quote, reopen).  Unset with ``unset N``: ``export -n`` is
rejected by zsh and dash.
"""

from __future__ import annotations

from s3env.shells.base import Shell


def quote_posix(value: str) -> str:
    return "'" + value.replace("'", "'\\''") + "'"


class PosixShell(Shell):
    name = "sh"
    file_suffix = "sh"

    def set(self, name: str, value: str) -> str:
        return f"export {name}={quote_posix(value)}"

    def unset(self, name: str) -> str:
        return f"unset {name}"


class BashShell(PosixShell):
    name = "bash"


class ZshShell(PosixShell):
    name = "zsh"
