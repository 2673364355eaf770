"""The organiser's pages for an event's partners, time slots and themed sessions: add, edit, reorder, remove."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth.roles import requires_role
from ..models import OrganisationKind, PartnerRole, StaffRole
from ..url_numbers import MAX_ID, int_arg
from . import editing, programme
from . import service as events
from .forms import ConfirmForm, LocalTimes, PartnerForm, SessionForm, SlotForm
from .programme import SetupRefused
from .views import show_refusal

bp = Blueprint("programme", __name__, url_prefix="/organiser/events/<slug>")


def _step() -> int:
    direction = request.form.get("direction")
    if direction not in ("up", "down"):
        abort(400)
    return -1 if direction == "up" else 1


def _confirmed() -> None:
    if not ConfirmForm().validate():
        abort(400)




# --- partners -------------------------------------------------------------------------------------------------


@bp.route("/partners", methods=["GET", "POST"])
@requires_role(StaffRole.ADMIN)
def partners(slug: str):
    event = events.get_event_or_404(slug)
    form = PartnerForm()
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                editing.save_partner(event, form.name.data, PartnerRole(form.role.data),
                                     OrganisationKind(form.kind.data), form.short_name.data, form.country.data,
                                     form.description.data)
            except SetupRefused as error:
                show_refusal(form, error)
                status = 409
            else:
                flash(f"{form.name.data} is a {form.role.data} of the event.", "info")
                return redirect(url_for("programme.partners", slug=slug), 303)
        else:
            status = 400
    elif edit_id := int_arg("edit", 0, maximum=MAX_ID):
        organisation = next((o for o in event.partners if o.id == edit_id), None)
        if organisation is not None:
            link = next(link for link in event.partner_links if link.organisation_id == organisation.id)
            form.process(data={"name": organisation.name, "short_name": organisation.short_name,
                               "role": link.role.value, "kind": organisation.kind.value,
                               "country": organisation.country or "", "description": organisation.description})
    return _partners_page(event, form, status)


@bp.route("/partners/<int:organisation_id>/remove", methods=["POST"])
@requires_role(StaffRole.ADMIN)
def remove_partner(slug: str, organisation_id: int):
    event = events.get_event_or_404(slug)
    _confirmed()
    try:
        editing.remove_partner(event, organisation_id)
    except SetupRefused as error:
        return _partners_page(event, status=409, refusal=error)
    else:
        flash("The partner is removed from the event (the organisation itself is kept).", "info")
    return redirect(url_for("programme.partners", slug=slug), 303)


@bp.route("/partners/<int:organisation_id>/move", methods=["POST"])
@requires_role(StaffRole.ADMIN)
def move_partner(slug: str, organisation_id: int):
    event = events.get_event_or_404(slug)
    _confirmed()
    try:
        editing.move_partner(event, organisation_id, _step())
    except SetupRefused as error:
        return _partners_page(event, status=409, refusal=error)
    return redirect(url_for("programme.partners", slug=slug), 303)


# --- the programme: slots and sessions ------------------------------------------------------------------------


def _page(event, slot_form: SlotForm | None = None, status: int = 200, refusal: SetupRefused | None = None):
    return render_template("events/programme.html", event=event, slot_form=slot_form or SlotForm(formdata=None),
                           action_form=ConfirmForm(), dependents=programme.dependents,
                           problems=refusal.problems if refusal else []), status


def _partners_page(event, form: PartnerForm | None = None, status: int = 200, refusal: SetupRefused | None = None):
    return render_template("events/partners.html", event=event, form=form or PartnerForm(formdata=None),
                           action_form=ConfirmForm(), problems=refusal.problems if refusal else []), status


@bp.route("/programme")
@requires_role(StaffRole.ADMIN)
def index(slug: str):
    return _page(events.get_event_or_404(slug))


def _save_slot(event, slot_id: int | None, form: SlotForm):
    """Save the slot form; None when saved, else the form's status code."""
    if not form.validate():
        return 400
    try:
        editing.save_slot(event, slot_id, form.label.data, LocalTimes.to_utc(form.starts.data, event.timezone),
                          LocalTimes.to_utc(form.ends.data, event.timezone), by=current_user)
    except SetupRefused as error:
        show_refusal(form, error)
        return 409
    flash(f"The slot “{form.label.data}” is saved.", "info")
    return None


