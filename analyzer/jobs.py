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
        before_fork: Callable[[list[T]], None] | None = None) -> list[R]:
    """``[work(t) for t in tasks]``, with up to ``jobs`` processes.

    ``weight(t)`` estimates the work of a task (0: nothing to parse, done in this process).
    ``progress(done, total)`` is called here as tasks finish.  ``before_fork(heavy tasks)`` is called
    here once, when the pool is about to start: what it loads, every worker inherits.
    """
    total = len(tasks)
    weights = [weight(t) for t in tasks] if jobs > 1 and total > 1 else [0] * total
    heavy = sorted((i for i, w in enumerate(weights) if w > 0), key=lambda i: (-weights[i], i))
    if len(heavy) < 2 or sum(weights) < MIN_POOL_WORK or not can_fork():
        return _serial(tasks, work, progress)
    if before_fork is not None:
        before_fork([tasks[i] for i in heavy])
    results: list[R | None] = [None] * total
    done = 0
    _BATCH.work, _BATCH.tasks = work, tasks
    # What this process holds now, every worker inherits page by page, shared until written.  The cycle
    # collector writes to every object it examines: frozen, they are left alone, and stay shared.
    gc.collect()
    frozen_before = gc.get_freeze_count()  # a program that froze objects itself keeps them frozen
    gc.freeze()
    try:
        import multiprocessing

        context = multiprocessing.get_context("fork")
        with context.Pool(min(jobs, len(heavy)), maxtasksperchild=TASKS_PER_WORKER) as pool:
            pending = pool.imap_unordered(_run_one, heavy, chunksize=1)
            for i in range(total):  # the light tasks, here, while the workers parse
                if weights[i] == 0:
                    results[i] = work(tasks[i])
                    done += 1
                    if progress:
                        progress(done, total)
            for i, result in pending:
                results[i] = result  # type: ignore[assignment]
                done += 1
                if progress:
                    progress(done, total)
    finally:
        _BATCH.work, _BATCH.tasks = None, ()
        if not frozen_before:
            gc.unfreeze()
    return results  # type: ignore[return-value]


def _serial(tasks: Sequence[T], work: Callable[[T], R], progress: Callable[[int, int], None] | None) -> list[R]:
    results: list[R] = []
    for task in tasks:
        results.append(work(task))
        if progress:
            progress(len(results), len(tasks))
    return results
