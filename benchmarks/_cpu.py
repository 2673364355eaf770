"""CPU seconds spent by the processes serving a benchmark (read from /proc, Linux only): a figure that the
machine's other load disturbs far less than requests per second do."""

from __future__ import annotations

import os
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def children(parent: int) -> list[int]:
    """The processes whose parent is `parent` (gunicorn's workers, for its master's pid)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (fields := _stat(int(entry))) is not None and int(fields[1]) == parent:
            found.append(int(entry))
    return found


def postgres_backends(database: str) -> list[int]:
    """PostgreSQL's server processes connected to `database` (their command line names it)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            command = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if command.startswith("postgres: ") and f" {database} " in command:
            found.append(int(entry))
    return found


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds these processes have used so far (a process gone since counts nothing)."""
    total = 0
    for pid in pids:
        if (fields := _stat(pid)) is not None:
            total += int(fields[11]) + int(fields[12])
    return total / TICKS


class CpuMeter:
    """Adds up the CPU the web workers of one gunicorn master and the PostgreSQL backends of one database use
    while `measure()` blocks run (the backends are looked up each time: the pool opens them on demand)."""

    def __init__(self, master_pid: int, database: str):
        self.master_pid, self.database = master_pid, database
        self.web = self.db = 0.0

    def _pids(self) -> tuple[list[int], list[int]]:
        return children(self.master_pid), postgres_backends(self.database)

    def measure(self, run):
        web_pids, db_pids = self._pids()
        web0, db0 = cpu_seconds(web_pids), cpu_seconds(db_pids)
        result = run()
        web_after, db_after = self._pids()
        new_db = [pid for pid in db_after if pid not in db_pids]  # connections opened during the run
        self.web += cpu_seconds(web_pids) - web0
        self.db += cpu_seconds(db_pids) - db0 + cpu_seconds(new_db)
        return result
