"""Jobs waiting or running at once are capped per person and in total; beyond, a sentence and 429, nothing recorded."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import func, select

from eventapp.jobs import service
from eventapp.models import Job, JobStatus, StaffRole, StaffUser, utcnow

from ..conftest import log_in
from .test_jobs import wait_for


@pytest.fixture
def held():
    """A kind of job that runs until the test lets it finish: its place stays taken meanwhile."""
    release = threading.Event()

    def hold(job, progress):
        progress(0, 1, "Holding")
        release.wait(60)
        return service.JobResult("held.txt", "text/plain", b"held")

    service.register_kind("test-hold", hold, (StaffRole.ADMIN, StaffRole.REPORT_EDITOR), "Holding")
    yield release
    release.set()
    service.JOB_KINDS.pop("test-hold")


def _active(db, person=None) -> int:
    db.session.expire_all()
    query = select(func.count()).select_from(Job).where(Job.status.in_(service.ACTIVE))
    if person is not None:
        query = query.where(Job.created_by_id == person.id)
    return db.session.execute(query).scalar_one()


def _finish_all(db, held, ids):
    held.set()
    for job_id in ids:
        wait_for(job_id, db)


def test_one_person_gets_their_places_and_no_more(make_app, db, held, staff):
    app = make_app(JOBS_MAX_ACTIVE_PER_USER=2, JOBS_MAX_ACTIVE=3)
    with app.app_context():
        alice, bob = staff("admin"), staff("admin")
        ids = [service.submit("test-hold", {}, by=alice).id for _ in range(2)]
        with pytest.raises(service.JobLimitReached, match="You already have 2 jobs waiting or running"):
            service.submit("test-hold", {}, by=alice)
        ids.append(service.submit("test-hold", {}, by=bob).id)  # another person has places of their own...
        with pytest.raises(service.JobLimitReached, match="already busy with as many jobs"):
            service.submit("test-hold", {}, by=bob)  # ...until everyone's together are taken
        assert _active(db) == 3
        _finish_all(db, held, ids)
        service.submit("test-hold", {}, by=alice)  # a finished job gives its place back
        held.set()


def test_a_burst_of_submissions_cannot_overrun_the_limit(make_app, db, held, staff):
    app = make_app(JOBS_MAX_ACTIVE_PER_USER=3, JOBS_MAX_ACTIVE=10)
    burst = 12
    with app.app_context():
        person = staff("admin")
        person_id = person.id
        barrier = threading.Barrier(burst)
        outcomes: list[str] = []

        def start() -> None:
            with app.app_context():
                me = db.session.get(StaffUser, person_id)  # each thread's own session and copy
                barrier.wait()
                try:
                    outcomes.append(service.submit("test-hold", {}, by=me).id)
                except service.JobLimitReached:
                    outcomes.append("refused")

        threads = [threading.Thread(target=start) for _ in range(burst)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        started = [o for o in outcomes if o != "refused"]
        assert len(outcomes) == burst
        assert len(started) == 3 and _active(db, person) == 3
        _finish_all(db, held, started)


def test_the_report_button_beyond_the_limit_answers_a_sentence_and_starts_nothing(make_app, db, demo_event, staff):
    app = make_app(JOBS_MAX_ACTIVE_PER_USER=1)
    with app.app_context():
        from eventapp.demo.service import seed_demo

        event = seed_demo(attendees=3).event
        editor = staff("report_editor", organisation=event.themed_sessions[0].lead_organisation)
        running = Job(id=str(uuid.uuid4()), kind="report", event_id=event.id, status=JobStatus.RUNNING,
                      created_by_id=editor.id, heartbeat_at=utcnow(), done=1, total=4)
        db.session.add(running)
        db.session.commit()
        client = app.test_client()
        log_in(client, editor)
        response = client.post(f"/organiser/events/{event.slug}/report/pdf", data={"start": "1"})
        assert response.status_code == 429 and response.headers["Retry-After"]
        page = response.get_data(as_text=True)
        assert "You already have 1 job waiting or running" in page
        assert f"/organiser/jobs/{running.id}" in page and "Report PDF" in page
        assert _active(db) == 1 and db.session.execute(select(func.count()).select_from(Job)).scalar_one() == 1


def test_a_retry_needs_a_place_too(make_app, db, held, staff):
    app = make_app(JOBS_MAX_ACTIVE_PER_USER=1)
    with app.app_context():
        admin = staff("admin")
        failed = Job(id=str(uuid.uuid4()), kind="test-hold", status=JobStatus.FAILED, created_by_id=admin.id,
                     error="broke")
        db.session.add(failed)
        db.session.commit()
        holding = service.submit("test-hold", {}, by=admin)
        client = app.test_client()
        log_in(client, admin)
        response = client.post(f"/organiser/jobs/{failed.id}/retry")
        assert response.status_code == 429 and "You already have 1 job" in response.get_data(as_text=True)
        db.session.expire_all()
        assert db.session.get(Job, failed.id).status == JobStatus.FAILED
        _finish_all(db, held, [holding.id])
        assert client.post(f"/organiser/jobs/{failed.id}/retry").status_code == 303
        assert wait_for(failed.id, db).status == JobStatus.DONE


def test_jobs_left_waiting_by_a_restarted_server_give_their_places_back(make_app, db, held, staff):
    app = make_app(JOBS_MAX_ACTIVE_PER_USER=1, JOB_STALE_SECONDS=60)
    with app.app_context():
        from datetime import timedelta

        admin = staff("admin")
        lost = Job(id=str(uuid.uuid4()), kind="test-hold", status=JobStatus.QUEUED, created_by_id=admin.id,
                   created_at=utcnow() - timedelta(minutes=5), heartbeat_at=utcnow() - timedelta(minutes=5))
        db.session.add(lost)
        db.session.commit()
        job = service.submit("test-hold", {}, by=admin)
        db.session.expire_all()
        assert db.session.get(Job, lost.id).status == JobStatus.FAILED
        assert "restarted before this job started" in db.session.get(Job, lost.id).error
        _finish_all(db, held, [job.id])
