"""The interface every shim backend implements: run one s5cmd-style command.

A backend gets the command and its arguments exactly as the user typed them after the
global options (s5cmd's syntax), the profile to use (with its secrets), and the global
options.  It writes s5cmd's output format to ``stdout`` and errors as
``ERROR "COMMAND": message`` lines to ``stderr``, and returns s5cmd's exit status (0 or 1).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import IO

from s3env.model import Profile

#: The commands the shim offers, with s5cmd's semantics.
SHIM_COMMANDS: tuple[str, ...] = ("ls", "cp", "mv", "rm", "mb", "rb", "du", "cat", "head", "sync")


@dataclass
class ShimRequest:
    command: str
    args: list[str]
    profile: Profile  # with secrets
    json: bool = False
    dry_run: bool = False
    numworkers: int | None = None
    base_env: dict[str, str] = field(default_factory=dict)
    stdout: IO[bytes] | None = None
    stderr: IO[bytes] | None = None


class Backend(ABC):
    name: str = ""

    @abstractmethod
    def available(self) -> bool:
        """Whether this backend can run here (s5cmd installed, boto3 importable)."""

    @abstractmethod
    def run(self, request: ShimRequest) -> int: ...
