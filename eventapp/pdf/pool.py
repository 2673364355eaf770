"""Worker processes for big badge batches: forked when that is safe, from a fork server when it is not."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor


def default_workers() -> int:
    """One worker per CPU this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def single_threaded() -> bool:
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:  # no /proc: assume the worst
        return False


def process_pool(
    workers: int, preload: list[str], warm_up: Callable[[], object], initializer: Callable[[], object] | None = None
) -> ProcessPoolExecutor:
    """A pool of `workers` processes that start with the modules in `preload` already imported.

    Forking a single-threaded process is safe and instant, and the workers share what this process has
    imported once: `warm_up` is called here first. Forking a threaded process (a web server's, or one where a
    library started threads) can leave a lock held forever in the child, so the workers then come from a
    clean single-threaded fork server, which imports `preload` once for as long as this process lives.
    """
    if single_threaded():
        warm_up()
        context = multiprocessing.get_context("fork")
    else:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(preload)
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=initializer)
