"""How other programs (credential_process, shell hooks) should run this s3env."""

from __future__ import annotations

import os
import shutil
import sys


def self_command() -> tuple[str, ...]:
    """An absolute command for this s3env: tools and shells may run with another PATH."""
    argv0 = sys.argv[0] if sys.argv and sys.argv[0] else ""
    if os.path.basename(argv0) == "s3env" and os.path.isfile(argv0):
        return (os.path.abspath(argv0),)
    found = shutil.which("s3env")
    if found:
        return (os.path.abspath(found),)
    return (sys.executable, "-m", "s3env")
