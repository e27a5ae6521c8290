"""Console-script entry point: dispatch from the command table (``s3env.cli.table``).

Kept tiny: ``s3env env`` runs in shell start-up, so the fast commands (env, exec, shell-init,
credential-process, completion, the S3 commands, the completion helpers) run without typer,
boto3 or rich; the typer commands go to ``cli.app``.  ``s3env --help`` and the "did you mean"
of a mistyped command come from the table here too, also after the S3 commands' options.
"""

from __future__ import annotations

import sys

EXIT_USAGE = 2
HELP = ("-h", "--help")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    from s3env.cli.table import COMMANDS, S3, load, top_level

    word = args[0] if args else ""
    command = COMMANDS.get(word) if " " not in word else None
    if command is not None:
        if command.group == S3:
            return _s3(args, 0)
        if command.fast:
            return load(command.handler)(args[1:])  # type: ignore[no-any-return]
        return _typer(args)
    if not args:
        return _typer(args)  # bare `s3env`: the active profile and whether this shell follows it
    if word in HELP:
        return _print_help()
    if word.startswith("-"):
        from s3env.shim.frame import is_global_option

        if is_global_option(word):
            return _after_global_options(args)
        return _typer(args)  # --version, or typer's own "no such option"
    return _no_such_command(word, [c.name for c in top_level()])


def _typer(args: list[str]) -> int:
    from s3env.cli.app import run

    return run(args)


def _s3(args: list[str], at: int) -> int:
    """An S3 command at ``args[at]``, after ``at`` words of s3env's options."""
    if args[at + 1 : at + 2] and args[at + 1] in HELP:
        # No profile needed: s5cmd's help for the command (both backends take its flags), then ours.
        from s3env.cli.helptext import s3_help
        from s3env.shim.frame import s5cmd_help

        sys.stdout.write(s5cmd_help(args[at]) + "\n" + s3_help())
        return 0
    from s3env.shim.frame import main as shim_main

    return shim_main(args)


def _after_global_options(args: list[str]) -> int:
    """``s3env --backend boto3 …``: an S3 command, help, or one line saying what is wrong."""
    from s3env.core.errors import UsageError
    from s3env.shim.base import SHIM_COMMANDS
    from s3env.shim.frame import main as shim_main
    from s3env.shim.frame import split_global_options

    try:
        _options, rest = split_global_options(args)
    except UsageError:
        return shim_main(args)  # which reports the bad option
    at = len(args) - len(rest)
    if rest and rest[0] in SHIM_COMMANDS:
        return _s3(args, at)
    if rest and rest[0] in HELP:
        return _print_help()
    if not rest or rest[0].startswith("-"):
        return shim_main(args)  # "expected a command … after the global options"
    from s3env.cli.table import COMMANDS

    if rest[0] in COMMANDS:
        return _usage_error(
            f"{' '.join(args[:at])}: these options go with the S3 commands ({', '.join(SHIM_COMMANDS)}), "
            f"not with '{rest[0]}' (see 's3env --help')"
        )
    return _no_such_command(rest[0], list(SHIM_COMMANDS))


def _print_help() -> int:
    from s3env.cli.helptext import root_help

    sys.stdout.write(root_help())
    return 0


def _no_such_command(word: str, names: list[str]) -> int:
    from s3env.cli.table import suggest

    guess = suggest(word, names)
    hint = f"; did you mean '{guess}'?" if guess else ""
    return _usage_error(f"no such command '{word}'{hint} (see 's3env --help')")


def _usage_error(message: str) -> int:
    from s3env.core.errorline import print_error

    print_error(message)
    return EXIT_USAGE


if __name__ == "__main__":
    raise SystemExit(main())
