"""Organiser dashboard pages: the events, and one event's sessions, capacity and registrations."""

from flask import Blueprint, render_template
from flask_login import current_user

from ..auth.roles import may_work_on_event, requires_role
from ..events import changes, lifecycle
from ..events import service as events
from ..events.forms import ConfirmForm
from ..models import StaffRole
from . import figures

bp = Blueprint("dashboard", __name__, url_prefix="/organiser")

# Every staff role may see the dashboard; what each may do from it is decided on the pages it links to.
ALL_STAFF = (StaffRole.ADMIN, StaffRole.CHECKIN, StaffRole.REPORT_EDITOR)


@bp.route("/")
@requires_role(*ALL_STAFF)
def index():
    mine = [e for e in events.list_events() if may_work_on_event(current_user, e.slug)]
    return render_template("dashboard/index.html", events=mine)


@bp.route("/events/<slug>")
@requires_role(*ALL_STAFF)
def event(slug: str):
    event = events.get_event_or_404(slug)
    days = figures.registrations_per_day(event)
    return render_template(
        "dashboard/event.html",
        days=days,
        chart=figures.day_chart(days),
        attention=figures.attention(event),
        overview=events.event_overview(event),
        registration_state=events.registration_state(event),
        steps=lifecycle.steps_from(event),
        state_form=ConfirmForm(),
        unmailed_changes=changes.unmailed_count(event),
    )
