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


def credential_process_command() -> tuple[str, ...]:
    """How the AWS config's ``credential_process`` line runs s3env: plain ``s3env`` when the
    ``s3env`` found on PATH is this very program (the same file, or a script of the same
    interpreter), so the line survives a virtualenv moved or rebuilt; else ``self_command()``'s
    absolute path."""
    found = shutil.which("s3env")
    if found and same_program(found):
        return ("s3env",)
    return self_command()


def same_program(path: str) -> bool:
    """Whether the ``s3env`` at ``path`` runs this s3env: the same resolved file as ours, or an
    entry-point script whose interpreter (its ``#!`` line) is in this one's environment."""
    argv0 = sys.argv[0] if sys.argv and sys.argv[0] else ""
    real = os.path.realpath(path)
    if os.path.basename(argv0) == "s3env" and os.path.isfile(argv0) and os.path.realpath(argv0) == real:
        return True
    try:
        with open(real, "rb") as handle:
            first = handle.readline(4096)
    except OSError:
        return False
    if not first.startswith(b"#!"):
        return False
    # Same directory, unresolved: every virtualenv's python links to one base interpreter.
    words = first[2:].decode("utf-8", "replace").split()
    here = os.path.dirname(os.path.abspath(sys.executable))
    return bool(words) and os.path.dirname(os.path.abspath(words[0])) == here
