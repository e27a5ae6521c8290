"""``s3env [GLOBAL OPTIONS] ls|cp|mv|rm|mb|rb|du|cat|head|sync ARGS…``: s5cmd's commands on
the active (or ``--profile``) profile, through s5cmd or boto3 with the same results.

Global options come before the command, as in s5cmd.  No typer here: argument parsing is
by hand so the s5cmd backend adds little over plain s5cmd.
"""

from __future__ import annotations

import os
import sys

from s3env.core.errors import S3envError, UsageError
from s3env.shim.base import SHIM_COMMANDS, ShimRequest

GLOBAL_USAGE = """\
Usage: s3env [--profile NAME] [--backend auto|s5cmd|boto3] [--json] [--dry-run] [--numworkers N]
             [--retry-count N] ls|cp|mv|rm|mb|rb|du|cat|head|sync ARGS...

  s5cmd's commands, with the active profile's (or --profile's) endpoint, region and keys,
  through s5cmd when it is installed and through boto3 otherwise (--backend or
  S3ENV_BACKEND chooses): same output, same exit statuses either way.

Examples:
  s3env ls                                  # buckets
  s3env ls 's3://bucket/logs/*'             # '*' also matches across '/'
  s3env cp dir s3://bucket/dir/             # a directory copies recursively
  s3env --backend boto3 --json ls 's3://bucket/*'
  s3env -p minio sync --delete data/ s3://bucket/data/
"""


def split_global_options(args: list[str]) -> tuple[dict[str, object], list[str]]:
    """Global options before the command, and the rest.  Pure.  ``retry_count`` (s5cmd's
    ``--retry-count``/``-r``) is in the options only when given."""
    options: dict[str, object] = {
        "profile": None,
        "backend": None,
        "json": False,
        "dry_run": False,
        "numworkers": None,
    }
    i = 0
    while i < len(args):
        arg = args[i]
        name, eq, inline = arg.partition("=")
        if name in ("--profile", "-p", "--backend", "--numworkers", "--retry-count", "-r"):
            if eq:
                value = inline
                i += 1
            else:
                if i + 1 >= len(args):
                    raise UsageError(f"{name} needs a value")
                value = args[i + 1]
                i += 2
            key = {"-p": "profile", "--profile": "profile", "--backend": "backend"}.get(name, "numworkers")
            if name in ("--retry-count", "-r"):
                if not value.isdigit():
                    raise UsageError(f"--retry-count needs a number of retries (0 or more), not {value!r}")
                options["retry_count"] = int(value)
            elif key == "numworkers":
                if not value.isdigit() or int(value) < 1:
                    raise UsageError(f"--numworkers needs a positive number, not {value!r}")
                options[key] = int(value)
            else:
                options[key] = value
            continue
        if arg == "--json":
            options["json"] = True
        elif arg == "--dry-run":
            options["dry_run"] = True
        else:
            break
        i += 1
    return options, args[i:]


def is_shim_invocation(args: list[str]) -> bool:
    try:
        _options, rest = split_global_options(args)
    except UsageError:
        return bool(args) and args[0] in (
            "--profile",
            "-p",
            "--backend",
            "--numworkers",
            "--retry-count",
            "-r",
            "--json",
            "--dry-run",
        )
    return bool(rest) and rest[0] in SHIM_COMMANDS


def main(args: list[str]) -> int:
    from s3env.core.errorline import run_guarded

    return run_guarded(_main, args)


def _main(args: list[str]) -> int:
    from s3env.integrations.envvars import load_profile
    from s3env.shim.registry import get_backend, resolve_backend

    options, rest = split_global_options(args)
    if not rest or rest[0] not in SHIM_COMMANDS:
        raise UsageError(f"expected a command ({', '.join(SHIM_COMMANDS)}) after the global options")
    command, command_args = rest[0], rest[1:]
    if command_args[:1] in (["-h"], ["--help"]):
        # No profile needed: s5cmd's help for the command (both backends take its flags), then ours.
        from s3env.shim.boto3.usage import help_text

        sys.stdout.write(help_text(command) + "\n" + GLOBAL_USAGE)
        return 0
    backend_name, _why = resolve_backend(options["backend"], os.environ)  # type: ignore[arg-type]
    backend = get_backend(backend_name)
    if not backend.available():
        raise S3envError(f"the {backend_name} backend is not available here (is it installed?)")
    try:
        _store, profile = load_profile(options["profile"], secrets=True)  # type: ignore[arg-type]
    except S3envError as exc:
        if options["profile"] is None and "no active profile" in exc.message:
            raise S3envError("no active profile: pass --profile NAME or run 's3env use NAME' first") from None
        raise
    request = ShimRequest(
        command=command,
        args=command_args,
        profile=profile,
        json=bool(options["json"]),
        dry_run=bool(options["dry_run"]),
        numworkers=options["numworkers"],  # type: ignore[arg-type]
        retry_count=options.get("retry_count"),  # type: ignore[arg-type]
        base_env=dict(os.environ),
        stdout=sys.stdout.buffer,
        stderr=sys.stderr.buffer,
        replace_process=True,
    )
    sys.stdout.flush()
    return backend.run(request)
