"""The organiser's pages for an event itself: create it, its settings, its lifecycle, programme changes to mail,
and a copy for next year. Partners, slots and sessions are in programme_views.py."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth.roles import requires_role
from ..mail.after_request import deliver_after_changes
from ..models import EventState, StaffRole
from . import changes, editing, lifecycle
from . import service as events
from .clone import clone_event
from .forms import CloneForm, ConfirmForm, EventForm, LocalTimes
from .programme import SetupRefused

bp = Blueprint("events", __name__, url_prefix="/organiser/events")


deliver_after_changes(bp)


# What a finished event refuses: checking people in (the page's undo and the API's; a check-in itself refuses in
# the service, from the event it reads anyway, so it is not looked up twice).
CHECK_IN_ENDPOINTS = frozenset({"checkin_api.undo", "checkin.undo"})
SELF_GUARDED_ENDPOINTS = frozenset({"checkin_api.check_in"})


@bp.before_app_request
def _lifecycle_guard():
    """Nothing about an archived event changes, and a finished event's check-in is closed, whichever feature's page
    or API is asked (their pages still read). One small lookup, and only for requests that would change something."""
    slug = (request.view_args or {}).get("slug")
    if request.method in ("GET", "HEAD", "OPTIONS") or not slug or request.endpoint == "events.state":
        return None
    if request.endpoint in SELF_GUARDED_ENDPOINTS:
        return None
    state = events.event_state(slug)
    if state == EventState.ARCHIVED:
        message = events.ARCHIVED_MESSAGE
    elif state == EventState.FINISHED and request.endpoint in CHECK_IN_ENDPOINTS:
        message = events.CHECK_IN_CLOSED_MESSAGE
    else:
        return None
    if request.blueprint == "checkin_api":
        response = jsonify({"error": "event_closed", "message": message})
        response.status_code = 409
        response.headers["Cache-Control"] = "no-store"
        return response
    return render_template("error.html", code=409, message=message), 409


def show_refusal(form, error: SetupRefused) -> None:
    """The rule's sentences next to the field they are about, or above the form."""
    field = form[error.field] if error.field and error.field in form else None
    for problem in error.problems:
        if field is not None:
            field.errors = [*field.errors, problem]
        else:
            form.form_errors.append(problem)


@bp.route("/new", methods=["GET", "POST"])
@requires_role(StaffRole.ADMIN)
def create():
    form = EventForm()
    status = 200
    if request.method == "GET":
        form.timezone.data = "UTC"
    elif form.validate():
        values = form.values()
        try:
            event = editing.create_event(values, by=current_user)
        except SetupRefused as error:
            show_refusal(form, error)
            status = 409
        else:
            flash(f"{event.name} is created as a draft: only staff can see it. Add its partners, slots and sessions, "
                  "then publish it.", "info")
            return redirect(url_for("dashboard.event", slug=event.slug), 303)
    else:
        status = 400
    return render_template("events/settings.html", form=form, event=None), status


@bp.route("/<slug>/settings", methods=["GET", "POST"])
@requires_role(StaffRole.ADMIN)
def settings(slug: str):
    event = events.get_event_or_404(slug)
    form = EventForm()
    status = 200
    if request.method == "GET":
        form.fill_from(event)
    elif form.validate():
        try:
            editing.save_settings(event, form.values(), by=current_user, stop_offers=form.stop_offers.data,
                                  move_programme=form.move_programme.data)
        except SetupRefused as error:
            show_refusal(form, error)
            status = 409
        else:
            flash("The event's settings are saved.", "info")
            return redirect(url_for("events.settings", slug=event.slug), 303)
    else:
        status = 400
    return render_template("events/settings.html", form=form, event=event), status


@bp.route("/<slug>/state", methods=["GET", "POST"])
@requires_role(StaffRole.ADMIN)
def state(slug: str):
    event = events.get_event_or_404(slug)
    form = ConfirmForm()
    problems, status = [], 200
    if request.method == "POST":
        if not form.validate():
            abort(400)
        try:
            step = lifecycle.take_step(event, request.form.get("action", ""), by=current_user)
        except SetupRefused as error:
            problems, status = error.problems, 409
        else:
            flash(f"{event.name}: {lifecycle.STATE_LABELS[step.target]}.", "info")
            return redirect(url_for("dashboard.event", slug=slug), 303)
    return render_template("events/state.html", event=event, form=form, steps=lifecycle.steps_from(event),
                           problems=problems, labels=lifecycle.STATE_LABELS), status


@bp.route("/<slug>/changes")
@requires_role(StaffRole.ADMIN)
def programme_changes(slug: str):
    event = events.get_event_or_404(slug)
    return render_template("events/changes.html", event=event, lines=changes.changes(event), form=ConfirmForm())


@bp.route("/<slug>/changes/<int:change_id>/mail", methods=["POST"])
@requires_role(StaffRole.ADMIN)
def mail_change(slug: str, change_id: int):
    event = events.get_event_or_404(slug)
    if not ConfirmForm().validate():
        abort(400)
    try:
        count = changes.mail_change(event, change_id)
    except SetupRefused as error:
        flash(error.message, "error")
    else:
        flash(f"The change is mailed to {count} {'person' if count == 1 else 'people'}.", "info")
    return redirect(url_for("events.programme_changes", slug=slug), 303)


@bp.route("/<slug>/clone", methods=["GET", "POST"])
@requires_role(StaffRole.ADMIN)
def clone(slug: str):
    event = events.get_event_or_404(slug)
    form = CloneForm()
    status = 200
    if request.method == "GET":
        form.name.data = event.name
        form.starts.data = _a_year_later(LocalTimes.to_local(event.starts_at, event.timezone))
    elif form.validate():
        try:
            copy = clone_event(event, form.name.data, form.slug.data, form.starts.data, by=current_user)
        except SetupRefused as error:
            show_refusal(form, error)
            status = 409
        else:
            flash(f"{copy.name} is created as a draft from {event.name}: check its dates and texts, then publish "
                  "it.", "info")
            return redirect(url_for("events.settings", slug=copy.slug), 303)
    else:
        status = 400
    return render_template("events/clone.html", event=event, form=form), status


def _a_year_later(moment):
    try:
        return moment.replace(year=moment.year + 1)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + 1, day=28)
