"""The report's background jobs: the report PDF (admins and report editors) and the door list (admins)."""

from __future__ import annotations

from ..jobs import service as jobs
from ..models import Job, StaffRole
from . import exports, pdf, service

REPORT_KIND = "report"
DOOR_LIST_KIND = "door-list"


def _event(job: Job):
    event = service.event_for_report(job.event_id) if job.event_id else None
    if event is None:
        raise jobs.JobError("The event of this report no longer exists.")
    return service.load_event(event.slug)


def build_report(job: Job, progress: jobs.Progress) -> jobs.JobResult:
    event = _event(job)
    data = pdf.build_report_pdf(event, progress)
    return jobs.JobResult(pdf.report_filename(event), "application/pdf", data)


def build_door_list(job: Job, progress: jobs.Progress) -> jobs.JobResult:
    event = _event(job)
    data = exports.door_list_pdf(event, progress)
    return jobs.JobResult(f"{event.slug}-door-list.pdf", "application/pdf", data)


def register_job_kinds() -> None:
    """The report's kinds of background job (called once by create_app, with every feature's)."""
    jobs.register_kind(REPORT_KIND, build_report, (StaffRole.ADMIN, StaffRole.REPORT_EDITOR), "Report PDF")
    jobs.register_kind(DOOR_LIST_KIND, build_door_list, (StaffRole.ADMIN,), "Door list PDF")

