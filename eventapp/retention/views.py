"""The admin's "anonymise now", from the event's settings, behind a page that says what it will do."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms.validators import DataRequired

from ..auth.roles import requires_role
from ..events import service as events
from ..models import StaffRole
from . import service

bp = Blueprint("retention", __name__, url_prefix="/organiser/events")


class AnonymiseForm(FlaskForm):
    confirm = BooleanField("I understand that this cannot be undone",
                           validators=[DataRequired("Tick the box to confirm: this cannot be undone.")])


@bp.route("/<slug>/anonymise", methods=["GET", "POST"])
@requires_role(StaffRole.ADMIN)
def confirm(slug: str):
    event = events.get_event_or_404(slug)
    form = AnonymiseForm()
    status = 200
    if event.anonymised_at is None and form.is_submitted():
        if form.validate():
            try:
                result = service.anonymise(event.id)
            except service.RetentionError as error:
                flash(str(error), "error")
            else:
                flash(result.summary(), "info")
            return redirect(url_for("events.settings", slug=event.slug), 303)
        status = 400
    elif form.is_submitted():
        abort(409)
    return render_template("retention/confirm.html", event=event, form=form, people=service.people_affected(event),
                           retention_ends=service.retention_ends(event)), status
