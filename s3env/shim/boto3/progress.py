"""The progress bar of ``cp``/``mv``/``sync`` on a terminal; nothing at all on a pipe or with --json.

s5cmd draws its bar (``--show-progress``, ``progressbar/progressbar.go``: cheggaaa/pb v3) on
stderr as ``percent bar counters (speed) time-left (objects)``::

    45.23% ━━━━━━━━━━━━━━━━━━━────────────────────── 95.44 MB / 211.00 MB (12.34 MB/s) 9s left (0/1)

and so does this one, in the same order and units (pb's ``SIBytesPrefix``: kB, MB, GB),
without colours.  stdout stays byte for byte s5cmd's: the bar goes to stderr, only when
stderr is a terminal and ``--json`` is off.  It appears once a transfer has run for ``DELAY``
seconds (``S3ENV_PROGRESS_DELAY``; a quick copy shows nothing; ``--show-progress``: at once)
and is erased (``\\r``, spaces, ``\\r``) before every line the command prints, stdout or
stderr, under the command's output lock, and at the end; with ``--show-progress``, which
prints no line per object, its final state stays as the last line, as s5cmd's does.

Totals are known when the objects are: a local source's files are walked and their sizes
summed before the first one is sent; an S3 listing's once the listing has been walked to its
end (until then ``?``); one object named without a wildcard when its first ranged GET tells
its size.  Bytes are counted as they go (a retried part is taken back); an object skipped
(``-n``, ``--if-size-differ``…) or failed leaves the totals.

``render_bar`` is the pure part: counts, elapsed time and width in, the line out.
"""

from __future__ import annotations

import os
import sys
import threading

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import IO

DELAY = 0.5
#: how often the bar is redrawn (pb's default refresh rate)
REFRESH = 0.2
#: pb's width for s5cmd's bar (``SetWidth(128)``): narrower on a narrower terminal
MAX_WIDTH = 128
#: below this many cells, the bar itself is left out and only the figures are shown
MIN_BAR = 10

_UNITS = ((10**18, "EB"), (10**15, "PB"), (10**12, "TB"), (10**9, "GB"), (10**6, "MB"), (10**3, "kB"))


def format_bytes(count: int | float) -> str:
    """pb's ``formatBytes`` with SI prefixes, as s5cmd sets it: ``999 B``, ``1.00 kB``, ``211.00 MB``."""
    for factor, unit in _UNITS:
        if count >= factor:
            return f"{count / factor:.2f} {unit}"
    return f"{int(count)} B"


