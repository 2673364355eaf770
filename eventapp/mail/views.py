"""The organiser's mail pages: what has not gone out, why, and a button to try again now; one event's mail log."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import SubmitField

from ..auth.roles import requires_role
from ..events import service as events
from ..models import MailStatus, StaffRole
from ..url_numbers import int_arg
from . import log, service

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


@bp.route("/events/<slug>/mail")
@requires_role(StaffRole.ADMIN)
def event_log(slug: str):
    """One event's mail, in the event's time zone, a page at a time, with its failures grouped by reason."""
    event = events.get_event_or_404(slug)
    status_value = request.args.get("status", "")
    status = MailStatus(status_value) if status_value in {s.value for s in MailStatus} else None
    all_kinds = log.kinds(event)
    kind = request.args.get("kind", "")
    kind = kind if kind in all_kinds else ""
    return render_template(
        "mail/event_log.html", event=event, counts=log.counts(event), failures=log.failures_by_reason(event),
        page=log.mail_page(event, status, kind, int_arg("page", 1)), status=status.value if status else "",
        kind=kind, kinds=all_kinds, form=RetryMailForm(), in_flight=service.is_in_flight, reason_of=log.reason_of,
    )
