"""Registration pages: the public form, the attendee's manage link, and the organiser's lists."""

from __future__ import annotations

import time

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user

from ..auth.roles import public, requires_role
from ..events import service as events
from ..extensions import limiter
from ..mail.after_request import deliver_after_changes
from ..models import RegistrationStatus, StaffRole
from ..url_numbers import int_arg
from . import lists, organisations, pacing, service, signup, throttle
from .forms import AttendeeForm, CancelForm, CapacityForm, ConfirmForm, RegistrationForm, ResendLinkForm

bp = Blueprint("registration", __name__)


def _registration_limit() -> str:
    return current_app.config["REGISTRATION_RATE_LIMIT"]


def _suggestion_limit() -> str:
    return current_app.config["SUGGESTION_RATE_LIMIT"]


def _manage_limit() -> str:
    return current_app.config["MANAGE_RATE_LIMIT"]


# One budget for every manage-link page, so guessing secrets across them is no faster than on one.
manage_limit = limiter.shared_limit(_manage_limit, scope="manage-link")


deliver_after_changes(bp)


def _show_error(form: AttendeeForm, error: service.RegistrationError) -> None:
    """Put a rule's sentence next to the field it is about (or above the form)."""
    if error.field == "preferences":
        target = form[form.rank_field_names[0]] if form.rank_field_names else None
    else:
        target = form[error.field] if error.field in form else None
    if target is not None:
        target.errors = [*target.errors, error.message]
    else:
        form.form_errors.append(error.message)


# --- public ---------------------------------------------------------------------------------------------------


@bp.route("/events/<slug>/register", methods=["GET", "POST"])
@public
@limiter.limit(_registration_limit, methods=["POST"])
def register(slug: str):
    event = events.get_public_event_or_404(slug, staff=current_user.is_authenticated, programme=False)
    state = events.registration_state(event)
    form = RegistrationForm(event)
    status = 200
    if state == "open" and form.is_submitted():
        status = 400
        if form.validate():
            if not throttle.may_mail(form.email.data):
                form.email.errors = [*form.email.errors, throttle.LIMITED_MESSAGE]
                status = 429
            else:
                started = time.perf_counter()
                try:
                    receipt = signup.register_or_remind(event, form.details())
                except service.RegistrationError as error:
                    _show_error(form, error)
                else:
                    if receipt is not None:
                        pacing.record_new(time.perf_counter() - started)
                    else:
                        pacing.wait_like_a_new_one(started)
                    # The same answer for a new registration and for an address already registered (whose owner is
                    # mailed their link instead): the page never tells anyone who has registered.
                    return _to_check_your_mail(event, form.email.data)
    elif state != "open" and request.method == "POST":
        status = 403
    return render_template(
        "registration/register.html",
        event=event,
        form=form,
        state=state,
        full=state == "open" and service.is_full(event),
        resend_form=ResendLinkForm(prefix="resend"),
        organisations=organisations.organisation_names(event) if state == "open" else [],
    ), status


SENT_TO = "registration_sent_to"


def _to_check_your_mail(event, address: str):
    session[SENT_TO] = {"event": event.slug, "address": address}
    return redirect(url_for("registration.check_your_mail", slug=event.slug), 303)


@bp.route("/events/<slug>/register/sent")
@public
def check_your_mail(slug: str):
    """Where a sign-up lands: the link to the registration goes by mail, to the address typed, and only there."""
    event = events.get_public_event_or_404(slug, staff=current_user.is_authenticated, programme=False)
    sent = session.get(SENT_TO)
    address = sent.get("address") if isinstance(sent, dict) and sent.get("event") == slug else None
    return render_template("registration/sent.html", event=event, sent_to=address,
                           resend_form=ResendLinkForm(prefix="resend", data={"email": address}))


