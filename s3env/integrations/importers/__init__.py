"""Importers, one module per source, behind ``read(env) -> list[Candidate]`` and this registry.

Importing never changes the source files.  Adding a source means adding one module here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping

from s3env.core.errors import UsageError
from s3env.integrations.importers.base import Candidate

SOURCES: tuple[str, ...] = ("aws", "env", "megfile", "rclone", "mc")


def reader(source: str) -> Callable[[Mapping[str, str]], list[Candidate]]:
    if source not in SOURCES:
        raise UsageError(f"unknown import source {source!r}: choose one of {', '.join(SOURCES)}")
    return importlib.import_module(f"s3env.integrations.importers.{source}").read  # type: ignore[no-any-return]


__all__ = ["SOURCES", "Candidate", "reader"]
