"""Help entries for the commands that run on the fast path (``s3env.cli.entry`` handles them
before typer is imported); these stubs only make them show in ``s3env --help``."""

from __future__ import annotations

import typer

PASS_THROUGH = {"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []}


def register(app: typer.Typer) -> None:
    for name, help_text in (
        ("env", 'Print what makes this shell use a profile: eval "$(s3env env NAME)".'),
        ("exec", "Run a command with a profile's endpoint, region and keys."),
        ("shell-init", "Print the rc-file code for bash, zsh, fish or pwsh."),
        ("completion", "Print the completion script for bash, zsh or fish."),
    ):
        app.command(name, help=help_text, context_settings=PASS_THROUGH)(_delegate(name))


def _delegate(name: str):  # type: ignore[no-untyped-def]
    def command(ctx: typer.Context) -> None:
        from s3env.cli.entry import main

        raise typer.Exit(main([name, *ctx.args]))

    return command