@bp.route("/events/<slug>/register/resend", methods=["POST"])
@public
@limiter.limit(_registration_limit)
def resend_link(slug: str):
    event = events.get_public_event_or_404(slug, staff=current_user.is_authenticated)
    form = ResendLinkForm(prefix="resend")
    if not form.validate():
        return render_template("registration/resend.html", event=event, form=form), 400
    if not throttle.may_mail(form.email.data):
        form.email.errors = [*form.email.errors, throttle.LIMITED_MESSAGE]
        return render_template("registration/resend.html", event=event, form=form), 429
    # A letter either way (the link, or a note that the address has no registration here), so that the request
    # does the same work, and the page says the same, whether or not the address is registered.
    signup.send_manage_link(event, form.email.data)
    return render_template("registration/resend.html", event=event, form=None, sent_to=form.email.data)


@bp.route("/events/<slug>/register/organisations")
@public
@limiter.limit(_suggestion_limit)
def organisation_suggestions(slug: str):
    """Organisation names for the form's list as the person types (the page asks when it carries none)."""
    event = events.get_public_event_or_404(slug, staff=current_user.is_authenticated, programme=False)
    return jsonify(names=organisations.organisation_suggestions(event, request.args.get("q", "")))


@bp.route("/events/<slug>/privacy")
@public
def privacy(slug: str):
    return render_template("registration/privacy.html",
                           event=events.get_public_event_or_404(slug, staff=current_user.is_authenticated))


def _registration_or_404(secret: str):
    registration = service.find_by_manage_secret(secret)
    if registration is None:
        abort(404)
    return registration


@bp.route("/manage/<secret>", methods=["GET", "POST"])
@public
@manage_limit
def manage(secret: str):
    registration = _registration_or_404(secret)
    event = registration.event
    if registration.status == RegistrationStatus.WAITLISTED:
        service.process_waitlist(event)
    form = AttendeeForm(event)
    status = 200
    if request.method == "GET":
        form.fill_from(registration)
    elif not service.can_edit(registration):
        flash("Changes can no longer be made online. Please contact the organisers.", "error")
        return redirect(url_for("registration.manage", secret=secret)), 303
    elif form.validate():
        try:
            signup.update_details(registration, form.details())
        except service.RegistrationError as error:
            _show_error(form, error)
            status = 400
        else:
            flash("Your changes are saved.", "info")
            return redirect(url_for("registration.manage", secret=secret))
    else:
        status = 400
    return render_template(
        "registration/manage.html",
        registration=registration,
        event=event,
        form=form,
        editable=service.can_edit(registration),
        deadline=service.edit_deadline(event),
        offer=service.has_active_offer(registration),
        accept_form=ConfirmForm(prefix="accept"),
        cancel_form=CancelForm(prefix="cancel"),
        organisations=organisations.organisation_names(event),
        assignments=sorted(registration.assignments, key=lambda a: a.themed_session.time_slot.starts_at),
    ), status


@bp.route("/manage/<secret>/accept", methods=["POST"])
@public
@manage_limit
def accept_offer(secret: str):
    registration = _registration_or_404(secret)
    if ConfirmForm(prefix="accept").validate():
        try:
            service.accept_offer(registration)
        except service.RegistrationError as error:
            flash(error.message, "error")
        else:
            flash("You have accepted the place: your registration is confirmed.", "info")
    return redirect(url_for("registration.manage", secret=secret), 303)


@bp.route("/manage/<secret>/cancel", methods=["POST"])
@public
@manage_limit
def cancel(secret: str):
    registration = _registration_or_404(secret)
    form = CancelForm(prefix="cancel")
    if not form.validate():
        flash(form.confirm.errors[0] if form.confirm.errors else "Please try again.", "error")
    else:
        service.cancel(registration)
        flash("Your registration is cancelled and your place has been released.", "info")
    return redirect(url_for("registration.manage", secret=secret), 303)


# --- organisers -----------------------------------------------------------------------------------------------


