"""Starting and stopping gunicorn on loopback for the benchmarks (shared by every benchmark here)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(app_spec: str, env: dict[str, str], workers: int, log: Path, chdir: Path = ROOT):
    """gunicorn -w WORKERS on a free loopback port; yields (port, master pid) once it accepts connections."""
    port = free_port()
    gunicorn_bin = str(Path(sys.executable).with_name("gunicorn"))
    with open(log, "ab") as log_file:
        process = subprocess.Popen(
            [gunicorn_bin, "-w", str(workers), "-b", f"127.0.0.1:{port}", "--chdir", str(chdir),
             "--log-level", "warning", app_spec],
            env={**os.environ, **env}, stdout=log_file, stderr=log_file, start_new_session=True,
        )
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError(f"gunicorn {app_spec} exited; see {log}") from None
                time.sleep(0.1)
        else:
            raise RuntimeError(f"gunicorn {app_spec} did not start; see {log}")
        yield port, process.pid
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
