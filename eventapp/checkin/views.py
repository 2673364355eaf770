"""The organiser's check-in pages: the scanner, the scan log, and (admins) the scanner devices."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth.roles import requires_role
from ..events import service as events
from ..models import StaffRole
from ..url_numbers import int_arg
from . import devices, queries, service
from .forms import IssueDeviceForm, RevokeDeviceForm, UndoCheckInForm

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
