"""The boto3 backend: s5cmd's commands, output and exit statuses in pure Python.

boto3 is imported only when a command runs.  Each command is a function
``(ctx, args) -> exit status`` in one of the command modules; argument parsing follows
s5cmd's flags for that command.
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType
from typing import TYPE_CHECKING

from s3env.shim.base import Backend, ShimRequest

if TYPE_CHECKING:
    from s3env.shim.boto3.context import Context

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
        """Run one command.  Interrupted (Ctrl-C; in the CLI also SIGTERM and SIGHUP, see
        cancel.py): every transfer stops, nothing is committed or printed after the signal,
        temporary files and multipart uploads are cleaned up; then the CLI's process exits as
        s5cmd's does (1, or death by SIGHUP) and a library caller gets ``KeyboardInterrupt``."""
        from s3env.shim.boto3.cancel import SignalGuard
        from s3env.shim.boto3.context import Context

        guard = SignalGuard().install() if request.replace_process else None
        ctx: Context | None = None
        try:
            module_name, function_name = COMMANDS[request.command].split(":")
            module = importlib.import_module(f"s3env.shim.boto3.{module_name}")
            ctx = Context(request)
            status = self._run_command(ctx, module, function_name)
            ctx.close()
        except KeyboardInterrupt as exc:
            if ctx is not None:
                ctx.interrupt()
            if guard is not None:
                _end_interrupted(ctx, getattr(exc, "signum", None))
            raise
        except Exception:
            if ctx is not None:
                ctx.close()
            raise
        finally:
            if guard is not None:
                guard.finished = True  # the command is over: a late signal changes nothing
        if request.replace_process:
            _end_process(ctx, status)
        return status

    @staticmethod
    def _run_command(ctx: Context, module: ModuleType, function_name: str) -> int:
        from s3env.shim.boto3.context import ShimError
        from s3env.shim.boto3.usage import HelpRequested, UsageError, help_text, incorrect_usage

        request = ctx.request
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
        except BrokenPipeError:  # a transfer's output lines, into a closed pipe
            ctx.reader_gone()
            return 1
        return 1 if ctx.failed else status


def _end_process(ctx: Context, status: int) -> None:
    """The CLI's process ends with this command: flush and leave without the interpreter's
    teardown, which frees botocore's modules and parsed models object by object (60-80 ms,
    a tenth of a 256 MiB download).  Nothing is left to run: the pools are joined, temp files
    renamed or removed, the data-loader cache saved.  A reader that has gone, noticed now or
    before, ends it with SIGPIPE instead."""
    import os
    import sys

    try:
        for stream in (ctx.stdout, ctx.stderr, sys.stdout, sys.stderr):
            stream.flush()
    except BrokenPipeError:
        ctx.reader_gone()
    if ctx.reader_went_away:
        _die_of_sigpipe(ctx)
    logging = sys.modules.get("logging")
    if logging is not None:  # --debug's handlers, botocore's loggers
        logging.shutdown()
    os._exit(status)


def _end_interrupted(ctx: Context | None, signum: int | None) -> None:
    """The CLI's process after an interrupt: what was written is flushed (nothing was after the
    signal), then it ends as s5cmd's would (cancel.end_interrupted_process)."""
    import contextlib
    import sys

    from s3env.shim.boto3.cancel import end_interrupted_process

    streams = [sys.stdout, sys.stderr] if ctx is None else [ctx.stdout, ctx.stderr, sys.stdout, sys.stderr]
    for stream in streams:
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    end_interrupted_process(signum)


def _die_of_sigpipe(ctx: Context) -> None:
    """End as s5cmd does when its reader goes away: killed by SIGPIPE (a shell shows 141), not
    exit 1.  Python ignores SIGPIPE, so the default action is restored first."""
    import contextlib
    import os
    import signal
    import sys

    for stream in (ctx.stdout, ctx.stderr, sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    sigpipe = getattr(signal, "SIGPIPE", None)
    if sigpipe is not None:  # not on Windows: there, exit 1 below
        signal.signal(sigpipe, signal.SIG_DFL)
        os.kill(os.getpid(), sigpipe)
    os._exit(1)
