"""Following a job: a page with a progress bar (polled as JSON), the download, and retry; and the page that says
why a job was not started (no place for it, from any page that starts one)."""

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from ..auth.roles import requires_role
from ..downloads import file_response
from ..models import JobStatus, StaffRole
from . import service

bp = Blueprint("jobs", __name__, url_prefix="/organiser/jobs")

# How long the refusal page suggests waiting (Retry-After), in seconds.
RETRY_AFTER_SECONDS = 60


@bp.app_errorhandler(service.JobLimitReached)
def job_limit_reached(error: service.JobLimitReached):
    mine = service.active_jobs(current_user) if current_user.is_authenticated else []
    labels = {job.id: service.JOB_KINDS[job.kind].label if job.kind in service.JOB_KINDS else job.kind
              for job in mine}
    page = render_template("jobs/refused.html", message=str(error), jobs=mine, labels=labels)
    return page, 429, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def _job_or_404(job_id: str):
    job = service.get_job(job_id)
    # Someone without the job's role sees the same as for a job that does not exist.
    if job is None or not service.may_use(current_user, job):
        abort(404)
    return job


def _state(job) -> dict:
    return {
        "id": job.id,
        "status": job.status.value,
        "done": job.done,
        "total": job.total,
        "percent": round(100 * job.done / job.total) if job.total else (100 if job.status == JobStatus.DONE else 0),
        "message": job.message or "",
        "error": job.error,
        "download": url_for("jobs.download", job_id=job.id) if job.status == JobStatus.DONE else None,
    }


@bp.route("/<job_id>")
@requires_role(StaffRole.ADMIN, StaffRole.REPORT_EDITOR)
def status(job_id: str):
    service.mark_lost_jobs()
    job = _job_or_404(job_id)
    return render_template("jobs/status.html", job=job, state=_state(job), label=service.JOB_KINDS[job.kind].label,
                           retry_form=FlaskForm())


@bp.route("/<job_id>.json")
@requires_role(StaffRole.ADMIN, StaffRole.REPORT_EDITOR)
def status_json(job_id: str):
    service.mark_lost_jobs()
    return jsonify(_state(_job_or_404(job_id)))


@bp.route("/<job_id>/download")
@requires_role(StaffRole.ADMIN, StaffRole.REPORT_EDITOR)
def download(job_id: str):
    job = _job_or_404(job_id)
    if job.status != JobStatus.DONE or job.result_data is None:
        abort(404)
    return file_response(job.result_data, job.result_mimetype or "application/octet-stream", job.result_filename)


@bp.route("/<job_id>/retry", methods=["POST"])
@requires_role(StaffRole.ADMIN, StaffRole.REPORT_EDITOR)
def retry(job_id: str):
    job = _job_or_404(job_id)
    if FlaskForm().validate_on_submit():
        try:
            service.retry(job, by=current_user)
        except service.JobLimitReached:
            raise  # the refusal page, as for a new job
        except service.JobError as error:
            flash(str(error), "error")
    return redirect(url_for("jobs.status", job_id=job.id), 303)
