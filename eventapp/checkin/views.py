"""The organiser's check-in pages: the scanner, the scan log, walk-ins, and (admins) the scanner devices."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth.roles import requires_role
from ..downloads import file_response
from ..events import service as events
from ..mail.soon import deliver_soon
from ..models import StaffRole
from ..registration.addresses import AddressError
from ..registration.service import DuplicateEmail, EventFull, RegistrationError
from ..registration.walk_in import WalkInDetails
from ..url_numbers import int_arg
from . import devices, queries, service
from . import walk_in as walk_ins
from .forms import IssueDeviceForm, PrintBadgeForm, RevokeDeviceForm, UndoCheckInForm, WalkInForm

bp = Blueprint("checkin", __name__, url_prefix="/organiser/events/<slug>")


@bp.route("/checkin")
@requires_role(StaffRole.CHECKIN)
def scanner(slug: str):
    event = events.get_event_or_404(slug)
    return render_template("checkin/scanner.html", event=event, counts=queries.live_counts(event.id))


@bp.route("/checkin/log")
@requires_role(StaffRole.CHECKIN)
def log(slug: str):
    event = events.get_event_or_404(slug)
    return render_template(
        "checkin/log.html", event=event, log=queries.scan_log_page(event.id, int_arg("page", 1)),
        undo_form=UndoCheckInForm(),
    )


@bp.route("/checkin/<int:check_in_id>/undo", methods=["POST"])
@requires_role(StaffRole.CHECKIN)
def undo(slug: str, check_in_id: int):
    event = events.get_event_or_404(slug)
    page = int_arg("page", 1)  # the log page to go back to; a bad one refuses before anything is undone
    form = UndoCheckInForm()
    if form.validate_on_submit():
        result = service.undo_check_in(event.id, check_in_id, current_user.id)
        flash(
            {
                service.UndoResult.UNDONE: "Check-in undone: it no longer counts, and the log keeps it.",
                service.UndoResult.ALREADY_UNDONE: "That check-in was already undone.",
                service.UndoResult.NOT_FOUND: "There is no such check-in at this event.",
            }[result],
            "info",
        )
    return redirect(url_for("checkin.log", slug=event.slug, page=page))


@bp.route("/scanners", methods=["GET", "POST"])
@requires_role(StaffRole.ADMIN)
def scanners(slug: str):
    event = events.get_event_or_404(slug)
    form = IssueDeviceForm()
    issued = None
    status = 200
    if form.validate_on_submit():
        issued = devices.issue_device(event, form.name.data, current_user)
        form = IssueDeviceForm(formdata=None)
    elif request.method == "POST":
        status = 400
    # The token is on this page once: no cache, proxy or back button keeps a copy (no-store, security.py).
    return render_template(
        "checkin/devices.html", event=event, form=form, issued=issued, devices=devices.list_devices(event),
        revoke_form=RevokeDeviceForm(),
    ), status


@bp.route("/scanners/<int:device_id>/revoke", methods=["POST"])
@requires_role(StaffRole.ADMIN)
def revoke(slug: str, device_id: int):
    event = events.get_event_or_404(slug)
    form = RevokeDeviceForm()
    if form.validate_on_submit():
        device = devices.revoke_device(event, device_id)
        if device is None:
            flash("There is no such device at this event.", "error")
        else:
            flash(f"Revoked \u201c{device.name}\u201d: its token no longer works.", "info")
    return redirect(url_for("checkin.scanners", slug=event.slug))


@bp.route("/checkin/walk-in", methods=["GET", "POST"])
@requires_role(StaffRole.CHECKIN)
def walk_in(slug: str):
    event = events.get_event_or_404(slug)
    form = WalkInForm()
    status = 200
    if form.validate_on_submit():
        details = WalkInDetails(form.full_name.data, form.organisation.data, (form.email.data or "").strip() or None)
        try:
            admitted = walk_ins.admit(event, details, current_user._get_current_object(),
                                      beyond_capacity=form.beyond_capacity.data)
        except AddressError as error:
            form.email.errors.append(error.message)
            status = 400
        except DuplicateEmail as error:
            form.email.errors.append(str(error))
            status = 409
        except EventFull as error:
            form.beyond_capacity.errors.append(str(error))
            status = 409
        except RegistrationError as error:
            form.form_errors.append(str(error))
            status = 409
        else:
            deliver_soon()
            flash(f"{admitted.registration.full_name} is registered and checked in.", "info")
            return redirect(url_for("checkin.walk_in", slug=slug, added=admitted.registration.id), 303)
    elif form.is_submitted():
        status = 400
    return render_template("checkin/walk_in.html", event=event, form=form, print_form=PrintBadgeForm(),
                           walk_ins=walk_ins.recent_walk_ins(event),
                           added=int_arg("added", 0, maximum=2**53)), status


@bp.route("/checkin/walk-in/<int:registration_id>/badge.pdf", methods=["POST"])
@requires_role(StaffRole.CHECKIN)
def walk_in_badge(slug: str, registration_id: int):
    event = events.get_event_or_404(slug)
    registration = walk_ins.walk_in_registration(event, registration_id)
    if registration is None:
        abort(404)
    if not PrintBadgeForm().validate_on_submit():
        abort(400)
    filename, pdf = walk_ins.print_badge(registration)
    return file_response(pdf, "application/pdf", filename, inline=True, private=True)
