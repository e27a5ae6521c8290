"""fish.

Inside single quotes fish treats only ``\\`` and ``'`` specially, so both are escaped with
a backslash; newlines are literal.  Double quotes are unsafe (``"$(…)"`` runs a command in
fish 3.6+).  ``set -e`` returns 4 for an absent variable: ``; or true`` keeps a sourced
script's status clean.  Load with ``s3env env | source`` (``eval (cmd)`` joins lines).
"""

from __future__ import annotations

from s3env.shells.base import Shell


def quote_fish(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


class FishShell(Shell):
    name = "fish"
    file_suffix = "fish"

    def set(self, name: str, value: str) -> str:
        return f"set -gx {name} {quote_fish(value)}"

    def unset(self, name: str) -> str:
        return f"set -e {name}; or true"
