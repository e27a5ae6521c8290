"""PowerShell (pwsh and Windows PowerShell).

Verbatim single-quoted strings expand nothing; a quote is written twice.  PowerShell also
treats the typographic quotes U+2018-U+201B as single quotes, so those are doubled too.
"""

from __future__ import annotations

from s3env.shells.base import Shell

_SINGLE_QUOTES = "'\u2018\u2019\u201a\u201b"


def quote_pwsh(value: str) -> str:
    return "'" + "".join(c + c if c in _SINGLE_QUOTES else c for c in value) + "'"


class PwshShell(Shell):
    name = "pwsh"
    file_suffix = "ps1"

    def set(self, name: str, value: str) -> str:
        return f"$env:{name} = {quote_pwsh(value)}"

    def unset(self, name: str) -> str:
        return f"Remove-Item -LiteralPath Env:{name} -ErrorAction SilentlyContinue"
