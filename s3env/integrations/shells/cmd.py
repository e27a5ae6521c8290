"""Windows cmd.exe, as a batch file (``call`` it).

``set "N=value"``: inside the quotes ``& | < > ( ) ^`` are literal, and ``%`` (which starts a
variable reference even there) is written ``%%``, which a batch file reads as one ``%``.  What
cmd cannot carry safely is refused, as dotenv refuses ``'``:

- ``"``: it would end the quoted part, and a following ``&`` would start a command
  (``set "N=AK"&whoami&"…"``);
- ``!``: with delayed expansion on (``cmd /V:ON``, the ``DelayedExpansion`` registry value, a
  caller's ``setlocal EnableDelayedExpansion``) ``!X!`` expands and every ``^`` on the line
  is eaten; without a ``!`` on the line, that phase leaves the line alone;
- control characters: a newline ends the command and cmd reads Ctrl-Z (0x1A) in a batch file
  as one too, so the rest of the value would run as a command; a carriage return is dropped;
- anything outside ASCII: cmd reads a batch file in the console's code page, not UTF-8, so
  such a value would arrive changed.

``s3env use`` writes this format as ``env/active.cmd``; when the active profile holds a value
cmd cannot carry, that file says so, changes nothing and exits 1 (``refusal_file``).
"""

from __future__ import annotations

from s3env.core.errors import InvalidValue
from s3env.integrations.shells.base import Shell

TYPE_CHECKING = False
if TYPE_CHECKING:
    from s3env.integrations.shells.base import Export

#: printable ASCII except the two characters that cannot be carried
_SAFE = frozenset(chr(c) for c in range(0x20, 0x7F)) - frozenset('"!')


def quote_cmd(value: str) -> str:
    return value.replace("%", "%%")


def cmd_problem(value: str) -> str | None:
    """Why cmd cannot carry ``value`` exactly and safely in ``set "N=…"``, or None."""
    for char in value:
        if char in _SAFE:
            continue
        if char == '"':
            return "a double quote"
        if char == "!":
            return "an exclamation mark (delayed expansion)"
        if char == "\n":
            return "a newline"
        if char == "\r":
            return "a carriage return"
        if char == "\0":
            return "a NUL byte"
        if ord(char) < 0x20 or char == "\x7f":
            return f"a control character (U+{ord(char):04X})"
        return "a character outside ASCII (cmd reads batch files in the console code page)"
    return None


class CmdShell(Shell):
    name = "cmd"
    file_suffix = "cmd"
    forbidden = "\0\n\r"

    def check(self, name: str, value: str | None) -> None:
        super().check(name, value)
        problem = None if value is None else cmd_problem(value)
        if problem is not None:
            raise InvalidValue(f"the value of {name} contains {problem}, which cmd cannot carry")

    def render(self, export: Export) -> str:
        body = super().render(export)
        return "@echo off\n" + body if body else body

    def render_file(self, export: Export, marker: str) -> str:
        body = super().render(export)
        return f"@echo off\n{self.comment(marker)}\n{body}"

    def refusal_file(self, marker: str, message: str) -> str:
        text = "".join(c if c in _SAFE and c not in "%&|<>^()" else " " for c in message)
        return f"@echo off\n{self.comment(marker)}\necho s3env: {text} 1>&2\nexit /b 1\n"

    def comment(self, text: str) -> str:
        return f"rem {quote_cmd(text)}"

    def set(self, name: str, value: str) -> str:
        return f'set "{name}={quote_cmd(value)}"'

    def unset(self, name: str) -> str:
        return f'set "{name}="'
