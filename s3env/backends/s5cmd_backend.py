"""The s5cmd backend: the real binary, the profile passed through its environment.

Keys go in the child's environment (``AWS_ACCESS_KEY_ID`` …), never in argv; the endpoint in
``S3_ENDPOINT_URL`` (the only place s5cmd reads it); the region in ``AWS_REGION``.  Its
output and exit status pass through unchanged.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from s3env.backends.base import Backend, ShimRequest
from s3env.envvars import apply_to, profile_env


def find_s5cmd() -> str | None:
    """s5cmd on PATH, else the binary of the ``s5cmd`` Python package beside this interpreter."""
    found = shutil.which("s5cmd")
    if found:
        return found
    beside = Path(sys.executable).parent / "s5cmd"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return None


def s5cmd_argv(binary: str, request: ShimRequest) -> list[str]:
    """Pure: the argv for one request (global options first, as s5cmd wants them)."""
    argv = [binary]
    if request.json:
        argv.append("--json")
    if request.dry_run:
        argv.append("--dry-run")
    if request.numworkers is not None:
        argv += ["--numworkers", str(request.numworkers)]
    if request.profile.addressing_style == "virtual":
        argv.append("--addressing-style=virtual")
    return [*argv, request.command, *request.args]


def s5cmd_env(request: ShimRequest) -> dict[str, str]:
    env = dict(request.base_env)
    apply_to(env, profile_env(request.profile, with_keys=True))
    return env


class S5cmdBackend(Backend):
    name = "s5cmd"

    def available(self) -> bool:
        return find_s5cmd() is not None

    def run(self, request: ShimRequest) -> int:
        binary = find_s5cmd()
        if binary is None:
            raise FileNotFoundError("s5cmd")
        process = subprocess.run(
            s5cmd_argv(binary, request),
            env=s5cmd_env(request),
            stdin=None,
            stdout=request.stdout,
            stderr=request.stderr,
        )
        return process.returncode
