"""The organiser's attendee import: upload a file, see row by row what it would do, confirm to run it as a job."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth.roles import requires_role
from ..events import service as events
from ..models import StaffRole
from ..request_limits import body_limit
from ..url_numbers import int_arg
from . import importing
from .import_file import HEADERS, LABELS, ImportFileError, read_attendee_file
from .import_forms import ConfirmImportForm, UploadForm
from .import_plan import ACTION_LABELS

bp = Blueprint("imports", __name__, url_prefix="/organiser/events/<slug>/import")

MAX_UPLOAD_BYTES = 16 * 1024 * 1024
ROWS_PER_PAGE = 200


@bp.route("", methods=["GET", "POST"])
@body_limit(MAX_UPLOAD_BYTES)
@requires_role(StaffRole.ADMIN)
def upload(slug: str):
    event = events.get_event_or_404(slug)
    form = UploadForm()
    status = 200
    if form.is_submitted():
        status = 400
        if form.validate():
            data = form.file.data.read()
            try:
                read_attendee_file(form.file.data.filename or "", data)  # a file it cannot read is refused now
            except ImportFileError as error:
                form.file.errors = [*form.file.errors, error.message]
            else:
                token = importing.keep_upload(event, current_user, form.file.data.filename or "", data)
                return redirect(url_for("imports.preview", slug=slug, token=token), 303)
    return render_template("registration/import.html", event=event, form=form, headers=HEADERS,
                           labels=LABELS), status


@bp.route("/<token>", methods=["GET", "POST"])
@requires_role(StaffRole.ADMIN)
def preview(slug: str, token: str):
    event = events.get_event_or_404(slug)
    form = ConfirmImportForm()
    status = 200
    try:
        upload = importing.find_upload(event, current_user, token)
    except importing.UploadGone as error:
        upload_form = UploadForm()
        upload_form.file.errors = [error.message]
        return render_template("registration/import.html", event=event, form=upload_form, headers=HEADERS,
                               labels=LABELS), 404
    if form.is_submitted():
        status = 400
        if form.validate():
            try:
                job = importing.start_import(event, upload, form.digest.data or "", bool(form.mail.data),
                                             current_user)
            except importing.PlanChanged as error:
                form.form_errors.append(error.message)
                status = 409
            else:
                return redirect(url_for("jobs.status", job_id=job.id), 303)
    attendees, plan = importing.preview(event, upload)
    form.digest.data = plan.digest
    show = request.args.get("show", "")
    rows = [row for row in plan.rows if not show or row.action == show]
    page = max(1, int_arg("page", 1))
    return render_template(
        "registration/import_preview.html", event=event, form=form, plan=plan, upload=upload, labels=LABELS,
        columns=attendees.columns, action_labels=ACTION_LABELS, show=show, page=page,
        rows=rows[(page - 1) * ROWS_PER_PAGE:page * ROWS_PER_PAGE], pages=max(1, -(-len(rows) // ROWS_PER_PAGE)),
    ), status
