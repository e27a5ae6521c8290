"""The worker pool every multi-object command runs its tasks on (s5cmd's ``parallel``)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from s3env.shim.boto3.cancel import Cancelled

if TYPE_CHECKING:
    from s3env.shim.boto3.context import Context


class Pool:
    """A bounded thread pool: at most ``2 x workers`` tasks queued, so memory stays flat.

    It belongs to the command's ``Context``: once the command is interrupted, a task not yet
    started does nothing, a task that stops with ``Cancelled`` is no error, and
    ``Context.interrupt`` abandons the queue and waits (``wait_idle``) a moment for the
    running tasks to stop."""

    def __init__(self, ctx: Context, workers: int) -> None:
        self.ctx = ctx
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="s3env-transfer")
        self.slots = threading.BoundedSemaphore(workers * 2)
        self.futures: list[Future[Any]] = []
        self.crashes: list[BaseException] = []
        self.running = 0
        self.idle = threading.Condition()
        ctx.pools.append(self)

    def submit(self, fn: Callable[[], Any]) -> None:
        self.slots.acquire()
        cancellation = self.ctx.cancellation

        def run() -> Any:
            with self.idle:
                self.running += 1
            try:
                if cancellation.cancelled:
                    return None
                return fn()
            except Cancelled:
                return None
            except BaseException as exc:  # a bug, not a transfer error: surface it in wait()
                if not cancellation.cancelled:
                    self.crashes.append(exc)
                raise
            finally:
                self.slots.release()
                with self.idle:
                    self.running -= 1
                    self.idle.notify_all()

        self.futures.append(self.executor.submit(run))
        self.futures = [f for f in self.futures if not f.done()] if len(self.futures) > 4096 else self.futures

    def wait(self) -> None:
        self.executor.shutdown(wait=True)
        if self.crashes:
            raise self.crashes[0]

    def abandon(self) -> None:
        """Interrupted: drop the tasks not started; the running ones stop by themselves."""
        self.executor.shutdown(wait=False, cancel_futures=True)

    def wait_idle(self, deadline: float) -> bool:
        """Wait until no task runs, or until ``deadline`` (``time.monotonic``)."""
        import time

        with self.idle:
            while self.running:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.idle.wait(left)
        return True