def format_duration(seconds: float) -> str:
    """Go's ``time.Duration.String`` for whole seconds, as pb prints the time left: ``0s``,
    ``59s``, ``1m0s``, ``2h3m4s``."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes}m{secs}s"
    if minutes:
        return f"{minutes}m{secs}s"
    return f"{secs}s"


def render_bar(
    done_bytes: int,
    total_bytes: int | None,
    done_files: int,
    total_files: int | None,
    elapsed: float,
    width: int,
    finished: bool = False,
) -> str:
    """The bar's text for these counts (a total of ``None``: not known yet), ``elapsed``
    seconds since the transfer began, in at most ``width`` cells: s5cmd's layout, the bar
    itself dropped first and the figures last when the terminal is too narrow.  No control
    characters: the caller returns the cursor and erases."""
    if width <= 0:
        return ""
    done_bytes = max(0, done_bytes)
    done_files = max(0, done_files)
    if total_bytes is not None and total_files is not None:
        total_bytes, total_files = max(0, total_bytes), max(0, total_files)
        if total_bytes > 0:
            fraction: float | None = min(1.0, done_bytes / total_bytes)
        elif total_files > 0:
            fraction = min(1.0, done_files / total_files)
        else:
            fraction = 1.0 if finished else 0.0
        percent = f"{fraction * 100:.2f}%"
        counters = f"{format_bytes(done_bytes)} / {format_bytes(total_bytes)}"
        objects = f"({done_files}/{total_files})"
    else:
        total_bytes = None
        fraction = None
        percent = "?%"
        counters = f"{format_bytes(done_bytes)} / ?"
        objects = f"({done_files}/?)"
    # not measured in the first tenth of a second: a few bytes over nothing is no speed
    speed_value = done_bytes / elapsed if elapsed >= 0.1 else 0.0
    speed = f"({format_bytes(speed_value)}/s)"
    if finished:
        eta = format_duration(elapsed)
    elif total_bytes is not None and speed_value > 0:
        eta = f"{format_duration((total_bytes - min(done_bytes, total_bytes)) / speed_value)} left"
    else:
        eta = "? left"
    figures = [percent, counters, speed, eta, objects]
    # the bar takes what the figures leave, less a space on each side of it and between figures
    room = width - sum(len(f) for f in figures) - len(figures)
    if room >= MIN_BAR:
        filled = round(room * fraction) if fraction is not None else 0
        bar = " " + "━" * filled + "─" * (room - filled) + " "
        return percent + bar + " ".join(figures[1:])
    # too narrow for a bar: the figures that fit, most telling first
    text = ""
    for figure in figures:
        candidate = f"{text} {figure}" if text else figure
        if len(candidate) > width:
            break
        text = candidate
    return text or percent[:width]


def is_terminal(stream: IO[bytes] | None) -> bool:
    try:
        return bool(stream is not None and stream.isatty()) or (
            stream is getattr(sys.stderr, "buffer", None) and sys.stderr.isatty()
        )
    except (AttributeError, ValueError):
        return False


def _columns(stream: IO[bytes]) -> int:
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (OSError, ValueError, AttributeError):
        import shutil

        return shutil.get_terminal_size().columns


class ObjectProgress:
    """One object's share of the bar: its bytes as they are sent (``sent``, the transfer's
    ``on_bytes``), its size once known (``sized``), and how it ended (``done`` or ``dropped``:
    skipped or failed, out of the totals)."""

    __slots__ = ("_ended", "_known", "_owner", "_sent", "_size")

    def __init__(self, owner: TransferProgress | None, size: int | None) -> None:
        self._owner = owner
        self._size = size or 0
        self._known = size is not None
        self._sent = 0
        self._ended = False

    def sent(self, count: int) -> None:
        owner = self._owner
        if owner is None:
            return
        with owner._lock:
            self._sent += count
            owner.done_bytes += count

    def sized(self, size: int) -> None:
        owner = self._owner
        if owner is None:
            return
        with owner._lock:
            owner.total_bytes += size - self._size
            self._size = size
            if not self._known:
                self._known = True
                owner.unsized -= 1

    def _end(self, owner: TransferProgress) -> None:
        """No more changes from this object; a size never learnt stops counting as unknown."""
        self._ended = True
        if not self._known:
            self._known = True
            owner.unsized -= 1

    def done(self) -> None:
        """Transferred: whatever was not counted as it went (a server-side copy) is now."""
        owner = self._owner
        if owner is None or self._ended:
            return
        with owner._lock:
            self._end(owner)
            owner.done_bytes += self._size - self._sent
            self._sent = self._size
            owner.done_files += 1

    def dropped(self) -> None:
        """Skipped or failed: out of the totals, and its bytes out of the count."""
        owner = self._owner
        if owner is None or self._ended:
            return
        with owner._lock:
            self._end(owner)
            owner.done_bytes -= self._sent
            owner.total_bytes -= self._size
            owner.total_files -= 1


NO_OBJECT = ObjectProgress(None, 0)


class TransferProgress:
    """The bar of one transfer command (``with ctx.start_progress(...)``).  ``output_lock`` is
    the command's: the bar is drawn and erased under it, and every line printed under it is
    preceded by ``clear`` (printer.py), so a line never shares the bar's row."""

    def __init__(
        self,
        enabled: bool,
        stream: IO[bytes] | None = None,
        output_lock: threading.Lock | None = None,
        delay: float | None = None,
        keep: bool = False,
    ) -> None:
        self.enabled = enabled and stream is not None
        self.stream = stream
        self.output_lock = output_lock or threading.Lock()
        self.delay = _delay_from_env() if delay is None else delay
        self.keep = keep  # --show-progress: the final state stays on screen
        self.done_bytes = 0
        self.total_bytes = 0
        self.done_files = 0
        self.total_files = 0
        self.unsized = 0  # objects whose size is not known yet
        self.walking = True  # the source is still being listed: totals not known
        self._lock = threading.Lock()  # the counts
        self._shown = 0  # cells of the bar on screen now (0: none)
        self._closed = False
        self._appeared = False  # past the delay: the bar is drawn
        self._started = 0.0
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    # ---- the counts ------------------------------------------------------------------------

    def found(self, size: int | None) -> ObjectProgress:
        """One more object to transfer (``size`` ``None``: not known until it is fetched)."""
        if not self.enabled:
            return NO_OBJECT
        with self._lock:
            self.total_files += 1
            if size is None:
                self.unsized += 1
            else:
                self.total_bytes += size
        return ObjectProgress(self, size)

    def walked(self) -> None:
        """Every object to transfer has been found."""
        self.walking = False

    def snapshot(self) -> tuple[int, int | None, int, int | None]:
        with self._lock:
            known = not self.walking and self.unsized == 0
            return (
                self.done_bytes,
                self.total_bytes if known else None,
                self.done_files,
                self.total_files if known else None,
            )

    # ---- the screen ------------------------------------------------------------------------

    def __enter__(self) -> TransferProgress:
        if self.enabled:
            import time

            self._started = time.monotonic()
            self._thread = threading.Thread(target=self._run, name="s3env-progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self.close(final=exc_type is None and self.keep)

    def close(self, final: bool = False) -> None:
        """Stop drawing and erase the bar; ``final``: draw its last state on a line of its own."""
        if not self.enabled or self._closed:
            return
        self._closed = True
        self._wake.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=1.0)
        # A worker stuck writing to a stopped terminal holds the lock: give up rather than hang.
        if not self.output_lock.acquire(timeout=1.0):
            return
        try:
            if final:
                self._draw(finished=True)
                self._write(b"\n")
                self._shown = 0
            else:
                self.clear()
        finally:
            self.output_lock.release()

    def clear(self) -> None:
        """Erase the bar, if it is on screen (the caller holds the output lock)."""
        if self._shown:
            self._write(b"\r" + b" " * self._shown + b"\r")
            self._shown = 0

    def redraw(self) -> None:
        """Draw the bar again right after a line was printed, once it has appeared (the
        caller holds the output lock)."""
        if self._appeared and not self._shown and not self._closed and self.enabled:
            self._draw()

    def _run(self) -> None:
        if self._wake.wait(self.delay):
            return
        while not self._closed:
            with self.output_lock:
                if self._closed:
                    return
                self._draw()
                self._appeared = True
            self._wake.wait(REFRESH)

    def _draw(self, finished: bool = False) -> None:
        import time

        assert self.stream is not None
        done_bytes, total_bytes, done_files, total_files = self.snapshot()
        width = min(_columns(self.stream) - 1, MAX_WIDTH)
        text = render_bar(
            done_bytes,
            total_bytes,
            done_files,
            total_files,
            time.monotonic() - self._started,
            width,
            finished,
        )
        pad = max(0, self._shown - len(text))  # what is left of a longer bar before it
        self._write(b"\r" + text.encode("utf-8") + b" " * pad)
        self._shown = len(text)

    def _write(self, data: bytes) -> None:
        assert self.stream is not None
        try:
            self.stream.write(data)
            self.stream.flush()
        except (OSError, ValueError):
            self.enabled = False  # the terminal has gone: no bar, no error
            self._shown = 0


def _delay_from_env() -> float:
    try:
        return max(0.0, float(os.environ.get("S3ENV_PROGRESS_DELAY", DELAY)))
    except ValueError:
        return DELAY


NO_PROGRESS = TransferProgress(enabled=False, delay=0)
