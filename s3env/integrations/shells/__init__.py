"""Shells and env-file formats, one module each, behind ``Shell`` and this registry.

Adding a shell means adding one module and one line here.
"""

from __future__ import annotations

import os

from s3env.core.errors import UsageError
from s3env.integrations.shells.base import Shell
from s3env.integrations.shells.cmd import CmdShell
from s3env.integrations.shells.dotenv import DotenvFormat
from s3env.integrations.shells.fish import FishShell
from s3env.integrations.shells.json_format import JsonFormat
from s3env.integrations.shells.posix import BashShell, PosixShell, ZshShell
from s3env.integrations.shells.pwsh import PwshShell

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

SHELLS: dict[str, Shell] = {
    shell.name: shell
    for shell in (
        BashShell(),
        ZshShell(),
        FishShell(),
        PosixShell(),
        PwshShell(),
        CmdShell(),
        DotenvFormat(),
        JsonFormat(),
    )
}


def get_shell(name: str) -> Shell:
    try:
        return SHELLS[name]
    except KeyError:
        raise UsageError(f"unknown shell {name!r}: choose one of {', '.join(SHELLS)}") from None


def hook_shells() -> list[str]:
    """The shells ``shell-init`` has a prompt hook for (the others are ``env`` formats only)."""
    return [name for name, shell in SHELLS.items() if type(shell).hook is not Shell.hook]


def get_hook_shell(name: str) -> Shell:
    """A shell of ``hook_shells``; anything else is a usage error naming exactly those."""
    hooked = hook_shells()
    if name not in hooked:
        what = f"{name!r} has no prompt hook" if name in SHELLS else f"unknown shell {name!r}"
        raise UsageError(f"{what}: choose one of {', '.join(hooked)}")
    return SHELLS[name]


def detect_shell(env: Mapping[str, str] | None = None) -> Shell:
    """From ``$SHELL``'s basename; POSIX sh when it is unknown or unset."""
    env = os.environ if env is None else env
    base = os.path.basename(env.get("SHELL", "")).lower()
    aliases = {"dash": "sh", "ash": "sh", "ksh": "sh", "mksh": "sh", "powershell": "pwsh", "pwsh.exe": "pwsh"}
    return SHELLS.get(aliases.get(base, base), SHELLS["sh"])


def env_files(shells: Mapping[str, Shell] | None = None) -> dict[str, Shell]:
    """One pre-rendered env file per distinct suffix (bash, zsh and sh share ``.sh``)."""
    out: dict[str, Shell] = {}
    for shell in (shells or SHELLS).values():
        out.setdefault(shell.file_suffix, shell)
    return out


__all__ = ["SHELLS", "Shell", "detect_shell", "env_files", "get_hook_shell", "get_shell", "hook_shells"]
