"""Windows cmd.exe, as a batch file (``call`` it).

``set "N=value"``: inside the quotes ``& | < > ^`` are literal and the last ``"`` ends the
assignment, so embedded quotes survive.  In a batch file ``%`` starts a variable reference
and is written ``%%``.  cmd cannot carry a newline or carriage return in a ``set``.
Delayed expansion (``!``) is off unless the user enabled it; we write ``setlocal``-free code
and leave ``!`` as is.
"""

from __future__ import annotations

from s3env.shells.base import Shell


def quote_cmd(value: str) -> str:
    return value.replace("%", "%%")


class CmdShell(Shell):
    name = "cmd"
    file_suffix = "cmd"
    forbidden = "\0\n\r"

    def render(self, export):  # type: ignore[no-untyped-def]
        body = super().render(export)
        return "@echo off\n" + body if body else body

    def render_file(self, export, marker: str) -> str:  # type: ignore[no-untyped-def]
        body = super().render(export)
        return f"@echo off\n{self.comment(marker)}\n{body}"

    def comment(self, text: str) -> str:
        return f"rem {quote_cmd(text)}"

    def set(self, name: str, value: str) -> str:
        return f'set "{name}={quote_cmd(value)}"'

    def unset(self, name: str) -> str:
        return f'set "{name}="'
