"""Badge pages: the organiser's batch printing, re-issuing one badge, and the attendee's own badge."""

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
from .forms import BadgeBatchForm, ReissueForm

bp = Blueprint("badges", __name__)


@bp.route("/organiser/events/<slug>/badges", methods=["GET", "POST"])
@requires_role(StaffRole.ADMIN)
def batch(slug: str):
    event = events.get_event_or_404(slug)
    form = BadgeBatchForm(event.themed_sessions)
    status = 200
    if form.validate_on_submit():
        request = service.BatchRequest(
            event_id=event.id, layout=form.layout.data, order=form.order.data,
            only_new_or_changed=form.only_new_or_changed.data, themed_session_id=form.themed_session_id(),
        )
        if service.count_for_batch(request) == 0:
            form.form_errors.append("There are no badges to print for this choice." + (
                " Every badge has already been printed since its last change."
                if request.only_new_or_changed else ""))
            status = 400
        else:
            job = jobs.submit("badges", request.__dict__, event=event, by=current_user)
            return redirect(url_for("jobs.status", job_id=job.id), 303)
    elif form.is_submitted():
        status = 400
    everyone = service.BatchRequest(event_id=event.id)
    return render_template(
        "badges/organiser.html", event=event, form=form,
        confirmed=service.count_for_batch(everyone),
        unprinted=service.count_for_batch(service.BatchRequest(event_id=event.id, only_new_or_changed=True)),
        recent=jobs.recent_jobs(event, "badges"),
    ), status


@bp.route("/organiser/events/<slug>/registrations/<int:registration_id>/reissue-badge", methods=["POST"])
@requires_role(StaffRole.ADMIN)
def reissue(slug: str, registration_id: int):
    event = events.get_event_or_404(slug)
    registration = registrations.get_registration(event, registration_id)
    if registration is None:
        abort(404)
    if ReissueForm().validate_on_submit():
        try:
            service.reissue_badge(registration)
        except service.BadgeError as error:
            flash(str(error), "error")
        else:
            flash("A new badge code is issued: the old badge now scans as \"badge replaced\". Print the new one.",
                  "info")
    return redirect(url_for("registration.edit_registration", slug=slug, registration_id=registration_id), 303)


@bp.route("/manage/<secret>/badge.pdf")
@public
@manage_limit
def attendee_badge(secret: str):
    registration = registrations.find_by_manage_secret(secret)
    if registration is None:
        abort(404)
    if not service.attendee_may_download(registration):
        flash("Your badge will be here once your place is confirmed and sessions are assigned.", "info")
        return redirect(url_for("registration.manage", secret=secret), 303)
    return file_response(service.attendee_badge_pdf(registration), "application/pdf",
                         service.badge_filename(registration), private=True)