@bp.route("/organiser/events/<slug>/registrations")
@requires_role(StaffRole.ADMIN)
def registrations(slug: str):
    event = events.get_event_or_404(slug)
    status_value = request.args.get("status", "")
    status = RegistrationStatus(status_value) if status_value in {s.value for s in RegistrationStatus} else None
    query = request.args.get("q", "")[:100]
    return render_template(
        "registration/organiser_list.html",
        event=event,
        page=lists.list_registrations(event, query=query, status=status, page=int_arg("page", 1)),
        query=query,
        status=status_value if status else "",
    )


@bp.route("/organiser/events/<slug>/waitlist", methods=["GET", "POST"])
@requires_role(StaffRole.ADMIN)
def waitlist(slug: str):
    event = events.get_event_or_404(slug)
    service.process_waitlist(event)
    capacity_form = CapacityForm(prefix="capacity")
    status = 200
    if request.method == "POST":
        if capacity_form.validate():
            offered = service.set_capacity(event, capacity_form.capacity.data)
            flash(f"Capacity is now {event.capacity}. {len(offered)} place(s) offered to the waiting list.", "info")
            return redirect(url_for("registration.waitlist", slug=slug), 303)
        status = 400
    elif event.capacity is not None:
        capacity_form.capacity.data = event.capacity
    return render_template(
        "registration/organiser_waitlist.html",
        event=event,
        entries=lists.waiting_list(event, page=int_arg("page", 1)),
        overview=events.event_overview(event),
        capacity_form=capacity_form,
        promote_form=ConfirmForm(prefix="promote"),
        has_offer=service.has_active_offer,
    ), status


def _staff_registration(slug: str, registration_id: int):
    event = events.get_event_or_404(slug)
    registration = service.get_registration(event, registration_id)
    if registration is None:
        abort(404)
    return event, registration


@bp.route("/organiser/events/<slug>/registrations/<int:registration_id>", methods=["GET", "POST"])
@requires_role(StaffRole.ADMIN)
def edit_registration(slug: str, registration_id: int):
    event, registration = _staff_registration(slug, registration_id)
    form = AttendeeForm(event)
    status = 200
    if request.method == "GET":
        form.fill_from(registration)
    elif form.validate():
        try:
            signup.update_details(registration, form.details(), by_staff=current_user)
        except service.RegistrationError as error:
            _show_error(form, error)
            status = 400
        else:
            flash("Saved.", "info")
            return redirect(url_for("registration.edit_registration", slug=slug, registration_id=registration_id))
    else:
        status = 400
    return render_template(
        "registration/organiser_edit.html",
        event=event,
        registration=registration,
        form=form,
        cancel_form=CancelForm(prefix="cancel"),
        promote_form=ConfirmForm(prefix="promote"),
        organisations=organisations.organisation_names(event),
    ), status


@bp.route("/organiser/events/<slug>/registrations/<int:registration_id>/cancel", methods=["POST"])
@requires_role(StaffRole.ADMIN)
def staff_cancel(slug: str, registration_id: int):
    _, registration = _staff_registration(slug, registration_id)
    form = CancelForm(prefix="cancel")
    if form.validate():
        service.cancel(registration, by_staff=current_user)
        flash(f"The registration of {registration.full_name} is cancelled.", "info")
    else:
        flash("Tick the box to confirm the cancellation.", "error")
    return redirect(url_for("registration.edit_registration", slug=slug, registration_id=registration_id), 303)


@bp.route("/organiser/events/<slug>/registrations/<int:registration_id>/promote", methods=["POST"])
@requires_role(StaffRole.ADMIN)
def promote(slug: str, registration_id: int):
    _, registration = _staff_registration(slug, registration_id)
    if ConfirmForm(prefix="promote").validate():
        try:
            service.promote(registration, by_staff=current_user)
        except service.RegistrationError as error:
            flash(error.message, "error")
        else:
            flash(f"{registration.full_name} is confirmed.", "info")
    return redirect(url_for("registration.waitlist", slug=slug), 303)
