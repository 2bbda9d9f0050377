"""``--jobs``: the scan's tasks (one template file, one Terraform folder) in a pool of processes.

The results are those of running the tasks one by one in this process, in the same order: each task
is a pure function of its input and the options, and its result is put back in its own slot.  Only
tasks that have something to parse go to the pool (largest first, so that two workers end together);
the rest (most files of a large repository: no Lex, nothing to parse) are done here meanwhile.  A
scan with little to parse is done here entirely: starting processes would cost more than it saves.

Workers are forked, so they share what this process has already built (the imported modules, the
options, the Terraform call index) without pickling it.  Where ``fork`` is not available (Windows,
and macOS, where it is unsafe), the tasks are run here.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Below this much estimated work (microseconds of one core) a pool costs more than it saves: starting
# forked workers and collecting their results takes some 0.1 s, and on two CPUs that are hyperthreads of
# one core a second worker adds far less than a core (bench/bench.py: the corpus's 24 templates with Lex,
# about 0.4 s of estimated work, took 0.37 s with a pool and 0.32 s without).
MIN_POOL_WORK = 1_000_000
# A worker is replaced (forked again, which costs a few milliseconds) after this many tasks: the memory
# a parse left fragmented goes back to the system instead of piling up in long-lived workers.
TASKS_PER_WORKER = 50


def default_jobs() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def can_fork() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    import multiprocessing  # not at start-up: it costs tens of milliseconds, and small scans never fork

    return "fork" in multiprocessing.get_all_start_methods()


class _Batch(Generic[T, R]):
    """The work and the tasks, set before the workers fork (they inherit it: nothing is pickled but
    a task's index and its result)."""

    work: Callable[[T], R] | None = None
    tasks: Sequence[T] = ()


_BATCH: _Batch = _Batch()  # type: ignore[type-arg]


def _run_one(index: int) -> tuple[int, object]:
    assert _BATCH.work is not None
    return index, _BATCH.work(_BATCH.tasks[index])


def run(tasks: Sequence[T], work: Callable[[T], R], weight: Callable[[T], int], jobs: int,
        progress: Callable[[int, int], None] | None = None,
        before_fork: Callable[[list[T]], None] | None = None, *,
        on_crash: Callable[[T, str], R] | None = None, size: Callable[[T], int] | None = None) -> list[R]:
    """``[work(t) for t in tasks]``, with up to ``jobs`` processes.

    ``weight(t)`` estimates the work of a task (0: nothing to parse, done in this process).
    ``progress(done, total)`` is called here as tasks finish, counting ``size(t)`` for each (1 when not
    given).  ``before_fork(heavy tasks)`` is called here once, when the pool is about to start: what it
    loads, every worker inherits.  A worker that dies while it holds a task (killed by the system: the
    OOM killer sends SIGKILL) is noticed at once: the task's result is ``on_crash(task, why)`` (without
    ``on_crash``, a RuntimeError), a new worker takes its place, and the other tasks go on.
    """
    total = len(tasks)
    weights = [weight(t) for t in tasks] if jobs > 1 and total > 1 else [0] * total
    heavy = sorted((i for i, w in enumerate(weights) if w > 0), key=lambda i: (-weights[i], i))
    if len(heavy) < 2 or sum(weights) < MIN_POOL_WORK or not can_fork():
        return _serial(tasks, work, progress, size)
    if before_fork is not None:
        before_fork([tasks[i] for i in heavy])
    _BATCH.work, _BATCH.tasks = work, tasks
    # What this process holds now, every worker inherits page by page, shared until written.  The cycle
    # collector writes to every object it examines: frozen, they are left alone, and stay shared.
    gc.collect()
    frozen_before = gc.get_freeze_count()  # a program that froze objects itself keeps them frozen
    gc.freeze()
    try:
        pool = _Pool(min(jobs, len(heavy)), heavy)
        return pool.run(tasks, work, [i for i in range(total) if weights[i] == 0], progress, on_crash, size)
    finally:
        _BATCH.work, _BATCH.tasks = None, ()
        if not frozen_before:
            gc.unfreeze()


class _Worker:
    __slots__ = ("process", "conn", "task", "started", "done")

    def __init__(self, process: object, conn: object) -> None:
        self.process = process
        self.conn = conn
        self.task: int | None = None  # the index of the task it was sent
        self.started = False  # it said it took the task
        self.done = 0


def _worker_main(conn: object) -> None:
    """A forked worker: run the task indexes it is sent (None: stop), send back (index, ok, result)."""
    while True:
        try:
            index = conn.recv()  # type: ignore[attr-defined]
        except (EOFError, OSError):
            return
        if index is None:
            return
        conn.send(index)  # type: ignore[attr-defined]  # taken: from now on a death is this task's
        try:
            reply: tuple[int, bool, object] = (index, True, _run_one(index)[1])
        except BaseException as exc:  # noqa: BLE001 - handed to the parent, which raises it as the serial run would
            reply = (index, False, exc)
        try:
            conn.send(reply)  # type: ignore[attr-defined]
        except Exception as exc:  # noqa: BLE001 - a result that cannot be pickled
            conn.send((index, False, RuntimeError(f"a result could not be sent back: {exc}")))  # type: ignore[attr-defined]


def _why(exitcode: int | None) -> str:
    import signal

    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        hint = " (the system may have run out of memory)" if -exitcode == signal.SIGKILL else ""
        return f"the worker process reading it was killed by {name}{hint}"
    return f"the worker process reading it exited unexpectedly (exit status {exitcode})"


class _Pool:
    """Forked workers fed one task at a time through a pipe each.  The parent waits on the pipes and on
    the processes' sentinels together, so a worker that dies is seen as soon as it dies, with the task it
    held; multiprocessing.Pool loses that task and waits for it forever."""

    def __init__(self, size: int, heavy: list[int]) -> None:
        import multiprocessing

        self.context = multiprocessing.get_context("fork")
        self.size = size
        self.queue = list(reversed(heavy))  # popped from the end: heaviest first
        self.workers: list[_Worker] = []

    def spawn(self) -> None:
        parent, child = self.context.Pipe(duplex=True)
        process = self.context.Process(target=_worker_main, args=(child,), daemon=True)
        process.start()
        child.close()
        worker = _Worker(process, parent)
        self.workers.append(worker)
        self.feed(worker)

    def feed(self, worker: _Worker) -> None:
        worker.task = self.queue.pop() if self.queue else None
        worker.started = False
        try:
            worker.conn.send(worker.task)  # type: ignore[attr-defined]
        except OSError:  # it died already: its sentinel says so
            pass

    def retire(self, worker: _Worker) -> None:
        self.workers.remove(worker)
        worker.conn.close()  # type: ignore[attr-defined]
        worker.process.join()  # type: ignore[attr-defined]

    def run(self, tasks: Sequence[T], work: Callable[[T], R], light: list[int],
            progress: Callable[[int, int], None] | None, on_crash: Callable[[T, str], R] | None,
            size: Callable[[T], int] | None) -> list[R]:
        from multiprocessing.connection import wait

        results: list[object] = [None] * len(tasks)
        total = sum(size(t) for t in tasks) if size else len(tasks)
        done = 0

        def finished(index: int, result: object) -> None:
            nonlocal done
            results[index] = result
            done += size(tasks[index]) if size else 1
            if progress:
                progress(done, total)

        try:
            for _ in range(self.size):
                self.spawn()
            light_left = list(reversed(light))
            while any(w.task is not None for w in self.workers) or light_left:
                busy = [w for w in self.workers if w.task is not None]
                handles = [w.conn for w in busy] + [w.process.sentinel for w in busy]  # type: ignore[attr-defined]
                ready = set(wait(handles, timeout=0 if light_left else None)) if handles else set()
                for w in busy:
                    self.collect(w, ready, tasks, finished, on_crash)
                if light_left:  # the light tasks, here, between two looks at the workers
                    i = light_left.pop()
                    finished(i, work(tasks[i]))
        finally:
            for w in list(self.workers):
                if w.process.is_alive():  # type: ignore[attr-defined]
                    w.process.kill()  # type: ignore[attr-defined]
                self.retire(w)
        return results  # type: ignore[return-value]

    def collect(self, w: _Worker, ready: set[object], tasks: Sequence[T], finished: Callable[[int, object], None],
                on_crash: Callable[[T, str], R] | None) -> None:
        """Take a worker's result if it sent one; notice if it died."""
        got = dead = False
        if w.conn in ready:
            try:
                while not got and w.conn.poll():  # type: ignore[attr-defined]
                    message = w.conn.recv()  # type: ignore[attr-defined]
                    if isinstance(message, int):
                        w.started = True
                    else:
                        index, ok, result = message
                        got = True
            except (EOFError, OSError):  # it died before or while sending
                dead = True
            if got:
                if not ok:
                    raise result  # type: ignore[misc]  # what the task raised, as the serial run would raise it
                finished(index, result)
                w.task = None
                w.done += 1
                if w.done >= TASKS_PER_WORKER:  # replace it: its fragmented memory goes back to the system
                    self.feed_stop(w)
                    if self.queue:
                        self.spawn()
                else:
                    self.feed(w)
                return
        if dead or w.process.sentinel in ready:  # type: ignore[attr-defined]
            w.process.join()  # type: ignore[attr-defined]
            index = w.task
            self.retire(w)
            if index is not None and not w.started:  # died before it took the task: another worker will
                self.queue.append(index)
            elif index is not None:
                why = _why(w.process.exitcode)  # type: ignore[attr-defined]
                if on_crash is None:
                    raise RuntimeError(f"task {index}: {why}")
                finished(index, on_crash(tasks[index], why))
            if self.queue:
                self.spawn()

    def feed_stop(self, w: _Worker) -> None:
        try:
            w.conn.send(None)  # type: ignore[attr-defined]
        except OSError:
            pass
        self.retire(w)


def _serial(tasks: Sequence[T], work: Callable[[T], R], progress: Callable[[int, int], None] | None,
            size: Callable[[T], int] | None = None) -> list[R]:
    results: list[R] = []
    total = sum(size(t) for t in tasks) if size else len(tasks)
    done = 0
    for task in tasks:
        results.append(work(task))
        done += size(task) if size else 1
        if progress:
            progress(done, total)
    return results
