"""Certificate pages: the organiser's batch and revocation, the attendee's own PDF, and the public check."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from ..auth.roles import public, requires_role
from ..downloads import file_response
from ..events import service as events
from ..jobs import service as jobs
from ..models import StaffRole
from ..registration import service as registrations
from ..registration.views import manage_limit
from . import service
from .forms import BatchForm, RevokeForm

bp = Blueprint("certificates", __name__)


@bp.route("/organiser/events/<slug>/certificates", methods=["GET", "POST"])
@requires_role(StaffRole.ADMIN)
def organiser(slug: str):
    event = events.get_event_or_404(slug)
    form = BatchForm()
    revoke_form = RevokeForm(prefix="revoke")
    status = 200
    if form.validate_on_submit():
        if service.count_for_batch(event) == 0:
            form.form_errors.append("No one has checked in at this event, so there are no certificates to make.")
            status = 400
        else:
            job = jobs.submit(service.JOB_KIND, {}, event=event, by=current_user)
            return redirect(url_for("jobs.status", job_id=job.id), 303)
    return render_template("certificates/organiser.html", event=event, form=form, revoke_form=revoke_form,
                           checked_in=service.count_for_batch(event),
                           recent=jobs.recent_jobs(event, service.JOB_KIND)), status


@bp.route("/organiser/events/<slug>/certificates/revoke", methods=["POST"])
@requires_role(StaffRole.ADMIN)
def revoke(slug: str):
    event = events.get_event_or_404(slug)
    form = RevokeForm(prefix="revoke")
    if form.validate_on_submit():
        try:
            service.revoke(event, form.registration_id.data, form.reason.data or "")
        except service.CertificateError as error:
            form.registration_id.errors = [*form.registration_id.errors, str(error)]
        else:
            flash(f"The certificate of registration no. {form.registration_id.data} is revoked: its code now says "
                  "so.", "ok")
            return redirect(url_for("certificates.organiser", slug=slug), 303)
    return render_template("certificates/organiser.html", event=event, form=BatchForm(), revoke_form=form,
                           checked_in=service.count_for_batch(event),
                           recent=jobs.recent_jobs(event, service.JOB_KIND)), 400


@bp.route("/manage/<secret>/certificate.pdf")
@public
@manage_limit
def attendee_certificate(secret: str):
    registration = registrations.find_by_manage_secret(secret)
    if registration is None:
        abort(404)
    data = service.attendee_certificate_pdf(registration)
    if data is None:
        flash("A certificate of attendance is given to the people who checked in at the event.", "info")
        return redirect(url_for("registration.manage", secret=secret), 303)
    return file_response(data, "application/pdf", service.filename(registration.event, registration), private=True)


@bp.route("/certificates/<code>")
@public
@manage_limit
def verify(code: str):
    result = service.verify(code)
    status = {"valid": 200, "revoked": 410, "unknown": 404}[result.status]
    return render_template("certificates/verify.html", result=result), status
