"""The admins' staff pages: who works here, invite someone, change a role or the events, deactivate."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from ..events import service as events
from ..mail.soon import deliver_soon
from ..models import StaffRole
from . import staff
from .mails import mail_server_configured
from .roles import requires_role
from .service import StaffAccountError
from .staff_forms import ActiveForm, ChangeForm, InviteForm

bp = Blueprint("staff", __name__, url_prefix="/organiser/staff")


def _fields(form) -> dict:
    return dict(role=form.role.data, organisation=staff.organisation_by_id(form.organisation.data),
                events=staff.events_by_id(form.events.data or []))


@bp.route("")
@requires_role(StaffRole.ADMIN)
def index():
    return render_template("auth/staff.html", people=staff.list_staff(), pending=staff.is_pending,
                           active_form=ActiveForm())


@bp.route("/invite", methods=["GET", "POST"])
@requires_role(StaffRole.ADMIN)
def invite():
    form = InviteForm(staff.organisations(), events.list_events())
    status = 200
    if form.validate_on_submit():
        try:
            invitation = staff.invite(form.email.data, by=current_user._get_current_object(), **_fields(form))
        except StaffAccountError as error:
            form.email.errors.append(str(error))
            status = 400
        else:
            deliver_soon()
            shown = None if mail_server_configured() else invitation.url
            return render_template("auth/invited.html", invitation=invitation, link=shown), 201
    elif form.is_submitted():
        status = 400
    return render_template("auth/invite.html", form=form), status


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@requires_role(StaffRole.ADMIN)
def edit(user_id: int):
    person = staff.get_staff(user_id) or abort(404)
    form = ChangeForm(staff.organisations(), events.list_events(), obj=None)
    status = 200
    if not form.is_submitted():
        form.role.data = person.role.value
        form.organisation.data = str(person.organisation_id or "")
        form.events.data = [e.id for e in person.events]
    elif form.validate_on_submit():
        try:
            staff.change(person, **_fields(form))
        except StaffAccountError as error:
            form.role.errors.append(str(error))
            status = 400
        else:
            flash(f"{person.email} is now {person.role.value.replace('_', ' ')}.", "info")
            return redirect(url_for("staff.index"), 303)
    else:
        status = 400
    return render_template("auth/staff_edit.html", form=form, person=person, pending=staff.is_pending(person),
                           active_form=ActiveForm()), status


@bp.route("/<int:user_id>/active", methods=["POST"])
@requires_role(StaffRole.ADMIN)
def set_active(user_id: int):
    person = staff.get_staff(user_id) or abort(404)
    form = ActiveForm()
    if not form.validate_on_submit():
        abort(400)
    wanted = not person.active
    try:
        if person.id == current_user.id:
            raise StaffAccountError("You cannot deactivate your own account: ask another admin.")
        staff.set_active(person, wanted)
    except StaffAccountError as error:
        flash(str(error), "error")
        return render_template("auth/staff.html", people=staff.list_staff(), pending=staff.is_pending,
                               active_form=ActiveForm(), refused=str(error), refused_id=person.id), 409
    flash(f"{person.email} is {'active again' if wanted else 'deactivated: every session of theirs has ended'}.",
          "info")
    return redirect(url_for("staff.index"), 303)
