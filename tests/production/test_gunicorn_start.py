"""gunicorn as the README starts it (`gunicorn wsgi:app`, reading gunicorn.conf.py): what it says at start-up."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from ..smtp import free_port

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
WARNING = "counts rate limits in its own memory"


def start_up_log(tmp_path: Path, **env: str) -> str:
    """Start gunicorn in the project folder, wait until it answers, stop it; returns what it logged."""
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "WEB_CONCURRENCY")}
    environment.update(EVENTAPP_INSTANCE=str(tmp_path), DATABASE_URL=f"sqlite:///{tmp_path}/app.sqlite3",
                       SECRET_KEY="gunicorn-start-test", GUNICORN_BIND=f"127.0.0.1:{port}", **env)
    log = tmp_path / "gunicorn.log"
    with open(log, "wb") as out:
        server = subprocess.Popen([str(GUNICORN), "wsgi:app"], cwd=ROOT, env=environment, stdout=out,
                                  stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
                    break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        pytest.fail(f"gunicorn did not answer:\n{log.read_text()}")
                    time.sleep(0.2)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=60)
    return log.read_text()


def test_several_workers_without_redis_warn_that_limits_are_per_worker(tmp_path):
    text = start_up_log(tmp_path, WEB_CONCURRENCY="3")
    [line] = [line for line in text.splitlines() if WARNING in line]
    assert "[WARNING]" in line and "each of the 3 workers" in line and "REDIS_URL" in line


@pytest.mark.parametrize("env", [
    {"WEB_CONCURRENCY": "1"},  # one worker: its counts are the only ones
    {"WEB_CONCURRENCY": "2", "REDIS_URL": "redis://127.0.0.1:1/0"},  # counted in Redis (reached at first use)
], ids=["one-worker", "redis"])
def test_no_warning_when_limits_are_counted_once(tmp_path, env):
    text = start_up_log(tmp_path, **env)
    assert "Booting worker" in text
    assert WARNING not in text
