"""Report pages: the sections (each partner drafts its own), the introduction, the preview, the PDF job,
and the admins' exports."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth.roles import requires_role
from ..downloads import file_response
from ..events import service as events
from ..jobs import service as jobs
from ..models import StaffRole
from . import exports, service
from . import jobs as report_jobs
from .forms import ExportForm, IntroductionForm, StartJobForm

bp = Blueprint("report", __name__, url_prefix="/organiser/events/<slug>")

REPORT_STAFF = (StaffRole.ADMIN, StaffRole.REPORT_EDITOR)


@bp.route("/report")
@requires_role(*REPORT_STAFF)
def index(slug: str):
    event = events.get_event_or_404(slug)
    return render_template(
        "report/index.html", event=event, states=service.section_states(event, current_user),
        job_form=StartJobForm(), jobs=jobs.recent_jobs(event, report_jobs.REPORT_KIND, limit=5),
        introduction_custom=bool((event.report_introduction or "").strip()),
    )


@bp.route("/report/introduction", methods=["GET", "POST"])
@requires_role(StaffRole.ADMIN)
def introduction(slug: str):
    event = events.get_event_or_404(slug)
    form = IntroductionForm()
    if request.method == "GET":
        form.introduction.data = service.introduction_text(event)  # prefilled from the event when empty
    if form.validate_on_submit():
        service.save_introduction(event, form.introduction.data)
        flash("Introduction saved.", "ok")
        return redirect(url_for("report.index", slug=slug), 303)
    return render_template("report/introduction.html", event=event, form=form,
                           custom=bool((event.report_introduction or "").strip()))


@bp.route("/report/preview")
@requires_role(*REPORT_STAFF)
def preview(slug: str):
    event = events.get_event_or_404(slug)
    content = service.report_content(event, viewer=current_user, for_print=False)
    return render_template("report/preview.html", content=content)


@bp.route("/report/pdf", methods=["POST"])
@requires_role(*REPORT_STAFF)
def build_pdf(slug: str):
    event = events.get_event_or_404(slug)
    if not StartJobForm().validate_on_submit():
        flash("Use the button on this page to build the PDF.", "error")
        return redirect(url_for("report.index", slug=slug), 303)
    job = jobs.submit(report_jobs.REPORT_KIND, {}, event=event, by=current_user)
    return redirect(url_for("jobs.status", job_id=job.id), 303)


# --- Exports: admins only (they hold e-mail addresses and dietary and access needs) ---------------------------


@bp.route("/exports")
@requires_role(StaffRole.ADMIN)
def exports_page(slug: str):
    event = events.get_event_or_404(slug)
    form = ExportForm(formdata=request.args if request.args else None)
    if request.args and form.validate():
        statuses = exports.STATUS_FILTERS[form.who.data][1]
        data, mimetype = exports.spreadsheet(*exports.table(exports.export_rows(event, statuses), form.columns.data),
                                             form.file_format.data)
        return file_response(data, mimetype, exports.export_filename(event, form.file_format.data))
    return render_template("report/exports.html", event=event, form=form, job_form=StartJobForm(),
                           jobs=jobs.recent_jobs(event, report_jobs.DOOR_LIST_KIND, limit=5)), \
        400 if request.args else 200


@bp.route("/exports/door-list", methods=["POST"])
@requires_role(StaffRole.ADMIN)
def door_list(slug: str):
    event = events.get_event_or_404(slug)
    if not StartJobForm().validate_on_submit():
        flash("Use the button on this page to build the door list.", "error")
        return redirect(url_for("report.exports_page", slug=slug), 303)
    job = jobs.submit(report_jobs.DOOR_LIST_KIND, {}, event=event, by=current_user)
    return redirect(url_for("jobs.status", job_id=job.id), 303)


# Drafting a section (revisions, conflicts, autosave, preview), on this blueprint.
from . import section_views  # noqa: E402,F401
