"""Shim backends, one module each, behind ``Backend`` and this registry.

``auto`` picks s5cmd when it is installed (fast, the reference behaviour), else boto3.
"""

from __future__ import annotations

from s3env.core.errors import UsageError
from s3env.shim.base import SHIM_COMMANDS, Backend, ShimRequest

TYPE_CHECKING = False  # the start-up budget: tests/test_import_budget.py
if TYPE_CHECKING:
    from collections.abc import Mapping

KNOWN_BACKENDS: tuple[str, ...] = ("auto", "s5cmd", "boto3")


def get_backend(name: str) -> Backend:
    if name == "s5cmd":
        from s3env.shim.s5cmd import S5cmdBackend

        return S5cmdBackend()
    if name == "boto3":
        from s3env.shim.boto3 import Boto3Backend

        return Boto3Backend()
    raise UsageError(f"unknown backend {name!r}: choose one of {', '.join(KNOWN_BACKENDS)}")


def resolve_backend(cli_value: str | None, env: Mapping[str, str]) -> tuple[str, str]:
    """(backend name, why) from --backend, S3ENV_BACKEND, or what is installed."""
    requested, source = cli_value, "--backend"
    if not requested:
        requested, source = env.get("S3ENV_BACKEND") or "auto", "S3ENV_BACKEND"
        if not env.get("S3ENV_BACKEND"):
            source = "default"
    if requested not in KNOWN_BACKENDS:
        raise UsageError(
            f"unknown backend {requested!r} ({source}): choose one of {', '.join(KNOWN_BACKENDS)}"
        )
    if requested != "auto":
        return requested, source
    from s3env.shim.s5cmd import find_s5cmd

    if find_s5cmd() is not None:
        return "s5cmd", "auto: s5cmd is installed"
    return "boto3", "auto: s5cmd is not installed"


__all__ = ["KNOWN_BACKENDS", "SHIM_COMMANDS", "Backend", "ShimRequest", "get_backend", "resolve_backend"]
