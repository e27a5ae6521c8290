"""The boto3 backend: s5cmd's commands, output and exit statuses in pure Python, split as
s5cmd v2.3.0 is:

- ``commands/<name>.py``: one module per command of ``SHIM_COMMANDS`` (s5cmd's
  ``command/<name>.go``), each ``run(ctx, args) -> exit status`` with its ``FLAGS``;
- ``storage/``: what is there, locally (``fs``) and on S3 (``s3``), as one ``Object`` type;
- ``errors.py`` (+ ``netcause.py``): every failure in s5cmd's words; ``printer.py``: its
  output lines, text or ``--json``;
- shared by the commands: ``flags.py`` (s5cmd's flag parser), ``urls.py`` (its URL model),
  ``expand.py`` (what a source names), ``wildcard.py`` (``--exclude``/``--include``),
  ``pool.py`` (the workers), ``mimetype.py`` (an upload's Content-Type), ``usage.py`` (help
  and usage errors);
- under them: ``context.py`` (the botocore client and the streams of one command),
  ``multipart.py``/``ranged.py`` (uploads and downloads), ``cancel.py`` (Ctrl-C),
  ``progress.py``, ``proxy.py`` (Go's proxy rules), ``models.py`` (botocore's data, cached),
  ``gofmt.py`` (Go's formatting).

botocore is imported only when a command needs the client.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from s3env.shim.base import Backend, ShimRequest

if TYPE_CHECKING:
    from s3env.shim.boto3.context import Context


class Boto3Backend(Backend):
    name = "boto3"

    def available(self) -> bool:
        import importlib.util  # (4 ms: not on every command's start)

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
            ctx = Context(request)
            status = self._run_command(ctx)
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
    def _run_command(ctx: Context) -> int:
        from s3env.core.errors import UsageError
        from s3env.shim.boto3.commands import load
        from s3env.shim.boto3.errors import ShimError
        from s3env.shim.boto3.printer import Printer
        from s3env.shim.boto3.usage import HelpRequested, help_text, incorrect_usage

        request = ctx.request
        command = load(request.command)  # UsageError for a name not in SHIM_COMMANDS
        try:
            status = command.run(ctx, request.args)
        except HelpRequested:
            ctx.stdout.write(help_text(request.command).encode())
            ctx.stdout.flush()
            return 0
        except UsageError as exc:  # s5cmd: on stdout, whatever --json says
            ctx.stdout.write(incorrect_usage(request.command, str(exc)).encode())
            ctx.stdout.flush()
            return 1
        except ShimError as exc:
            Printer(ctx, request.command, request.command).error(exc.message)
            return 1
        except BrokenPipeError:  # output into a pipe whose reader has gone (`| head`)
            ctx.reader_gone()
            return 1
        return 1 if ctx.reader_went_away else status


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
