"""The interface every shim backend implements: run one s5cmd-style command.

A backend gets the command and its arguments exactly as the user typed them after the
global options (s5cmd's syntax), the profile to use (with its secrets), and the global
options.  It writes s5cmd's output format to ``stdout`` and errors as
``ERROR "COMMAND": message`` lines to ``stderr``, and returns s5cmd's exit status (0 or 1).
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from s3env.core.model import Profile

TYPE_CHECKING = False  # the start-up budget: tests/test_import_budget.py
if TYPE_CHECKING:
    from typing import IO

#: The commands the shim offers, with s5cmd's semantics.
SHIM_COMMANDS: tuple[str, ...] = ("ls", "cp", "mv", "rm", "mb", "rb", "du", "cat", "head", "sync")
#: Each command's one-line description: s5cmd's own (the Name line of ``s5cmd COMMAND -h``).
SHIM_SUMMARIES: dict[str, str] = {
    "ls": "list buckets and objects",
    "cp": "copy objects",
    "mv": "move/rename objects",
    "rm": "remove objects",
    "mb": "make bucket",
    "rb": "remove bucket",
    "du": "show object size usage",
    "cat": "print remote object content",
    "head": "print remote object metadata",
    "sync": "sync objects",
}


class ShimRequest:
    """One command for a backend.  A plain class: dataclasses would cost the shim ~15 ms."""

    def __init__(
        self,
        command: str,
        args: list[str],
        profile: Profile,  # with secrets
        *,
        json: bool = False,
        dry_run: bool = False,
        numworkers: int | None = None,
        retry_count: int | None = None,
        base_env: dict[str, str] | None = None,
        stdout: IO[bytes] | None = None,
        stderr: IO[bytes] | None = None,
        replace_process: bool = False,
    ) -> None:
        self.command = command
        self.args = args
        self.profile = profile
        self.json = json
        self.dry_run = dry_run
        self.numworkers = numworkers
        #: s5cmd's --retry-count: how often a failed request is sent again (None: the backend's
        #: default, s5cmd's 10 or the boto3 backend's 5)
        self.retry_count = retry_count
        self.base_env = base_env or {}
        self.stdout = stdout
        self.stderr = stderr
        #: the CLI lets a backend replace the s3env process (exec); the library does not
        self.replace_process = replace_process


class Backend(ABC):
    name: str = ""

    @abstractmethod
    def available(self) -> bool:
        """Whether this backend can run here (s5cmd installed, boto3 importable)."""

    @abstractmethod
    def run(self, request: ShimRequest) -> int: ...
