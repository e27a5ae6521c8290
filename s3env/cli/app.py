"""The typer application: the typer commands of the command table, and errors as one line.

Which commands exist, their names, help and examples come from ``s3env.cli.table`` (the fast
commands and ``s3env --help`` never reach typer: ``cli.entry`` answers them); each command
lives in ``s3env/cli/commands/`` as a thin function over the library, whose parameters are its
options.  This module also owns the single place where exceptions turn into an exit status:
``S3envError`` -> its ``exit_code`` (2 usage, 1 failure), click/typer usage errors -> 2,
Ctrl-C -> 130, anything unexpected -> 1 with no traceback unless ``S3ENV_DEBUG=1``.
"""

from __future__ import annotations

import os
import sys

import typer

from s3env._version import __version__
from s3env.cli.commands._output import examples
from s3env.cli.table import ROOT_EXAMPLES, SUMMARY, Command, load, subcommands, top_level
from s3env.core.errorline import exit_status_for, print_error
from s3env.core.errors import EXIT_FAILURE, EXIT_USAGE

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

app = typer.Typer(
    name="s3env",
    help=SUMMARY,
    epilog=examples(*ROOT_EXAMPLES),
    context_settings=CONTEXT,
    invoke_without_command=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version_callback(value: bool) -> None:
    if value:
        print(f"s3env {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    version: bool = typer.Option(
        False, "--version", callback=_version_callback, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    if ctx.invoked_subcommand is None:
        from s3env.cli.status import print_status

        print_status()


def _register(parent: typer.Typer, command: Command) -> None:
    help = f"{command.help}\n\n{command.about}" if command.about else command.help
    epilog = examples(*command.examples) if command.examples else None
    parent.command(command.name.rpartition(" ")[2], help=help, epilog=epilog)(load(command.handler))


for _command in top_level():
    if _command.fast:
        continue
    _children = subcommands(_command.name)
    if not _children:
        _register(app, _command)
        continue
    _group: typer.Typer = load(_command.handler)
    for _child in _children:
        _register(_group, _child)
    app.add_typer(_group, name=_command.name, help=_command.help)


def run(argv: list[str]) -> int:
    """Run the CLI on ``argv`` and return the exit status (never raises)."""
    try:
        result = app(args=argv, prog_name="s3env", standalone_mode=False)
    except BrokenPipeError:
        # e.g. `s3env profile list | head -1`: not an error worth a message.
        _silence_stdout()
        return 0
    except (Exception, KeyboardInterrupt) as exc:  # typer's vendored click errors by attributes
        code = _click_exit(exc)
        return code if code is not None else exit_status_for(exc)
    if isinstance(result, int):
        return result
    return 0


def _click_exit(exc: BaseException) -> int | None:
    """Map click/typer control-flow exceptions to an exit status, printing one line."""
    name = type(exc).__name__
    if name == "Exit":
        return int(getattr(exc, "exit_code", 0) or 0)
    if name == "Abort":
        print("s3env: aborted", file=sys.stderr)
        return EXIT_FAILURE
    if hasattr(exc, "format_message") and hasattr(exc, "exit_code"):
        message = exc.format_message()
        ctx = getattr(exc, "ctx", None)
        hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
        print_error(f"{message}{hint}")
        return int(exc.exit_code) if exc.exit_code else EXIT_USAGE
    return None


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass
