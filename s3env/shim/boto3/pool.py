"""The worker pool every multi-object command runs its tasks on (s5cmd's ``parallel``)."""

from __future__ import annotations

import functools
import gc
import queue
import threading
from collections.abc import Callable, Generator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

from s3env.shim.boto3.cancel import Cancelled
from s3env.shim.boto3.tasks import driver as _driver

if TYPE_CHECKING:
    from s3env.shim.boto3.context import Context

T = TypeVar("T")
#: allocations between two collections of the youngest generation while an inline pool runs
#: (Python's default: 700)
GC_THRESHOLD = 20_000
#: a task a pool drives: a transfer (engine/base.py) or a plain function's generator
Task = Generator[Any, Any, Any]
#: what waits in the queue: a task to start, or a task to take up again with a value or error
Entry = tuple[Callable[[], Any], None, None, None] | tuple[None, Task, Any, BaseException | None]


class Pool:
    """A bounded pool of tasks: at most ``in_flight`` tasks queued or running, so memory stays
    flat.

    A task is a function; if it returns a generator (a transfer, engine/base.py), the pool
    drives it: each future it yields suspends the task without holding a thread, and the
    task goes on once the future is done (at once, if it is done already).  Where it goes on:

    - ``inline``: on the thread that submits and waits (the command's), between submits: the
      engine's requests run in native code (the CRT), and Python only prepares them and
      takes their results.  One thread under the GIL: with a thousand small files, handing
      the GIL between eight workers and the CRT's threads at every system call cost more
      than the work (docs/performance.md).  What may block in a task goes through
      ``tasks.blocking``, on ``threads`` threads of its own;
    - otherwise on ``threads`` worker threads: a blocking engine (botocore's: a thread per
      request) is the same pool with a thread per task.

    Its own queue and threads, not a ThreadPoolExecutor: each step of each task went through
    the executor's Future, lock and thread check, which cost more than the step.

    It belongs to the command's ``Context``: once the command is interrupted, a task not yet
    started does nothing, a task that stops with ``Cancelled`` is no error, and
    ``Context.interrupt`` abandons the queue and waits (``wait_idle``) a moment for the
    running tasks to stop."""

    def __init__(
        self, ctx: Context, threads: int, in_flight: int | None = None, inline: bool = False
    ) -> None:
        self.ctx = ctx
        self.threads = max(1, threads)
        self.inline = inline
        self.slots = threading.BoundedSemaphore(in_flight or threads * 2)
        self.crashes: list[BaseException] = []
        self.running = 0  # tasks started and not finished, suspended ones included
        self.live = 0  # tasks submitted and not finished
        self.idle = threading.Condition()
        self._queue: queue.SimpleQueue[Entry | None] = queue.SimpleQueue()
        self._workers: list[threading.Thread] = []
        self._blocking: ThreadPoolExecutor | None = None
        self._closed = False
        ctx.pools.append(self)
        self._gc_threshold: tuple[int, int, int] | None = None
        if inline:
            self._collect_less()

    @classmethod
    def for_transfers(cls, ctx: Context) -> Pool:
        """The pool of a transfer command, shaped by its engine."""
        engine = ctx.engine
        threads, in_flight = engine.pool_shape(ctx.request.numworkers)
        return cls(ctx, threads, in_flight, inline=engine.inline_tasks)

    def submit(self, fn: Callable[[], Any]) -> None:
        if self.inline:
            self._drive(block=False)
            while not self.slots.acquire(blocking=False):
                self._drive(block=True)
            with self.idle:
                self.live += 1
            self._start(fn)
            return
        self.slots.acquire()
        with self.idle:
            self.live += 1
        if not self._put((fn, None, None, None)):
            self._finished(started=False)

    def _collect_less(self) -> None:
        """Inline, the cyclic garbage collector ran every 700 allocations over the tasks in
        flight (hundreds of generators, futures and requests, none of them garbage): 15 % of a
        thousand small uploads (docs/performance.md).  Reference counting frees a finished
        task (pool and engine leave no cycle behind), so the collector runs far less often
        until the pool is done; in the CLI's process, which ends with the command, what
        exists before the first task is frozen out of its walks (``gc.freeze``)."""
        self._gc_threshold = gc.get_threshold()
        if getattr(getattr(self.ctx, "request", None), "replace_process", False):
            gc.freeze()
        gc.set_threshold(GC_THRESHOLD, *self._gc_threshold[1:])

    def _collect_as_before(self) -> None:
        if self._gc_threshold is not None:
            threshold, self._gc_threshold = self._gc_threshold, None
            gc.set_threshold(*threshold)

    def run_blocking(self, fn: Callable[[], T]) -> Future[T]:
        """``fn`` on a thread of its own (tasks.blocking)."""
        with self.idle:
            if self._blocking is None:
                self._blocking = ThreadPoolExecutor(self.threads, thread_name_prefix="s3env-blocking")
            executor = self._blocking
        try:
            return executor.submit(fn)
        except RuntimeError:  # shut down (interrupted)
            stopped: Future[T] = Future()
            stopped.set_exception(Cancelled())
            return stopped

    # -- the queue and its threads ----------------------------------------------------------

    def _put(self, entry: Entry) -> bool:
        """Queue ``entry``; False once the pool is abandoned (it will never run)."""
        if self._closed:
            return False
        self._queue.put(entry)
        # Worker threads: one per entry waiting, up to the pool's size (most commands have
        # one task); none inline, where the command's thread takes the entries.
        if not self.inline and len(self._workers) < min(self.threads, self._queue.qsize() + 1):
            with self.idle:
                if len(self._workers) < self.threads and not self._closed:
                    worker = threading.Thread(
                        target=self._work, name=f"s3env-transfer_{len(self._workers)}", daemon=True
                    )
                    self._workers.append(worker)
                    worker.start()
        return True

    def _work(self) -> None:
        while True:
            entry = self._queue.get()
            if entry is None or self._closed:
                if entry is not None:
                    self._drop(entry)
                return
            self._run(entry)

    def _drive(self, block: bool) -> None:
        """Inline: run the entries waiting (at least one if ``block``: wait for it)."""
        _driver.pool = self
        try:
            while True:
                try:
                    entry = self._queue.get(block=block)
                except queue.Empty:
                    return
                block = False
                if entry is not None:
                    self._run(entry)
        finally:
            _driver.pool = None

    def _run(self, entry: Entry) -> None:
        fn, task, value, error = entry
        if fn is not None:
            self._start(fn)
        else:
            assert task is not None
            self._step(task, value, error)

    def _drop(self, entry: Entry) -> None:
        """An entry the pool will never run (abandoned): its task is over."""
        _fn, task, _value, _error = entry
        if task is not None:
            task.close()  # its ``finally`` blocks run here, then it is over
            self._finished()
        else:
            self._finished(started=False)

    # -- driving a task ---------------------------------------------------------------------

    def _start(self, fn: Callable[[], Any]) -> None:
        with self.idle:
            self.running += 1
        if self.ctx.cancellation.cancelled:
            self._finished()
            return
        _driver.pool = self if self.inline else None
        try:
            result = fn()
        except BaseException as exc:
            self._failed(exc)
            return
        if isinstance(result, Generator):
            self._step(result, None, None)
        else:
            self._finished()

    def _step(self, task: Task, value: Any, error: BaseException | None) -> None:
        """Run ``task`` up to a future not done yet (or its end)."""
        _driver.pool = self if self.inline else None
        while True:
            try:
                future = task.throw(error) if error is not None else task.send(value)
            except StopIteration:
                self._finished()
                return
            except BaseException as exc:
                self._failed(exc)
                return
            if not future.done():
                # The future keeps its callbacks after it is done: the callback holds the
                # task only until it runs (else task and future hold each other: a cycle).
                future.add_done_callback(functools.partial(self._resume_one, [task]))
                return
            value, error = outcome(future)

    def _resume_one(self, waiting: list[Task], done: Future[Any]) -> None:
        self._resume(waiting.pop(), done)

    def _resume(self, task: Task, done: Future[Any]) -> None:
        """``done`` finished (on whatever thread finished it): the task goes on in the pool."""
        value, error = outcome(done)
        if not self._put((None, task, value, error)):
            task.close()  # its ``finally`` blocks run here, then it is over
            self._finished()

    def _failed(self, exc: BaseException) -> None:
        if self.inline and isinstance(exc, KeyboardInterrupt):
            self._finished()  # the command's own interrupt, raised in a task it ran
            raise exc
        if not isinstance(exc, Cancelled) and not self.ctx.cancellation.cancelled:
            self.crashes.append(exc)  # a bug, not a transfer error: surface it in wait()
        self._finished()

    def _finished(self, started: bool = True) -> None:
        self.slots.release()
        with self.idle:
            if started:
                self.running -= 1
            self.live -= 1
            self.idle.notify_all()

    # -- the command's side ------------------------------------------------------------------

    def wait(self) -> None:
        """Every task submitted has finished (a suspended one is still running)."""
        if self.inline:
            while self.live:
                self._drive(block=True)
        with self.idle:
            while self.live:
                self.idle.wait()
        self._stop_threads()
        self._collect_as_before()
        if self.crashes:
            raise self.crashes[0]

    def _stop_threads(self) -> None:
        with self.idle:
            workers = list(self._workers)
            executor = self._blocking
        for _ in workers:
            self._queue.put(None)
        for worker in workers:
            if worker is not threading.current_thread():
                worker.join()
        if executor is not None:
            executor.shutdown(wait=True)

    def abandon(self) -> None:
        """Interrupted: drop the tasks not started; the running ones stop by themselves."""
        with self.idle:
            self._closed = True
            workers = len(self._workers)
            executor = self._blocking
        self._collect_as_before()
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)
        while True:
            try:
                entry = self._queue.get_nowait()
            except queue.Empty:
                break
            if entry is not None:
                self._drop(entry)
        for _ in range(workers):
            self._queue.put(None)

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


def outcome(done: Future[Any]) -> tuple[Any, BaseException | None]:
    """(value, None) or (None, error) of a finished future; a cancelled one is ``Cancelled``."""
    if done.cancelled():
        return None, Cancelled()
    error = done.exception()
    return (None, error) if error is not None else (done.result(), None)
