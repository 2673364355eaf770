"""The public home page and event page."""

from flask import Blueprint, render_template

from ..auth.roles import public
from ..events import service as events

bp = Blueprint("public", __name__)


@bp.route("/")
@public
def index():
    return render_template("public/index.html", events=events.list_events())


@bp.route("/events/<slug>")
@public
def event(slug: str):
    event = events.get_event_or_404(slug)
    return render_template(
        "public/event.html", event=event, registration_state=events.registration_state(event)
    )
