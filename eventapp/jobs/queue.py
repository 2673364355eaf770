"""The Redis queue (RQ) side of jobs: enqueue from any web server, run in `flask --app wsgi worker`."""

from __future__ import annotations

from flask import Flask

QUEUE_NAME = "eventapp"
# Long enough for a 10,000-badge batch on a slow machine; RQ kills a job that runs longer.
JOB_TIMEOUT_SECONDS = 3600


def _queue(app: Flask):
    from redis import Redis
    from rq import Queue

    connection = app.extensions.get("eventapp_redis")
    if connection is None:
        connection = app.extensions.setdefault("eventapp_redis", Redis.from_url(app.config["REDIS_URL"]))
    return Queue(QUEUE_NAME, connection=connection)


def enqueue(app: Flask, job_id: str) -> None:
    _queue(app).enqueue("eventapp.jobs.queue.perform", job_id, job_id=f"eventapp-{job_id}-{_attempt()}",
                        job_timeout=JOB_TIMEOUT_SECONDS, failure_ttl=86400)


def enqueue_call(app: Flask, function: str, *args, unique_id: str | None = None) -> None:
    """Queue a plain function for the workers. With `unique_id`, a call already waiting is not queued again."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job as RQJob
    from rq.job import JobStatus as RQStatus

    queue = _queue(app)
    if unique_id is not None:
        try:
            if RQJob.fetch(unique_id, connection=queue.connection).get_status() == RQStatus.QUEUED:
                return
        except NoSuchJobError:
            pass
    queue.enqueue(function, *args, job_id=unique_id, job_timeout=JOB_TIMEOUT_SECONDS, result_ttl=60,
                  failure_ttl=86400)


def _attempt() -> str:
    import secrets

    return secrets.token_hex(4)  # a retried job is a new RQ job


def perform(job_id: str) -> None:
    """What an RQ worker runs: the same run_job() the thread mode runs, in the worker's own app."""
    from . import worker_app
    from .service import run_job

    run_job(job_id, worker_app())


def run_worker(app: Flask, burst: bool = False) -> None:
    from rq import Worker

    from . import use_worker_app
    from .service import mark_lost_jobs

    use_worker_app(app)  # the work horses RQ forks inherit this app
    with app.app_context():
        mark_lost_jobs()
    queue = _queue(app)
    Worker([queue], connection=queue.connection).work(burst=burst, with_scheduler=False)