@bp.route("/programme/slots", methods=["POST"])
@requires_role(StaffRole.ADMIN)
def add_slot(slug: str):
    event = events.get_event_or_404(slug)
    form = SlotForm()
    status = _save_slot(event, None, form)
    if status is None:
        return redirect(url_for("programme.index", slug=slug), 303)
    return _page(event, form, status)


@bp.route("/programme/slots/<int:slot_id>", methods=["GET", "POST"])
@requires_role(StaffRole.ADMIN)
def edit_slot(slug: str, slot_id: int):
    event = events.get_event_or_404(slug)
    slot = next((s for s in event.time_slots if s.id == slot_id), None)
    if slot is None:
        abort(404)
    form = SlotForm()
    status = 200
    if request.method == "GET":
        form.label.data = slot.label
        form.starts.data = LocalTimes.to_local(slot.starts_at, event.timezone)
        form.ends.data = LocalTimes.to_local(slot.ends_at, event.timezone)
    else:
        status = _save_slot(event, slot_id, form)
        if status is None:
            return redirect(url_for("programme.index", slug=slug), 303)
    return render_template("events/slot.html", event=event, slot=slot, form=form), status


@bp.route("/programme/slots/<int:slot_id>/remove", methods=["POST"])
@requires_role(StaffRole.ADMIN)
def remove_slot(slug: str, slot_id: int):
    event = events.get_event_or_404(slug)
    _confirmed()
    try:
        editing.remove_slot(event, slot_id)
    except SetupRefused as error:
        return _page(event, status=409, refusal=error)
    else:
        flash("The slot is removed.", "info")
    return redirect(url_for("programme.index", slug=slug), 303)


@bp.route("/programme/sessions/new", methods=["GET", "POST"], defaults={"session_id": None})
@bp.route("/programme/sessions/<int:session_id>", methods=["GET", "POST"])
@requires_role(StaffRole.ADMIN)
def edit_session(slug: str, session_id: int | None):
    event = events.get_event_or_404(slug)
    session = None
    if session_id is not None:
        session = next((s for s in event.themed_sessions if s.id == session_id), None)
        if session is None:
            abort(404)
    form = SessionForm()
    form.offer(event)
    status = 200
    if request.method == "GET" and session is not None:
        form.process(data={"title": session.title, "lead": session.lead_organisation_id, "room": session.room,
                           "slot": session.time_slot_id, "capacity": session.capacity,
                           "description": session.description})
        form.offer(event)
    elif request.method == "POST":
        valid = form.validate()
        form.pre_validate_choices()
        if valid and not form.errors:
            try:
                editing.save_session(event, session_id, form.title.data, form.lead.data, form.slot.data,
                                     form.capacity.data, form.room.data, form.description.data, by=current_user)
            except SetupRefused as error:
                show_refusal(form, error)
                status = 409
            else:
                flash(f"The session “{form.title.data}” is saved.", "info")
                return redirect(url_for("programme.index", slug=slug), 303)
        else:
            status = 400
    return render_template("events/session.html", event=event, session=session, form=form), status


@bp.route("/programme/sessions/<int:session_id>/remove", methods=["POST"])
@requires_role(StaffRole.ADMIN)
def remove_session(slug: str, session_id: int):
    event = events.get_event_or_404(slug)
    _confirmed()
    try:
        editing.remove_session(event, session_id)
    except SetupRefused as error:
        return _page(event, status=409, refusal=error)
    else:
        flash("The session is removed.", "info")
    return redirect(url_for("programme.index", slug=slug), 303)


@bp.route("/programme/sessions/<int:session_id>/move", methods=["POST"])
@requires_role(StaffRole.ADMIN)
def move_session(slug: str, session_id: int):
    event = events.get_event_or_404(slug)
    _confirmed()
    try:
        editing.move_session(event, session_id, _step())
    except SetupRefused as error:
        return _page(event, status=409, refusal=error)
    return redirect(url_for("programme.index", slug=slug), 303)
