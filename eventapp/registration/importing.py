"""Attendee import, start to end: the uploaded file kept on the server under a random token until the organiser
confirms (the plan is made again from it then, never taken from the browser), and the import run as a job."""

from __future__ import annotations

import csv
import io
import json
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from ..extensions import db
from ..models import Event, Job, StaffRole, StaffUser
from ..rules import RuleBroken
from .import_apply import ImportResult, apply_plan
from .import_file import AttendeeFile, read_attendee_file
from .import_plan import Plan, plan_import

JOB_KIND = "attendee_import"
# An upload not confirmed within this time is forgotten.
KEEP_SECONDS = 24 * 3600
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")


class UploadGone(RuleBroken):
    pass


class PlanChanged(RuleBroken):
    """The import would now do something else than the preview the organiser confirmed."""


@dataclass(frozen=True)
class Upload:
    token: str
    filename: str
    data: bytes


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _forget_old(folder: Path) -> None:
    cutoff = time.time() - KEEP_SECONDS
    for path in folder.glob("*"):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def keep_upload(event: Event, by: StaffUser | None, filename: str, data: bytes) -> str:
    """Keep an uploaded file for this event and person; returns the token that names it."""
    folder = _folder()
    _forget_old(folder)
    token = secrets.token_urlsafe(32)
    (folder / f"{token}.data").write_bytes(data)
    (folder / f"{token}.json").write_text(json.dumps(
        {"event": event.id, "by": by.id if by else None, "filename": Path(filename or "upload.csv").name[:200]}))
    return token


def find_upload(event: Event, by: StaffUser | None, token: str) -> Upload:
    """The file kept under `token`, if it was uploaded for this event by this person."""
    gone = UploadGone("That upload is no longer here (an import is kept for a day, and once run). Upload the "
                      "file again.", field="file")
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        raise gone
    folder = _folder()
    try:
        meta = json.loads((folder / f"{token}.json").read_text())
        data = (folder / f"{token}.data").read_bytes()
    except (OSError, ValueError):
        raise gone from None
    if meta.get("event") != event.id or meta.get("by") != (by.id if by else None):
        raise gone
    return Upload(token, meta["filename"], data)


def forget_upload(token: str) -> None:
    if _TOKEN.fullmatch(token or ""):
        for suffix in (".data", ".json"):
            (_folder() / f"{token}{suffix}").unlink(missing_ok=True)


def preview(event: Event, upload: Upload) -> tuple[AttendeeFile, Plan]:
    attendees = read_attendee_file(upload.filename, upload.data)
    return attendees, plan_import(event, attendees)


def start_import(event: Event, upload: Upload, digest: str, mail: bool, by: StaffUser) -> Job:
    """Check that the import would still do what the organiser saw, then start it as a job."""
    from ..jobs.service import submit

    _, plan = preview(event, upload)
    if plan.digest != digest:
        raise PlanChanged("Registrations changed since the preview: check the new preview and confirm again.")
    return submit(JOB_KIND, {"token": upload.token, "digest": digest, "mail": mail, "by": by.id},
                  event=event, by=by)


def import_file(event: Event, filename: str, data: bytes, mail: bool = True, by: StaffUser | None = None,
                progress=None) -> tuple[Plan, ImportResult]:
    """Plan and run an import at once (the command line; the job)."""
    plan = plan_import(event, read_attendee_file(filename, data))
    return plan, apply_plan(event, plan, mail=mail, by=by, progress=progress)


def result_csv(plan: Plan, result: ImportResult) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["line", "name", "email", "outcome"])
    for row in plan.rows:
        # A cell that starts like a formula is quoted, so a spreadsheet shows it instead of running it.
        cells = [row.line, row.name, row.email, result.outcomes.get(row.line, "")]
        writer.writerow(["'" + c if isinstance(c, str) and c[:1] in "=+-@" else c for c in cells])
    return out.getvalue().encode("utf-8-sig")


def run_import_job(job: Job, progress):
    from ..jobs.service import JobError, JobResult, params
    from ..mail.soon import deliver_soon

    settings = params(job)
    event = db.session.get(Event, job.event_id)
    by = db.session.get(StaffUser, settings["by"]) if settings.get("by") else None
    try:
        upload = find_upload(event, by, settings["token"])
    except UploadGone as error:
        raise JobError(error.message) from error
    progress(0, 1, "Reading the file…")
    plan, result = import_file(event, upload.filename, upload.data, mail=settings.get("mail", True), by=by,
                               progress=lambda done, total: progress(done, total, f"{done} of {total} rows"))
    forget_upload(upload.token)
    if settings.get("mail", True):
        deliver_soon()
    progress(len(plan.rows), len(plan.rows), result.summary())
    return JobResult(f"import-{event.slug}.csv", "text/csv", result_csv(plan, result))


def register_job_kinds() -> None:
    """The attendee import's kind of background job (called once by create_app, with every feature's)."""
    from ..jobs.service import register_kind

    register_kind(JOB_KIND, run_import_job, (StaffRole.ADMIN,), "Attendee import")
