"""Ctrl-C on the boto3 backend: stop every transfer at once, commit nothing, leave nothing.

s5cmd (``signal.NotifyContext`` on SIGINT and SIGTERM) cancels one context that every request
carries: requests in flight are torn down, nothing more is printed (cancellation errors are
not reported) and it exits 1.  Here:

- the CLI's process catches SIGINT and SIGTERM (as Go does, even when they were ignored at
  start, as in a shell's background job) and SIGHUP (unless ignored, as under ``nohup``), and
  raises ``Interrupted`` in the main thread;
- ``Context.interrupt`` then sets one ``Cancellation`` that every worker looks at: a request
  body's next read, botocore's next request (a ``before-send`` hook: only
  AbortMultipartUpload still goes out, so a CompleteMultipartUpload or a PUT never does), a
  download's next chunk, a retry's back-off all raise ``Cancelled`` (a BaseException, so that
  no ``except Exception`` — botocore's retries, urllib3's, a task's error report — takes it
  for an error to report or retry);
- it waits a moment (``GRACE``) for the workers to stop and clean up after themselves, then
  removes the temporary files and aborts the multipart uploads still registered here (a
  worker stuck on a stalled socket cannot); nothing is printed after the signal;
- the CLI's process exits 1 for SIGINT/SIGTERM, as s5cmd; after SIGHUP (which s5cmd does not
  catch) it dies of SIGHUP, as s5cmd, only after the clean-up.

A temporary file is created and renamed into place under the registry's lock, after checking
for cancellation: once the signal has been seen, no download is renamed into place, and every
temporary file created before it is known here.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Callable, Iterator
from typing import Any

#: how long an interrupted command waits for its workers to stop by themselves
GRACE = 0.5
#: how long it waits for the aborts of the multipart uploads they left
ABORT_WAIT = 2.0


class Cancelled(BaseException):
    """Raised in a worker once the command has been interrupted."""


class Interrupted(KeyboardInterrupt):
    """The signal that interrupted the command, raised in the main thread."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class Cancellation:
    """One command's "stop now" flag, and what must be undone if it is set: temporary files
    not yet renamed into place, multipart uploads not yet completed."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.lock = threading.Lock()
        self._temps: set[str] = set()
        self._uploads: dict[str, tuple[str, str]] = {}
        self._creating = 0  # CreateMultipartUpload requests in flight
        self._created = threading.Condition(self.lock)

    @property
    def cancelled(self) -> bool:
        return self.event.is_set()

    def check(self) -> None:
        if self.event.is_set():
            raise Cancelled

    def cancel(self) -> None:
        with _acquired(self.lock, 1.0):
            self.event.set()

    def sleep(self, seconds: float) -> None:
        """A back-off that ends at once when the command is interrupted."""
        if self.event.wait(seconds):
            raise Cancelled

    # -- temporary files ----------------------------------------------------------------------

    def make_temp(self, directory: str, prefix: str) -> tuple[int, str]:
        """``tempfile.mkstemp`` (0600, O_EXCL), registered for removal on interrupt."""
        import tempfile

        with self.lock:
            self.check()
            fd, path = tempfile.mkstemp(dir=directory, prefix=prefix)
            self._temps.add(path)
        return fd, path

    def commit_temp(self, temp: str, final: str) -> None:
        """Rename ``temp`` over ``final`` unless the command has been interrupted."""
        with self.lock:
            self.check()
            os.replace(temp, final)
            self._temps.discard(temp)

    def drop_temp(self, temp: str) -> None:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        with self.lock:
            self._temps.discard(temp)

    # -- multipart uploads --------------------------------------------------------------------

    @contextlib.contextmanager
    def creating_upload(self) -> Iterator[Callable[[str, str, str], None]]:
        """Around a CreateMultipartUpload: the clean-up waits (``ABORT_WAIT`` at most) for the
        answers of those in flight, so that an upload created just after the signal is known
        and aborted too.  Yields ``register(upload_id, bucket, key)``."""
        with self.lock:
            self.check()
            self._creating += 1
        try:
            yield self._register_upload
        finally:
            with self.lock:
                self._creating -= 1
                self._created.notify_all()

    def _register_upload(self, upload_id: str, bucket: str, key: str) -> None:
        with self.lock:
            self._uploads[upload_id] = (bucket, key)

    def wait_for_creates(self, deadline: float) -> None:
        import time

        with _acquired(self.lock, 1.0) as got:
            while got and self._creating:
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                self._created.wait(left)

    def drop_upload(self, upload_id: str) -> None:
        with self.lock:
            self._uploads.pop(upload_id, None)

    def leftovers(self) -> tuple[list[str], dict[str, tuple[str, str]]]:
        with _acquired(self.lock, 1.0):
            return sorted(self._temps), dict(self._uploads)


@contextlib.contextmanager
def _acquired(lock: threading.Lock, timeout: float) -> Iterator[bool]:
    """The lock if it comes within ``timeout``: the clean-up after a signal must not wait
    forever on a worker stuck while holding it."""
    got = lock.acquire(timeout=timeout)
    try:
        yield got
    finally:
        if got:
            lock.release()


def clean_up(cancellation: Cancellation, abort: Callable[[str, str, str], Any]) -> None:
    """Remove the temporary files and abort the multipart uploads the workers left (run once
    they had ``GRACE`` to do it themselves).  The aborts run in parallel, for ``ABORT_WAIT`` at
    most; their errors are ignored (an upload the worker aborted meanwhile is NoSuchUpload)."""
    import time

    deadline = time.monotonic() + ABORT_WAIT
    temps, _uploads = cancellation.leftovers()
    for temp in temps:
        cancellation.drop_temp(temp)
    cancellation.wait_for_creates(deadline)
    _temps, uploads = cancellation.leftovers()
    threads = []
    for upload_id, (bucket, key) in uploads.items():

        def run(upload_id: str = upload_id, bucket: str = bucket, key: str = key) -> None:
            with contextlib.suppress(Exception):
                abort(bucket, key, upload_id)
            cancellation.drop_upload(upload_id)

        thread = threading.Thread(target=run, name="s3env-abort", daemon=True)
        thread.start()
        threads.append(thread)
    deadline = max(deadline, time.monotonic() + 1.0)
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))


# ---- the CLI's signal handlers -----------------------------------------------------------------


class SignalGuard:
    """While a CLI command runs: SIGINT, SIGTERM and (unless ignored) SIGHUP raise
    ``Interrupted`` in the main thread, once; a second signal during the clean-up is ignored.
    ``restore`` puts the previous handlers back."""

    def __init__(self) -> None:
        self.signum: int | None = None
        self.finished = False  # set once the command is over: later signals are ignored
        self._previous: dict[int, Any] = {}

    def install(self) -> SignalGuard:
        if threading.current_thread() is not threading.main_thread():
            return self
        wanted = [signal.SIGINT, signal.SIGTERM]
        sighup = getattr(signal, "SIGHUP", None)
        if sighup is not None and signal.getsignal(sighup) is not signal.SIG_IGN:
            wanted.append(sighup)
        for signum in wanted:
            with contextlib.suppress(OSError, ValueError):
                self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def _handle(self, signum: int, _frame: Any) -> None:
        if self.signum is not None or self.finished:
            return
        self.signum = signum
        raise Interrupted(signum)

    def restore(self) -> None:
        for signum, handler in self._previous.items():
            with contextlib.suppress(OSError, ValueError, TypeError):
                signal.signal(signum, handler)
        self._previous.clear()


def end_interrupted_process(signum: int | None) -> None:
    """The CLI's process after an interrupted command: exit 1 as s5cmd does on SIGINT and
    SIGTERM; die of SIGHUP as s5cmd does (it does not catch it)."""
    sighup = getattr(signal, "SIGHUP", None)
    if sighup is not None and signum == sighup:
        signal.signal(sighup, signal.SIG_DFL)
        os.kill(os.getpid(), sighup)
    os._exit(1)
