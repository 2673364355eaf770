"""Submit, run, follow and retry background jobs.

A job's state, progress and finished file live in the `job` table, so any web server can answer a poll
or hand out the file. Where it runs is a setting: without REDIS_URL a thread of the web process runs it
(`make run` needs nothing else); with REDIS_URL it goes on an RQ queue for `flask --app wsgi worker`
processes on any machine. Both call the same `run_job()`.

A handler is registered per kind: `handler(job, progress) -> JobResult`; `progress(done, total, message)`
may be called as often as convenient (writes are throttled). The result is stored in the same
transaction that marks the job done, so a failed or interrupted job never presents a half-written file.

Each job waiting or running holds a place: one person may hold JOBS_MAX_ACTIVE_PER_USER of them, everyone
together JOBS_MAX_ACTIVE. The places are counted and taken under one lock, so a burst of requests cannot
overrun them; a job asked for beyond them is refused (JobLimitReached) and never recorded.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Flask, current_app
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..auth.roles import may_work_on_event
from ..extensions import db
from ..locking import hold_lock
from ..models import Event, Job, JobStatus, StaffRole, StaffUser, utcnow
from .queue import enqueue_job

log = logging.getLogger(__name__)

PROGRESS_WRITE_INTERVAL = 0.5  # seconds between progress writes
ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)


@dataclass(frozen=True)
class JobResult:
    filename: str
    mimetype: str
    data: bytes


Progress = Callable[[int, int, str | None], None]
Handler = Callable[[Job, Progress], JobResult]


@dataclass(frozen=True)
class JobKind:
    handler: Handler
    roles: tuple[StaffRole, ...]  # who may start it, follow it and download its result
    label: str


JOB_KINDS: dict[str, JobKind] = {}


class JobError(Exception):
    """A job cannot be done as asked; the message is shown to the person who started it."""


class JobLimitReached(JobError):
    """No place for another job now: the person, or everyone together, has the most jobs waiting or running."""


def register_kind(kind: str, handler: Handler, roles: tuple[StaffRole, ...], label: str) -> None:
    JOB_KINDS[kind] = JobKind(handler=handler, roles=roles, label=label)


def may_use(user: StaffUser, job: Job) -> bool:
    """The job's roles, and its event among those the person may work on (as for the event's own pages)."""
    kind = JOB_KINDS.get(job.kind)
    if kind is None or not user.has_role(*kind.roles):
        return False
    event = db.session.get(Event, job.event_id) if job.event_id is not None else None
    return event is None or may_work_on_event(user, event.slug)


def submit(kind: str, params: dict[str, Any], event: Event | None = None, by: StaffUser | None = None,
           app: Flask | None = None) -> Job:
    """Record a queued job, commit, and hand it to the queue (or a thread). Returns at once.
    Raises JobLimitReached, recording nothing, when there is no place for it (see the module's notes)."""
    if kind not in JOB_KINDS:
        raise JobError(f"Unknown kind of job: {kind}")
    job = Job(
        id=str(uuid.uuid4()), kind=kind, event_id=event.id if event else None, params_json=json.dumps(params),
        status=JobStatus.QUEUED, created_by_id=by.id if by else None, message="Waiting to start…",
    )
    with _place_for_a_job(by.id if by else None):
        job.heartbeat_at = utcnow()
        db.session.add(job)
    dispatch(job.id, app)
    return job


@contextmanager
def _place_for_a_job(person_id: int | None) -> Iterator[None]:
    """Run the block (which makes a job waiting) and commit, if a place is free; else raise JobLimitReached.
    Counting and taking the place are one transaction under the jobs' lock."""
    mark_lost_jobs()  # a job whose runner died holds no place
    config = current_app.config
    try:
        hold_lock(db.session, ("jobs",), Job.__table__)
        if person_id is not None:
            mine = _active_count(Job.created_by_id == person_id)
            if mine >= config["JOBS_MAX_ACTIVE_PER_USER"]:
                raise JobLimitReached(
                    f"You already have {_jobs(mine)} waiting or running, the most one person may have at a "
                    "time. This one was not started: start it again once one of them has finished.")
        if _active_count() >= config["JOBS_MAX_ACTIVE"]:
            raise JobLimitReached(
                "The server is already busy with as many jobs as it takes at a time. This one was not "
                "started: please try again in a few minutes.")
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def _active_count(*where) -> int:
    return db.session.execute(select(func.count()).select_from(Job).where(Job.status.in_(ACTIVE), *where)
                              ).scalar_one()


def _jobs(count: int) -> str:
    return "1 job" if count == 1 else f"{count} jobs"


def active_jobs(person: StaffUser) -> list[Job]:
    """The jobs this person started that are waiting or running, oldest first."""
    return list(db.session.execute(
        select(Job).where(Job.created_by_id == person.id, Job.status.in_(ACTIVE)).order_by(Job.created_at)
    ).scalars())


def dispatch(job_id: str, app: Flask | None = None) -> None:
    app = app or current_app._get_current_object()
    if app.config.get("REDIS_URL"):
        enqueue_job(app, job_id)
        return
    if app.config.get("JOBS_INLINE"):  # tests that want the result before the request returns
        run_job(job_id, app)
        return
    thread = threading.Thread(target=run_job, args=(job_id, app), name=f"job-{job_id[:8]}", daemon=True)
    with _THREADS_LOCK:
        threads = app.extensions.setdefault("eventapp_job_threads", [])
        threads[:] = [t for t in threads if t.is_alive()]
        threads.append(thread)
    thread.start()


_THREADS_LOCK = threading.Lock()


def wait_for_job_threads(app: Flask, timeout: float = 60) -> bool:
    """Wait until the jobs this process started in threads for `app` have finished (tests, before they empty
    the database under them; a server shutting down). Returns whether they all have."""
    deadline = time.monotonic() + timeout
    with _THREADS_LOCK:
        threads = list(app.extensions.get("eventapp_job_threads", ()))
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    return not any(thread.is_alive() for thread in threads)


def get_job(job_id: str) -> Job | None:
    try:
        uuid.UUID(job_id)
    except ValueError:
        return None
    return db.session.get(Job, job_id)


def run_job(job_id: str, app: Flask | None = None) -> None:
    """Run one job to the end: DONE with its file, or FAILED with a reason. Safe to call twice: one runs."""
    app = app or current_app._get_current_object()
    with app.app_context():
        engine = db.engine
        with Session(engine) as session:
            claimed = session.execute(
                update(Job)
                .where(Job.id == job_id, Job.status == JobStatus.QUEUED)
                .values(status=JobStatus.RUNNING, started_at=utcnow(), heartbeat_at=utcnow(), finished_at=None,
                        error=None, message="Starting…", done=0)
            ).rowcount
            session.commit()
        if not claimed:
            return
        progress = _progress_writer(engine, job_id)
        stop_beating = _heartbeat(engine, job_id, app.config["JOB_HEARTBEAT_SECONDS"])
        try:
            job = db.session.get(Job, job_id)
            result = JOB_KINDS[job.kind].handler(job, progress)
        except Exception as error:  # any failure is the job's failure, shown to the person, never a lost job
            db.session.rollback()
            log.exception("Job %s failed", job_id)
            reason = error.args[0] if isinstance(error, JobError) and error.args else (
                f"{type(error).__name__}: {error}"[:500])
            _finish(engine, job_id, JobStatus.FAILED, error=reason, message="Failed")
            return
        finally:
            stop_beating()
            db.session.remove()
        _finish(engine, job_id, JobStatus.DONE, result=result, message="Done")


def _heartbeat(engine, job_id: str, interval: float) -> Callable[[], None]:
    """Touch the job's heartbeat every `interval` seconds while it runs, however long a step takes; a job
    whose heartbeat stops (its process was killed) is then found by mark_lost_jobs()."""
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(interval):
            try:
                with Session(engine) as session:
                    session.execute(update(Job).where(Job.id == job_id, Job.status == JobStatus.RUNNING)
                                    .values(heartbeat_at=utcnow()))
                    session.commit()
            except Exception:  # a missed beat is harmless; the next one tries again
                log.warning("Job %s: heartbeat failed", job_id, exc_info=True)

    thread = threading.Thread(target=beat, name=f"job-heartbeat-{job_id[:8]}", daemon=True)
    thread.start()

    def stop_beating() -> None:
        stop.set()
        thread.join(timeout=interval + 5)

    return stop_beating


def _progress_writer(engine, job_id: str) -> Progress:
    last = [0.0]

    def progress(done: int, total: int, message: str | None = None) -> None:
        now = time.monotonic()
        if now - last[0] < PROGRESS_WRITE_INTERVAL and done < total:
            return
        last[0] = now
        with Session(engine) as session:
            session.execute(
                update(Job).where(Job.id == job_id, Job.status == JobStatus.RUNNING)
                .values(done=done, total=total, message=(message or "")[:300] or None, heartbeat_at=utcnow())
            )
            session.commit()

    return progress


def _finish(engine, job_id: str, status: JobStatus, result: JobResult | None = None, error: str | None = None,
            message: str | None = None) -> None:
    values: dict[str, Any] = {"status": status, "finished_at": utcnow(), "error": error, "message": message}
    if result is not None:
        values.update(result_filename=result.filename, result_mimetype=result.mimetype, result_data=result.data)
    with Session(engine) as session:
        session.execute(update(Job).where(Job.id == job_id, Job.status == JobStatus.RUNNING).values(**values))
        session.commit()


def mark_lost_jobs(now=None) -> int:
    """Running jobs whose runner stopped beating (a killed worker) are marked failed, never left silent; so are,
    without Redis, jobs still waiting long after they were queued (the web process that was to start their
    thread is gone). On RQ a job may wait its turn in the queue for as long as it takes."""
    now = now or utcnow()
    # A running job whose heartbeat (its last progress write) is older than this is taken as lost.
    stale = now - timedelta(seconds=current_app.config["JOB_STALE_SECONDS"])
    lost = db.session.execute(
        update(Job)
        .where(Job.status == JobStatus.RUNNING, Job.heartbeat_at < stale)
        .values(status=JobStatus.FAILED, finished_at=now, message="Failed",
                error="The worker running this job stopped before it finished. Retry it.")
    ).rowcount
    if not current_app.config.get("REDIS_URL"):
        lost += db.session.execute(
            update(Job)
            .where(Job.status == JobStatus.QUEUED, func.coalesce(Job.heartbeat_at, Job.created_at) < stale)
            .values(status=JobStatus.FAILED, finished_at=now, message="Failed",
                    error="The server restarted before this job started. Retry it.")
        ).rowcount
    db.session.commit()
    return lost


def retry(job: Job, by: StaffUser | None = None, app: Flask | None = None) -> Job:
    """Queue a failed job again. It takes a place like a new one, and is then the job of the person retrying it."""
    if job.status != JobStatus.FAILED:
        raise JobError("Only a failed job can be retried.")
    with _place_for_a_job(by.id if by else None):
        changed = db.session.execute(
            update(Job).where(Job.id == job.id, Job.status == JobStatus.FAILED)
            .values(status=JobStatus.QUEUED, error=None, message="Waiting to start…", done=0, heartbeat_at=utcnow(),
                    created_by_id=by.id if by else Job.created_by_id)
        ).rowcount
    db.session.refresh(job)
    if changed:  # else someone else retried it at the same moment: it is queued once
        dispatch(job.id, app)
    return job


def recent_jobs(event: Event, kind: str, limit: int = 10) -> list[Job]:
    return list(db.session.execute(
        select(Job).where(Job.event_id == event.id, Job.kind == kind).order_by(Job.created_at.desc()).limit(limit)
    ).scalars())


def params(job: Job) -> dict[str, Any]:
    return json.loads(job.params_json or "{}")
