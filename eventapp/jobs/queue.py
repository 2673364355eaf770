"""The Redis queue (RQ) side of jobs: put a call on the queue from any web server (the workers that run it are
in worker.py)."""

from __future__ import annotations

import secrets

from flask import Flask

QUEUE_NAME = "eventapp"
# Long enough for a 10,000-badge batch on a slow machine; RQ kills a job that runs longer.
JOB_TIMEOUT_SECONDS = 3600
PERFORM = "eventapp.jobs.worker.perform"  # what a worker runs for a recorded job (by name: RQ imports it)


def queue(app: Flask):
    """The app's RQ queue, on one Redis connection per app."""
    # Imported here, not at the top: rq and redis are needed only with REDIS_URL, and rq is a heavy import.
    from redis import Redis
    from rq import Queue

    connection = app.extensions.get("eventapp_redis")
    if connection is None:
        connection = app.extensions.setdefault("eventapp_redis", Redis.from_url(app.config["REDIS_URL"]))
    return Queue(QUEUE_NAME, connection=connection)


def enqueue_job(app: Flask, job_id: str) -> None:
    """Queue a recorded job (the `job` table's row) for the workers. A retried job is a new RQ job."""
    queue(app).enqueue(PERFORM, job_id, job_id=f"eventapp-{job_id}-{secrets.token_hex(4)}",
                       job_timeout=JOB_TIMEOUT_SECONDS, failure_ttl=86400)


def enqueue_call(app: Flask, function: str, *args, unique_id: str | None = None) -> None:
    """Queue a plain function for the workers. With `unique_id`, a call already waiting is not queued again."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job as RQJob
    from rq.job import JobStatus as RQStatus

    the_queue = queue(app)
    if unique_id is not None:
        try:
            if RQJob.fetch(unique_id, connection=the_queue.connection).get_status() == RQStatus.QUEUED:
                return
        except NoSuchJobError:
            pass
    the_queue.enqueue(function, *args, job_id=unique_id, job_timeout=JOB_TIMEOUT_SECONDS, result_ttl=60,
                      failure_ttl=86400)
