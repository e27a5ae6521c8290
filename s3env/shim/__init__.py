"""The shim: s5cmd's commands on s3env's profiles (``frame.py`` the CLI, ``boto3/`` and
``s5cmd.py`` the backends).  From Python: ``s3env.shim.run([...])`` (``inprocess.py``).

Loaded on first use, so that the CLI's start-up (which imports ``s3env.shim.frame``) pays
nothing for them: tests/test_import_budget.py.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from s3env.shim.inprocess import ShimCommandFailed, ShimResult, run

_LAZY = ("run", "ShimResult", "ShimCommandFailed")


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 's3env.shim' has no attribute {name!r}")
    from s3env.shim import inprocess

    value = getattr(inprocess, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*_LAZY, *globals()})


__all__ = ["ShimCommandFailed", "ShimResult", "run"]
