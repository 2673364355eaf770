"""CPU seconds spent by the processes serving a benchmark, read from /proc (Linux): figures that the machine's
other load disturbs far less than requests per second do. Shared by the registration and check-in benchmarks."""

from __future__ import annotations

import os
import time
from collections import Counter
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def processes():
    """(pid, fields of /proc/<pid>/stat after "pid (name)") of every process: state, ppid, ..."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            yield int(stat.parent.name), stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, ValueError):
            continue


def gunicorn_cpu(master_pid: int) -> tuple[float, frozenset[int]]:
    """User + system CPU seconds of a gunicorn master and its workers so far; and the workers' pids, to see
    restarts (max_requests in gunicorn.conf.py), which the CPU figure cannot follow."""
    total = 0
    workers = set()
    for pid, fields in processes():
        if pid == master_pid:  # its own, and that of the workers it has reaped (cutime, cstime)
            total += sum(int(value) for value in fields[11:15])
        elif int(fields[1]) == master_pid:
            total += int(fields[11]) + int(fields[12])  # utime, stime
            workers.add(pid)
    return total / TICKS, frozenset(workers)


def process_tree_cpu(root: int | None = None) -> float:
    """User + system CPU seconds so far of a process and every descendant, live or reaped: a fork server's workers
    are its children, not ours, so getrusage(RUSAGE_CHILDREN) misses them."""
    root = os.getpid() if root is None else root
    parents, times = {}, {}
    for pid, fields in processes():
        parents[pid] = int(fields[1])
        times[pid] = sum(int(value) for value in fields[11:15])  # utime, stime, cutime, cstime (reaped children)
    total = 0
    for pid in times:
        ancestor = pid
        while ancestor not in (root, 0, 1) and ancestor in parents:
            ancestor = parents[ancestor]
        if ancestor == root:
            total += times[pid]
    return total / TICKS


def postgres_cpu(database: str | None) -> float:
    """CPU seconds so far of the PostgreSQL backends connected to `database` (their title names it); 0 for None."""
    if database is None:
        return 0.0
    total = 0
    for pid, fields in processes():
        try:
            title = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if title.startswith(b"postgres: ") and f" {database} ".encode() in title:
            total += int(fields[11]) + int(fields[12])
    return total / TICKS


class Meter:
    """Per key (a server, or a server and a kind of request): its gunicorn's CPU, its PostgreSQL backends' CPU,
    the load generator's own CPU (this process) and worker restarts, over the calls it measures."""

    def __init__(self) -> None:
        self.cpu: Counter = Counter()
        self.db_cpu: Counter = Counter()
        self.client_cpu: Counter = Counter()
        self.restarts: Counter = Counter()

    def measure(self, key: str, master_pid: int, call, database: str | None = None):
        cpu, workers = gunicorn_cpu(master_pid)
        db_cpu = postgres_cpu(database)
        client_cpu = time.process_time()
        result = call()
        self.client_cpu[key] += time.process_time() - client_cpu
        cpu_after, workers_after = gunicorn_cpu(master_pid)
        self.cpu[key] += cpu_after - cpu
        self.db_cpu[key] += postgres_cpu(database) - db_cpu
        self.restarts[key] += len(workers_after - workers)
        return result
