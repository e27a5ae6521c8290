"""A rich progress bar for long transfers on a terminal; nothing at all on a pipe or with --json.

s5cmd prints one line per object and nothing else, and the boto3 backend's stdout must stay
byte for byte the same: the bar goes to stderr, only when stderr is a terminal, only once a
transfer has run for ``DELAY`` seconds (``S3ENV_PROGRESS_DELAY`` changes it; a quick copy
shows nothing), and it is transient (it disappears when the transfer ends).  Bytes are counted
as they arrive (downloads), as they are sent (multipart uploads) or per object (single PUTs,
server-side copies); the total grows as objects are found.
"""

from __future__ import annotations

import os
import sys
import threading

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import IO, Any

DELAY = 0.5


def is_terminal(stream: IO[bytes] | None) -> bool:
    try:
        return bool(stream is not None and stream.isatty()) or (
            stream is getattr(sys.stderr, "buffer", None) and sys.stderr.isatty()
        )
    except (AttributeError, ValueError):
        return False


class TransferProgress:
    def __init__(self, enabled: bool, label: str = "transferring", delay: float | None = None) -> None:
        self.enabled = enabled
        self.label = label
        self.delay = _delay_from_env() if delay is None else delay
        self.total = 0
        self.done = 0
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._bar: Any = None
        self._task: Any = None
        self._closed = False

    def __enter__(self) -> TransferProgress:
        if self.enabled:
            self._timer = threading.Timer(self.delay, self._show)
            self._timer.daemon = True
            self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._closed = True
            timer, bar = self._timer, self._bar
        if timer is not None:
            timer.cancel()
        if bar is not None:
            bar.stop()

    def add_total(self, size: int) -> None:
        if not self.enabled:
            return
        with self._lock:
            self.total += size
            if self._bar is not None:
                self._bar.update(self._task, total=self.total)

    def advance(self, size: int) -> None:
        if not self.enabled:
            return
        with self._lock:
            self.done += size
            if self._bar is not None:
                self._bar.update(self._task, completed=self.done)

    def _show(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )

        with self._lock:
            if self._closed:
                return
            bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                DownloadColumn(binary_units=True),
                TransferSpeedColumn(),
                TimeRemainingColumn(),
                console=Console(file=sys.stderr),
                transient=True,
            )
            self._task = bar.add_task(self.label, total=self.total or None, completed=self.done)
            bar.start()
            self._bar = bar


def _delay_from_env() -> float:
    try:
        return max(0.0, float(os.environ.get("S3ENV_PROGRESS_DELAY", DELAY)))
    except ValueError:
        return DELAY


NO_PROGRESS = TransferProgress(enabled=False, delay=0)
