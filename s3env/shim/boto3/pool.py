"""The worker pool every multi-object command runs its tasks on (s5cmd's ``parallel``)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from s3env.shim.boto3.cancel import Cancelled

if TYPE_CHECKING:
    from s3env.shim.boto3.context import Context


class Pool:
    """A bounded pool of tasks: at most ``in_flight`` tasks queued or running, so memory stays
    flat, run by ``threads`` threads.

    A task is a function; if it returns a generator (a transfer, engine/base.py), the pool
    drives it: each future it yields suspends the task without holding a thread, and the
    task goes on, on a pool thread, once the future is done.  So an engine whose requests run
    in native code keeps hundreds in flight on a handful of threads, and a blocking engine
    (one thread per request) is the same pool with a thread per task.

    It belongs to the command's ``Context``: once the command is interrupted, a task not yet
    started does nothing, a task that stops with ``Cancelled`` is no error, and
    ``Context.interrupt`` abandons the queue and waits (``wait_idle``) a moment for the
    running tasks to stop."""

    def __init__(self, ctx: Context, threads: int, in_flight: int | None = None) -> None:
        self.ctx = ctx
        self.executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="s3env-transfer")
        self.slots = threading.BoundedSemaphore(in_flight or threads * 2)
        self.crashes: list[BaseException] = []
        self.running = 0  # tasks started and not finished, suspended ones included
        self.live = 0  # tasks submitted and not finished
        self.idle = threading.Condition()
        ctx.pools.append(self)

    @classmethod
    def for_transfers(cls, ctx: Context) -> Pool:
        """The pool of a transfer command, shaped by its engine."""
        threads, in_flight = ctx.engine.pool_shape(ctx.request.numworkers)
        return cls(ctx, threads, in_flight)

    def submit(self, fn: Callable[[], Any]) -> None:
        self.slots.acquire()
        with self.idle:
            self.live += 1
        cancellation = self.ctx.cancellation

        def start() -> None:
            with self.idle:
                self.running += 1
            if cancellation.cancelled:
                self._finished()
                return
            try:
                result = fn()
            except BaseException as exc:
                self._failed(exc)
                return
            if isinstance(result, Generator):
                self._step(result, None, None)
            else:
                self._finished()

        self._schedule(start)

    def _schedule(self, step: Callable[[], None]) -> bool:
        try:
            self.executor.submit(step)
        except RuntimeError:  # shut down (interrupted): the step cannot run
            return False
        return True

    def _step(self, task: Generator[Any, Any, Any], value: Any, error: BaseException | None) -> None:
        """Run ``task`` up to its next future (or its end)."""
        try:
            future = task.throw(error) if error is not None else task.send(value)
        except StopIteration:
            self._finished()
            return
        except BaseException as exc:
            self._failed(exc)
            return
        future.add_done_callback(lambda done: self._resume(task, done))

    def _resume(self, task: Generator[Any, Any, Any], done: Future[Any]) -> None:
        """``done`` finished (on whatever thread finished it): the task goes on in the pool."""
        error = done.exception() if not done.cancelled() else Cancelled()
        value = None if error is not None else done.result()
        if not self._schedule(lambda: self._step(task, value, error)):
            task.close()  # its ``finally`` blocks run here, then it is over
            self._finished()

    def _failed(self, exc: BaseException) -> None:
        if not isinstance(exc, Cancelled) and not self.ctx.cancellation.cancelled:
            self.crashes.append(exc)  # a bug, not a transfer error: surface it in wait()
        self._finished()

    def _finished(self) -> None:
        self.slots.release()
        with self.idle:
            self.running -= 1
            self.live -= 1
            self.idle.notify_all()

    def wait(self) -> None:
        """Every task submitted has finished (a suspended one is still running)."""
        with self.idle:
            while self.live:
                self.idle.wait()
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
