"""s5cmd's output (``log/message.go``): messages on stdout, ``ERROR "COMMAND": message`` on
stderr, each as text or, with ``--json``, as one JSON object a line.

Thread-safe (transfers print from their workers) through the command's output lock, which an
interrupt takes too: nothing is printed once the command is interrupted (cancel.py).  A
progress bar on screen is erased before each line and drawn again after it (progress.py).  Once
stdout's reader has gone (``| head``), nothing more is written there, and the CLI's process
ends as s5cmd's does, killed by SIGPIPE (``Context.reader_gone``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from s3env.shim.boto3.errors import cleanup_error, message_of
from s3env.shim.boto3.gofmt import go_json, go_quote

if TYPE_CHECKING:
    from s3env.shim.boto3.context import Context
    from s3env.shim.boto3.storage.object import Object


class Printer:
    """The output of one command: ``op`` is its name (``cp``), ``command`` the full command
    its error lines quote (``cp --flatten=true a s3://b/``, s5cmd's ``commandFromContext``)."""

    def __init__(self, ctx: Context, op: str, command: str) -> None:
        self.ctx = ctx
        self.op = op
        self.command = command

    # ---- stdout ------------------------------------------------------------------------------

    def line(self, text: str, message: dict[str, Any]) -> None:
        """One message: ``text``, or ``message`` as JSON with ``--json``."""
        self._out(go_json(message) if self.ctx.json else text)

    def json(self, message: dict[str, Any]) -> None:
        """A message that is JSON either way (``head``)."""
        self._out(go_json(message))

    def transfer(
        self, source: str | None, destination: str | None, obj: Object | None, version_id: str = ""
    ) -> None:
        """s5cmd ``InfoMessage``: ``cp SRC DST``, ``rm SRC`` (padded, then the version id of a
        version), or its JSON."""
        if self.ctx.json:
            message: dict[str, Any] = {"operation": self.op, "success": True}
            if source is not None:
                message["source"] = source
            if destination is not None:
                message["destination"] = destination
            if obj is not None:
                message["object"] = obj.to_json()
            if destination is None and source is not None and version_id:
                message["version_id"] = version_id
            self._out(go_json(message))
        elif source is not None and destination is not None:
            self._out(f"{self.op} {source} {destination}")
        elif source is not None and version_id:
            self._out(f"{self.op} {source:<50} {version_id}")
        else:
            self._out(f"{self.op} {destination if destination is not None else source}")

    def _out(self, line: str) -> None:
        with self.ctx.output_lock:
            if self.ctx.cancellation.cancelled or self.ctx.reader_went_away:
                return
            progress = self.ctx.progress
            progress.clear()  # a line never shares the bar's row (progress.py)
            try:
                self.ctx.out(line)
            except BrokenPipeError:
                self.ctx.reader_gone()
            progress.redraw()

    # ---- stderr ------------------------------------------------------------------------------

    def error(self, message: str, command: str | None = None) -> None:
        """s5cmd ``ErrorMessage`` for this command (or the ``command`` an error names)."""
        command = self.command if command is None else command
        message = cleanup_error(message)
        if self.ctx.json:
            line = go_json({"operation": self.op, "command": command, "error": message})
        else:
            line = f"ERROR {go_quote(command)}: {message}"
        with self.ctx.output_lock:
            if self.ctx.cancellation.cancelled:
                return
            progress = self.ctx.progress
            progress.clear()
            self.ctx.stderr.write(line.encode("utf-8", "surrogateescape") + b"\n")
            self.ctx.stderr.flush()
            progress.redraw()

    def failure(self, exc: BaseException, command: str | None = None) -> None:
        """Any failure, in s5cmd's words (errors.py)."""
        self.error(message_of(exc), command)
