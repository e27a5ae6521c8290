"""The boto3 backend: s5cmd's commands, output and exit statuses in pure Python.

boto3 is imported only when a command runs.  Each command is a function
``(ctx, args) -> exit status`` in one of the command modules; argument parsing follows
s5cmd's flags for that command.
"""

from __future__ import annotations

import importlib
import importlib.util

from s3env.backends.base import Backend, ShimRequest

# command -> "module:function", imported on demand
COMMANDS: dict[str, str] = {
    "ls": "listing:ls",
    "du": "listing:du",
    "cat": "listing:cat",
    "head": "listing:head",
    "mb": "listing:mb",
    "rb": "listing:rb",
    "cp": "transfer:cp",
    "mv": "transfer:mv",
    "rm": "transfer:rm",
    "sync": "transfer:sync",
}


class Boto3Backend(Backend):
    name = "boto3"

    def available(self) -> bool:
        return importlib.util.find_spec("boto3") is not None

    def run(self, request: ShimRequest) -> int:
        from s3env.backends.boto3_backend.context import Context, ShimError
        from s3env.backends.boto3_backend.usage import HelpRequested, UsageError, help_text, incorrect_usage

        module_name, function_name = COMMANDS[request.command].split(":")
        module = importlib.import_module(f"s3env.backends.boto3_backend.{module_name}")
        ctx = Context(request)
        try:
            status = getattr(module, function_name)(ctx, request.args)
        except HelpRequested:
            ctx.stdout.write(help_text(request.command).encode())
            ctx.stdout.flush()
            return 0
        except UsageError as exc:  # s5cmd: on stdout, whatever --json says
            ctx.stdout.write(incorrect_usage(request.command, str(exc)).encode())
            ctx.stdout.flush()
            return 1
        except ShimError as exc:
            ctx.error(request.command, str(exc))
            return 1
        return 1 if ctx.failed else status
