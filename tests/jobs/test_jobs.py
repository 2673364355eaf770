import threading
import time
from datetime import timedelta

import pytest

from eventapp.jobs import service
from eventapp.models import Job, JobStatus, StaffRole, utcnow

from ..conftest import log_in


@pytest.fixture
def kinds():
    calls = []

    def counting(job, progress):
        total = service.params(job)["n"]
        for i in range(total):
            progress(i + 1, total, f"Item {i + 1}")
        calls.append(job.id)
        return service.JobResult("items.txt", "text/plain", ("x" * total).encode())

    def failing(job, progress):
        progress(1, 3, "one")
        raise service.JobError("The printer is on fire.")

    service.register_kind("test-count", counting, (StaffRole.ADMIN,), "Counting")
    service.register_kind("test-fail", failing, (StaffRole.ADMIN,), "Failing")
    yield calls
    service.JOB_KINDS.pop("test-count")
    service.JOB_KINDS.pop("test-fail")


def wait_for(job_id, db, statuses=(JobStatus.DONE, JobStatus.FAILED), timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.expire_all()
        job = db.session.get(Job, job_id)
        if job.status in statuses:
            return job
        time.sleep(0.05)
    raise AssertionError(f"job still {job.status}")


def test_a_job_runs_in_a_thread_and_its_file_is_kept(app, db, kinds, demo_event):
    job = service.submit("test-count", {"n": 5}, event=demo_event)
    job = wait_for(job.id, db)
    assert job.status == JobStatus.DONE and job.done == 5 and job.total == 5
    assert job.result_data == b"xxxxx" and job.result_filename == "items.txt"


def test_waiting_for_job_threads_returns_once_the_jobs_have_finished(app, db, demo_event):
    release = threading.Event()

    def slow(job, progress):
        release.wait(5)
        return service.JobResult("slow.txt", "text/plain", b"done")

    service.register_kind("test-slow", slow, (StaffRole.ADMIN,), "Slow")
    try:
        job_id = service.submit("test-slow", {}, event=demo_event).id
        threading.Timer(0.3, release.set).start()
        assert service.wait_for_job_threads(app, timeout=10)
        db.session.expire_all()
        assert db.session.get(Job, job_id).status == JobStatus.DONE
    finally:
        service.JOB_KINDS.pop("test-slow")


def test_a_failed_job_says_why_keeps_no_file_and_can_be_retried(app, db, kinds, staff):
    client = app.test_client()
    log_in(client, staff("admin"))
    job = wait_for(service.submit("test-fail", {}).id, db)
    assert job.status == JobStatus.FAILED and job.result_data is None
    state = client.get(f"/organiser/jobs/{job.id}.json").get_json()
    assert state["status"] == "failed" and state["error"] == "The printer is on fire." and state["download"] is None
    assert client.get(f"/organiser/jobs/{job.id}/download").status_code == 404
    page = client.get(f"/organiser/jobs/{job.id}").get_data(as_text=True)
    assert "The printer is on fire." in page and "Try again" in page
    response = client.post(f"/organiser/jobs/{job.id}/retry")
    assert response.status_code == 303
    assert wait_for(job.id, db).status == JobStatus.FAILED


def test_a_job_runs_once_even_if_two_runners_start_it(app, db, kinds):
    job = Job(id="11111111-1111-4111-8111-111111111111", kind="test-count", params_json='{"n": 3}',
              status=JobStatus.QUEUED)
    db.session.add(job)
    db.session.commit()
    threads = [threading.Thread(target=service.run_job, args=(job.id, app)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert kinds == [job.id]


def test_progress_page_and_download(app, db, kinds, staff):
    client = app.test_client()
    log_in(client, staff("admin"))
    job = wait_for(service.submit("test-count", {"n": 3}).id, db)
    state = client.get(f"/organiser/jobs/{job.id}.json").get_json()
    assert state == {"id": job.id, "status": "done", "done": 3, "total": 3, "percent": 100, "message": "Done",
                     "error": None, "download": f"/organiser/jobs/{job.id}/download"}
    download = client.get(state["download"])
    assert download.data == b"xxx" and 'filename="items.txt"' in download.headers["Content-Disposition"]


def test_a_job_whose_worker_died_is_marked_failed(app, db, kinds, staff):
    job = Job(id="22222222-2222-4222-8222-222222222222", kind="test-count", params_json="{}",
              status=JobStatus.RUNNING, heartbeat_at=utcnow() - timedelta(minutes=30))
    db.session.add(job)
    db.session.commit()
    client = app.test_client()
    log_in(client, staff("admin"))
    state = client.get(f"/organiser/jobs/{job.id}.json").get_json()
    assert state["status"] == "failed" and "stopped before it finished" in state["error"]


def test_jobs_are_private_to_their_roles(app, db, kinds, staff, demo_event):
    job = wait_for(service.submit("test-count", {"n": 1}).id, db)
    editor = staff("report_editor", organisation=demo_event.themed_sessions[0].lead_organisation)
    client = app.test_client()
    log_in(client, editor)
    assert client.get(f"/organiser/jobs/{job.id}").status_code == 404
    assert client.get(f"/organiser/jobs/{job.id}/download").status_code == 404
    assert client.get("/organiser/jobs/not-a-uuid").status_code == 404


def test_a_staff_member_kept_to_other_events_cannot_follow_this_events_jobs(app, db, staff, demo_event):
    from .. import factories

    service.register_kind("test-editors", lambda job, progress: service.JobResult("a.txt", "text/plain", b"a"),
                          (StaffRole.ADMIN, StaffRole.REPORT_EDITOR), "For editors")
    try:
        job = wait_for(service.submit("test-editors", {}, event=demo_event).id, db)
        lead = demo_event.themed_sessions[0].lead_organisation
        elsewhere, here = staff("report_editor", organisation=lead), staff("report_editor", organisation=lead)
        elsewhere.events = [factories.event()]
        here.events = [demo_event]
        db.session.commit()
        for person, expected in ((elsewhere, 404), (here, 200)):
            client = app.test_client()
            log_in(client, person)
            assert client.get(f"/organiser/jobs/{job.id}").status_code == expected
            assert client.get(f"/organiser/jobs/{job.id}/download").status_code == expected
    finally:
        service.JOB_KINDS.pop("test-editors")
