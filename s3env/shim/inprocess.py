"""The shim's commands from Python: ``s3env.shim.run(["cp", "data/", "s3://b/data/"])``.

One s5cmd-style command runs in this process on the boto3 backend (never the s5cmd binary,
never a subprocess, whatever ``S3ENV_BACKEND`` says), on the profile the CLI would use for it:
``profile=`` (or ``--profile`` in ``argv``), else the pinned one, the nearest ``.s3env``, the
global one (``integrations.envvars.load_profile``, as ``frame._main``).  Its output is captured:
the ``ShimResult`` holds the exit status and the lines the CLI would have printed.

Where a failure goes is the CLI's split:

- what ``s3env`` itself refuses before a command runs raises, as ``frame._main`` does before
  printing its one error line: ``UsageError`` (a name that is not a shim command, a global option
  after the command, a malformed global option), ``ProfileNotFound``, ``NoActiveProfile`` …;
- what the command does is the result, as s5cmd's output: a bad flag is status 1 with s5cmd's
  ``Incorrect Usage`` text on stdout, a failed request status 1 with an ``ERROR "cp …": …``
  line on stderr.  ``ShimResult.check()`` turns a status 1 into ``ShimCommandFailed``.

Ctrl-C (``KeyboardInterrupt``) stops every transfer and cleans up as in the CLI (temporary
files removed, multipart uploads aborted), then reaches the caller.
"""

from __future__ import annotations

import io
import os

from s3env.core.errors import S3envError, UsageError
from s3env.core.model import Profile
from s3env.shim.base import ShimRequest

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

#: the global options ``run`` takes in ``argv`` as well as keywords (``--backend boto3`` too)
_KEYWORDS = ("profile", "json", "dry_run", "numworkers", "retry_count")


class ShimCommandFailed(S3envError):
    """``ShimResult.check()`` on a command that ended with status 1; ``result`` is all of it."""

    def __init__(self, result: ShimResult) -> None:
        errors = [line for line in result.stderr if line.startswith("ERROR ")]
        first = next(iter(errors or result.stderr or result.stdout), "")
        summary = f"{' '.join(result.argv)}: exit status {result.status}"
        super().__init__(f"{summary}: {first}" if first else summary)
        self.result = result


class ShimResult:
    """What one command did: its exit status (0 or 1, s5cmd's) and its output.

    ``stdout``/``stderr`` are the output's lines (UTF-8, undecodable bytes as U+FFFD, line ends
    dropped); ``stdout_bytes``/``stderr_bytes`` the bytes themselves (``cat`` of a binary
    object).  True when the status is 0.
    """

    def __init__(self, argv: list[str], status: int, stdout_bytes: bytes, stderr_bytes: bytes) -> None:
        self.argv = argv
        self.status = status
        self.stdout_bytes = stdout_bytes
        self.stderr_bytes = stderr_bytes

    @property
    def stdout(self) -> list[str]:
        return self.stdout_bytes.decode("utf-8", "replace").splitlines()

    @property
    def stderr(self) -> list[str]:
        return self.stderr_bytes.decode("utf-8", "replace").splitlines()

    @property
    def ok(self) -> bool:
        return self.status == 0

    def __bool__(self) -> bool:
        return self.status == 0

    def check(self) -> ShimResult:
        """This result if the status is 0, else ``ShimCommandFailed``."""
        if self.status != 0:
            raise ShimCommandFailed(self)
        return self

    def __repr__(self) -> str:
        return (
            f"ShimResult(argv={self.argv!r}, status={self.status}, "
            f"stdout={len(self.stdout_bytes)} bytes, stderr={len(self.stderr_bytes)} bytes)"
        )


def run(
    argv: Sequence[str],
    *,
    profile: str | Profile | None = None,
    json: bool = False,
    dry_run: bool = False,
    numworkers: int | None = None,
    retry_count: int | None = None,
) -> ShimResult:
    """Run one s5cmd-style command in this process and return what it did.

    ``argv`` is what follows ``s3env`` on a command line: the command and its arguments
    (``["cp", "--concurrency", "8", "data/", "s3://b/data/"]``), optionally after the shim's
    global options (``--json``, ``--dry-run``, ``--numworkers N``, ``--retry-count N``,
    ``--profile NAME``, ``--backend boto3``).  The keywords set the same options; an option
    given both ways is a ``UsageError``.  ``profile`` is a profile's name or a ``Profile`` with
    its secrets; None: the profile that applies here, as for ``s3env ls``.
    """
    from s3env.shim.frame import command_of, split_global_options

    if isinstance(argv, str) or not all(isinstance(arg, str) for arg in argv):
        raise UsageError("argv is a list of strings: the command and its arguments")
    args = list(argv)
    options, rest = split_global_options(args)
    if options["backend"] not in (None, "boto3"):
        raise UsageError("s3env.shim.run runs in this process, on the boto3 backend: drop --backend")
    keywords: dict[str, object] = {
        "profile": profile,
        "json": json,
        "dry_run": dry_run,
        "numworkers": numworkers,
        "retry_count": retry_count,
    }
    for key in _KEYWORDS:
        if _given(keywords[key]):
            if _given(options.get(key)):
                raise UsageError(f"--{key.replace('_', '-')} is given both in argv and as {key}=")
            options[key] = keywords[key]
    command, command_args = command_of(args, rest)
    numworkers_value = options["numworkers"]
    if numworkers_value is not None and not (_is_count(numworkers_value) and numworkers_value >= 1):
        raise UsageError(f"numworkers needs a positive number, not {numworkers_value!r}")
    retries = options.get("retry_count")
    if retries is not None and not _is_count(retries):
        raise UsageError(f"retry_count needs a number of retries (0 or more), not {retries!r}")

    chosen = options["profile"]
    if isinstance(chosen, Profile):
        resolved = chosen
    else:
        from s3env.core.errors import NoActiveProfile
        from s3env.integrations.envvars import load_profile

        try:
            _store, resolved = load_profile(chosen, secrets=True)  # type: ignore[arg-type]
        except NoActiveProfile:
            raise NoActiveProfile("pass profile=NAME") from None

    from s3env.shim.boto3 import Boto3Backend

    stdout, stderr = io.BytesIO(), io.BytesIO()
    request = ShimRequest(
        command=command,
        args=command_args,
        profile=resolved,
        json=bool(options["json"]),
        dry_run=bool(options["dry_run"]),
        numworkers=numworkers_value,  # type: ignore[arg-type]
        retry_count=retries,  # type: ignore[arg-type]
        base_env=dict(os.environ),
        stdout=stdout,
        stderr=stderr,
        replace_process=False,  # no exec, no os._exit, no signal handlers: this is the caller's process
    )
    status = Boto3Backend().run(request)
    return ShimResult(args, status, stdout.getvalue(), stderr.getvalue())


def _given(value: object) -> bool:
    """Whether an option was given: not None (a value left out) nor False (a switch left out);
    0 is a value (``retry_count=0``)."""
    return value is not None and value is not False


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
