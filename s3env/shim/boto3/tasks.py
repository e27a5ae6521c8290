"""What a task of a command's pool (pool.py) yields for work that blocks, apart from the pool
itself, so that the engines can use it without importing the command's machinery."""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator
from concurrent.futures import Future
from typing import Any, Protocol, TypeVar

T = TypeVar("T")


class Driver(Protocol):
    """pool.Pool, as seen from here: it runs a blocking function on a thread of its own."""

    def run_blocking(self, fn: Callable[[], T]) -> Future[T]: ...


#: ``driver.pool``: the pool whose tasks the current thread runs inline, if any
driver = threading.local()


def blocking(fn: Callable[[], T]) -> Future[T]:
    """What a task yields to run ``fn``, which may block (a botocore call, a whole botocore
    transfer): on a thread of its own when the task runs inline, at once otherwise (the task
    already has a worker thread).  The task goes on with ``fn``'s result or error."""
    pool: Driver | None = getattr(driver, "pool", None)
    if pool is not None:
        return pool.run_blocking(fn)
    done: Future[T] = Future()
    try:
        done.set_result(fn())
    except Exception as exc:
        done.set_exception(exc)
    return done


def run_to_end(transfer: Generator[Future[Any], Any, Any]) -> Any:
    """Run a transfer to its end on this thread, waiting here for each future it yields (a
    botocore engine's transfer yields none; cat has no pool), a failed one thrown into it:
    its result.  An interrupt raised while waiting ends it."""
    value: Any = None
    error: BaseException | None = None
    while True:
        try:
            future = transfer.throw(error) if error is not None else transfer.send(value)
        except StopIteration as stop:
            return stop.value
        error = future.exception()
        value = None if error is not None else future.result()
