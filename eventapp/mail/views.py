"""The organiser's mail page: what has not gone out, why, and a button to try again now."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import SubmitField

from ..auth.roles import requires_role
from ..models import StaffRole
from . import service

bp = Blueprint("mail", __name__, url_prefix="/organiser")

# An organiser waits for this batch; anything beyond it is left for the next run.
RETRY_BATCH = 200


class RetryMailForm(FlaskForm):
    submit = SubmitField("Retry now")


@bp.route("/mail")
@requires_role(StaffRole.ADMIN)
def index():
    return render_template(
        "mail/index.html",
        overview=service.mail_overview(),
        form=RetryMailForm(),
        outbox=not current_app.config.get("MAIL_SERVER"),
        in_flight=service.is_in_flight,
    )


@bp.route("/mail/retry", methods=["POST"])
@requires_role(StaffRole.ADMIN)
def retry():
    form = RetryMailForm()
    if not form.validate_on_submit():
        abort(400)
    service.retry_now(include_failed=True)
    report = service.deliver_pending(limit=RETRY_BATCH)
    flash(report.summary(), "error" if report.failed else "info")
    return redirect(url_for("mail.index"))
