"""Console-script entry point.  Kept tiny: the hot paths must not import typer or boto3."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    from s3env.shim.frame import is_shim_invocation

    if is_shim_invocation(args):
        # ls/cp/…: s5cmd semantics on the s5cmd or boto3 backend, no typer.
        from s3env.shim.frame import main as shim_main

        return shim_main(args)
    if args[:1] == ["env"]:
        # Runs in shell start-up: no typer, boto3 or rich on this path.
        from s3env.cli.fastpath import env_main

        return env_main(args[1:])
    if args[:1] == ["shell-init"]:
        from s3env.cli.fastpath import shell_init_main

        return shell_init_main(args[1:])
    if args[:1] == ["exec"]:
        from s3env.cli.fastpath import exec_main

        return exec_main(args[1:])
    if args[:1] == ["_profiles"]:
        # For completion scripts at TAB time: profile names, one a line, nothing on error.
        from s3env.cli.fastpath import list_profile_names

        return list_profile_names()
    if args[:1] == ["_providers"]:
        from s3env.core.providers import PROVIDERS

        sys.stdout.write("".join(f"{name}\n" for name in PROVIDERS))
        return 0
    if args[:1] == ["completion"]:
        from s3env.cli.completion import main as completion

        return completion(args[1:])
    if args[:1] == ["credential-process"]:
        # Run by awscli/boto3/megfile for every credential look-up: no typer.
        from s3env.cli.credential_process import main as credential_process

        return credential_process(args[1:])
    from s3env.cli.app import run

    return run(args)


if __name__ == "__main__":
    raise SystemExit(main())
