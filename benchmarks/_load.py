"""The load generator's pieces every benchmark here shares: clients released together, work shared out, and
latency percentiles."""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

R = TypeVar("R")


def split(items: list, parts: int) -> list[list]:
    """`items` dealt out to `parts` clients in turn."""
    return [items[i::parts] for i in range(parts)]


def all_at_once(clients: list[Callable[[threading.Barrier], R]]) -> tuple[float, list[R]]:
    """Run each client in a thread of its own. A client prepares (connections, tokens), then waits on the
    barrier it is given; all are released together. Returns the seconds from the release until the last one
    finished, and what each returned."""
    start = threading.Barrier(len(clients) + 1)
    with ThreadPoolExecutor(len(clients)) as pool:
        futures = [pool.submit(client, start) for client in clients]
        start.wait()
        started = time.perf_counter()
        results = [future.result() for future in futures]
        return time.perf_counter() - started, results


def p50_p99_ms(latencies: list[float]) -> tuple[float, float]:
    ordered = sorted(latencies)
    return statistics.median(ordered) * 1000, ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
