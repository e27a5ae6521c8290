"""The command's pool (s3env/shim/boto3/pool.py) and what its tasks yield for blocking work
(tasks.py): where tasks run, inline and on worker threads; blocking work off the command's
thread; an interrupt raised in an inline task; an abandoned queue."""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future
from typing import Any

import pytest

from s3env.shim.boto3.cancel import Cancellation
from s3env.shim.boto3.pool import Pool
from s3env.shim.boto3.tasks import blocking, run_to_end


class Command:
    """What a pool takes from the command's Context: its pools and its cancellation."""

    def __init__(self) -> None:
        self.pools: list[Pool] = []
        self.cancellation = Cancellation()


def later(value: Any, delay: float = 0.01) -> Future[Any]:
    """A future finished from another thread, as the CRT finishes a request."""
    future: Future[Any] = Future()
    threading.Timer(delay, future.set_result, (value,)).start()
    return future


def test_inline_tasks_run_on_the_submitting_thread_and_resume_there() -> None:
    pool = Pool(Command(), threads=4, in_flight=8, inline=True)
    seen: list[tuple[int, str]] = []

    def task(number: int) -> Any:
        seen.append((number, threading.current_thread().name))
        value = yield later(number)
        seen.append((value, threading.current_thread().name))

    for number in range(20):
        pool.submit(lambda number=number: task(number))
    pool.wait()
    main = threading.current_thread().name
    assert sorted(n for n, _ in seen) == sorted([*range(20), *range(20)])
    assert {name for _, name in seen} == {main}
    assert not [t for t in threading.enumerate() if t.name.startswith("s3env-transfer")]


def test_inline_pool_keeps_at_most_in_flight_tasks() -> None:
    pool = Pool(Command(), threads=2, in_flight=3, inline=True)
    peak = 0

    def task() -> Any:
        nonlocal peak
        peak = max(peak, pool.live)
        yield later(None, 0.005)

    for _ in range(15):
        pool.submit(task)
    pool.wait()
    assert peak == 3
    assert pool.live == 0 and pool.running == 0


def test_a_done_future_goes_on_at_once_without_queueing() -> None:
    pool = Pool(Command(), threads=1, in_flight=2, inline=True)
    steps: list[int] = []

    def task() -> Any:
        for step in range(5):
            done: Future[int] = Future()
            done.set_result(step)
            steps.append((yield done))

    pool.submit(task)
    assert steps == [0, 1, 2, 3, 4]  # before wait(): all of it ran inside submit
    pool.wait()


def test_blocking_work_leaves_the_command_thread_when_inline() -> None:
    pool = Pool(Command(), threads=3, in_flight=6, inline=True)
    where: list[str] = []
    started = threading.Barrier(3, timeout=5)

    def slow() -> str:
        started.wait()  # three at once: they do not run one after another on one thread
        return threading.current_thread().name

    def task() -> Any:
        where.append((yield blocking(slow)))

    for _ in range(3):
        pool.submit(task)
    pool.wait()
    assert len(where) == 3
    assert all(name.startswith("s3env-blocking") for name in where)


def test_blocking_work_runs_in_place_on_a_worker_thread() -> None:
    pool = Pool(Command(), threads=2, in_flight=4)
    where: list[tuple[str, str]] = []

    def task() -> Any:
        here = threading.current_thread().name
        where.append((here, (yield blocking(lambda: threading.current_thread().name))))

    pool.submit(task)
    pool.wait()
    [(task_thread, work_thread)] = where
    assert task_thread == work_thread
    assert task_thread.startswith("s3env-transfer")


def test_a_blocking_failure_is_thrown_into_the_task() -> None:
    pool = Pool(Command(), threads=1, in_flight=2, inline=True)
    caught: list[BaseException] = []

    def fail() -> None:
        raise OSError("no")

    def task() -> Any:
        try:
            yield blocking(fail)
        except OSError as exc:
            caught.append(exc)

    pool.submit(task)
    pool.wait()
    assert [str(exc) for exc in caught] == ["no"]


def test_run_to_end_waits_for_each_future_and_returns_the_result() -> None:
    def transfer() -> Any:
        first = yield later(1)
        second = yield later(2)
        return first + second

    assert run_to_end(transfer()) == 3


def test_an_interrupt_in_an_inline_task_reaches_the_command() -> None:
    pool = Pool(Command(), threads=1, in_flight=4, inline=True)
    cleaned: list[str] = []

    def task() -> Any:
        try:
            yield later(None)
            raise KeyboardInterrupt  # as the CLI's signal handler raises it, mid-task
        finally:
            cleaned.append("finally")

    pool.submit(task)
    with pytest.raises(KeyboardInterrupt):
        pool.wait()
    assert cleaned == ["finally"]
    assert pool.running == 0 and pool.live == 0
    assert pool.crashes == []  # the interrupt is no crash of a task


def test_abandon_closes_suspended_tasks_and_drops_queued_ones() -> None:
    command = Command()
    pool = Pool(command, threads=1, in_flight=8, inline=True)
    cleaned: list[int] = []
    gates = [Future() for _ in range(3)]

    def task(number: int) -> Any:
        try:
            yield gates[number]
            cleaned.append(-number)  # never: the pool is abandoned before
        finally:
            cleaned.append(number)

    for number in range(3):
        pool.submit(lambda number=number: task(number))
    command.cancellation.cancel()
    pool.abandon()
    for gate in gates:  # the requests end (cancelled): each task is closed, not resumed
        gate.set_result(None)
    assert pool.wait_idle(time.monotonic() + 5)
    assert sorted(cleaned) == [0, 1, 2]
