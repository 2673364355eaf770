"""The organiser's assignment pages: the current assignment, a preview to apply, moves, latecomers, publish."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth.roles import requires_role
from ..events import service as events
from ..mail.after_request import deliver_after_changes
from ..models import RegistrationStatus, StaffRole
from . import service
from .forms import ActionForm, ApplyForm, MoveForm, PublishForm

bp = Blueprint("assignment", __name__, url_prefix="/organiser/events/<slug>/assignment")

# How each refusal answers over HTTP; anything else a rule refuses is a conflict with the current state.
STATUS = {service.UnknownRegistration: 404, service.InvalidSession: 400}


def _status(error: service.AssignmentError) -> int:
    return next((code for cls, code in STATUS.items() if isinstance(error, cls)), 409)


deliver_after_changes(bp)


def _index(event, error: str | None = None, status: int = 200):
    return render_template(
        "assignment/index.html",
        event=event,
        overview=service.overview(event),
        action_form=ActionForm(),
        error=error,
    ), status


@bp.route("")
@requires_role(StaffRole.ADMIN)
def index(slug: str):
    return _index(events.get_event_or_404(slug))


@bp.route("/preview")
@requires_role(StaffRole.ADMIN)
def preview(slug: str):
    event = events.get_event_or_404(slug)
    try:
        plan = service.preview(event)
    except service.AssignmentError as error:
        return _index(event, error.message, _status(error))
    form = ApplyForm(formdata=None, fingerprint=plan.fingerprint)
    return render_template("assignment/preview.html", event=event, plan=plan, form=form)


@bp.route("/apply", methods=["POST"])
@requires_role(StaffRole.ADMIN)
def apply(slug: str):
    event = events.get_event_or_404(slug)
    form = ApplyForm()
    if not form.validate():
        return _index(event, "Make a preview first, then apply it from the preview page.", 400)
    try:
        applied = service.apply(event, by=current_user, fingerprint=form.fingerprint.data)
    except service.AssignmentError as error:
        return _index(event, error.message, _status(error))
    flash(
        f"Assignment applied: {applied.changes} attendee{'s' if applied.changes != 1 else ''} got a new or "
        "different session; pinned attendees stayed where they were.",
        "info",
    )
    return redirect(url_for("assignment.index", slug=slug), 303)


def _confirm_publish(event, overview, form: PublishForm, changed: bool = False):
    """The step before publishing: how many people it will mail, and a button that confirms that number."""
    form.expected.data = str(overview.to_mail)
    return render_template(
        "assignment/publish.html", event=event, overview=overview, form=form, changed=changed
    ), 409 if changed else 200


@bp.route("/publish", methods=["GET", "POST"])
@requires_role(StaffRole.ADMIN)
def publish(slug: str):
    event = events.get_event_or_404(slug)
    overview = service.overview(event)
    if not overview.has_assignments:
        return _index(event, "Nobody has a session yet: run the assignment first.", 409)
    form = PublishForm()
    if request.method == "GET":
        return _confirm_publish(event, overview, form)
    if not form.validate():
        if "csrf_token" in form.errors:
            abort(400)
        return _confirm_publish(event, overview, PublishForm(formdata=None))
    if int(form.expected.data) != overview.to_mail:
        # Someone changed the assignment since the organiser read the number: ask again with the new one.
        return _confirm_publish(event, overview, PublishForm(formdata=None), changed=True)
    try:
        published = service.publish(event, by=current_user)
    except service.AssignmentError as error:
        return _index(event, error.message, _status(error))
    if published.mailed:
        who = "everyone with a session" if published.first else "those whose sessions changed"
        message = f"Published. {published.mailed} e-mail{'s' if published.mailed != 1 else ''} queued to {who}."
    else:
        message = "Published. Nobody's sessions changed since the last publish, so no e-mail was sent."
    if published.unseated:
        message += f" {published.unseated} confirmed attendee(s) have no session and were not e-mailed."
    flash(message, "info")
    return redirect(url_for("assignment.index", slug=slug), 303)


@bp.route("/place-all", methods=["POST"])
@requires_role(StaffRole.ADMIN)
def place_all(slug: str):
    event = events.get_event_or_404(slug)
    if not ActionForm().validate():
        abort(400)
    try:
        outcome = service.place_all_late(event, by=current_user)
    except service.AssignmentError as error:
        return _index(event, error.message, _status(error))
    message = f"{len(outcome.placed)} newcomer(s) placed in the best open seats; nobody else was moved."
    if outcome.left:
        message += f" No open seat left for: {', '.join(outcome.left)}."
    flash(message, "info" if not outcome.left else "error")
    return redirect(url_for("assignment.index", slug=slug), 303)


def _person_or_404(event, registration_id: int):
    registration = service.get_person(event, registration_id)
    if registration is None:
        abort(404)
    return registration


@bp.route("/people/<int:registration_id>", methods=["GET", "POST"])
@requires_role(StaffRole.ADMIN)
def person(slug: str, registration_id: int):
    event = events.get_event_or_404(slug)
    registration = _person_or_404(event, registration_id)
    form = MoveForm(event)
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                moved = service.move(
                    event,
                    registration.id,
                    form.themed_session_id.session_id,
                    by=current_user,
                    allow_over_capacity=form.over_capacity.data,
                )
            except service.AssignmentError as error:
                target = form[error.field] if error.field in form else None
                if target is not None:
                    target.errors = [*target.errors, error.message]
                else:
                    form.form_errors.append(error.message)
                status = _status(error)
            else:
                where = f"{moved.registration.full_name} is now in “{moved.themed_session.title}”"
                over = " (over its capacity, as you chose)" if moved.over_capacity else ""
                flash(f"{where}{over}, pinned: a re-run keeps them there.", "info")
                return redirect(url_for("assignment.index", slug=slug), 303)
        else:
            status = 400
    return render_template(
        "assignment/person.html",
        event=event,
        registration=registration,
        confirmed=registration.status == RegistrationStatus.CONFIRMED,
        seats=service.person_seats(registration),
        form=form,
        action_form=ActionForm(),
    ), status


@bp.route("/people/<int:registration_id>/place", methods=["POST"])
@requires_role(StaffRole.ADMIN)
def place(slug: str, registration_id: int):
    event = events.get_event_or_404(slug)
    if not ActionForm().validate():
        abort(400)
    try:
        placed = service.place_late(event, registration_id, by=current_user)
    except service.AssignmentError as error:
        return _index(event, error.message, _status(error))
    titles = ", ".join(f"“{s.title}”" for s in placed.sessions)
    flash(f"{placed.full_name} is placed in {titles}; nobody else was moved.", "info")
    return redirect(url_for("assignment.index", slug=slug), 303)


@bp.route("/people/<int:registration_id>/unpin", methods=["POST"])
@requires_role(StaffRole.ADMIN)
def unpin(slug: str, registration_id: int):
    event = events.get_event_or_404(slug)
    if not ActionForm().validate():
        abort(400)
    try:
        lifted = service.unpin(event, registration_id)
    except service.AssignmentError as error:
        return _index(event, error.message, _status(error))
    flash("Unpinned: the next run may move them." if lifted else "They were not pinned.", "info")
    return redirect(url_for("assignment.person", slug=slug, registration_id=registration_id), 303)
