"""One module per shim command, named as the command (s5cmd's ``command/<name>.go``).

Each has ``FLAGS`` (its flags, for flags.py) and ``run(ctx, args) -> exit status``.  The
backend imports ``commands.<name>`` for the name the user gave, which must be one of
``s3env.shim.base.SHIM_COMMANDS``, the one list of the shim's commands
(tests/test_shim_layout.py holds the modules here to it, and it to them).
"""

from __future__ import annotations

import importlib
from types import ModuleType

from s3env.core.errors import UsageError
from s3env.shim.base import SHIM_COMMANDS


def load(command: str) -> ModuleType:
    """The module of one shim command."""
    if command not in SHIM_COMMANDS:
        raise UsageError(f"unknown command {command!r}: expected one of {', '.join(SHIM_COMMANDS)}")
    return importlib.import_module(f"{__name__}.{command}")
