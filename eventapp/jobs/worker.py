"""`flask --app wsgi worker`: an RQ worker running queued jobs in the app the command was started with.

No app is kept in a global: the command runs inside the app's context (Flask's CLI pushes it), and each work
horse RQ forks for a job inherits that context, so a job finds its app as ``current_app``.
"""

from __future__ import annotations

from flask import Flask, current_app

from .queue import queue
from .service import mark_lost_jobs, run_job


def perform(job_id: str) -> None:
    """What an RQ worker runs for a recorded job: the same run_job() the thread mode runs."""
    run_job(job_id, current_app._get_current_object())


def run_worker(app: Flask, burst: bool = False) -> None:
    """Work the queue until stopped (or, with `burst`, until it is empty). Call inside the app's context."""
    from rq import Worker  # a heavy import, needed only by the worker command

    mark_lost_jobs()
    the_queue = queue(app)
    Worker([the_queue], connection=the_queue.connection).work(burst=burst, with_scheduler=False)
