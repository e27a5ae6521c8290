"""Helpers for tests that need an external program installed by .ci/run."""

from __future__ import annotations

import os
import shutil

import pytest


def require_program(name: str) -> str:
    """Path of ``name``; on CI a missing program fails the test, elsewhere it skips it."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (.ci/run installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path
