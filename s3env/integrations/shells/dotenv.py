r"""``.env`` files (docker --env-file, compose, python-dotenv).

Dialects disagree on quoting: docker's ``--env-file`` takes everything after ``=``
literally; compose and python-dotenv strip quotes, and python-dotenv (1.2) treats ``\\`` and
``\'`` as escapes even inside single quotes and expands ``${X}`` in them.  The form all of
them read identically is an unquoted value without whitespace, quotes, ``\`` or ``$``, so that
is written when possible; otherwise single quotes (docker would keep the quotes:
documented).  A value holding a single quote, a backslash, ``${``, a newline or NUL cannot be
carried exactly by every reader and is refused.  An env file cannot unset a variable:
unsets are omitted.
"""

from __future__ import annotations

from s3env.core.errors import InvalidValue
from s3env.integrations.shells.base import Shell

_PLAIN = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./:@%+=,-")


class DotenvFormat(Shell):
    name = "dotenv"
    file_suffix = "env"
    forbidden = "\0\n\r'\\"

    def check(self, name: str, value: str | None) -> None:
        super().check(name, value)
        if value is not None and "${" in value:
            raise InvalidValue(f"the value of {name} contains '${{', which dotenv readers expand")

    def set(self, name: str, value: str) -> str:
        if all(c in _PLAIN for c in value):
            return f"{name}={value}"
        return f"{name}='{value}'"

    def unset(self, name: str) -> str:
        return ""
