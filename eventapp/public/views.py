"""The public home page (published events, upcoming first) and each event's page."""

from urllib.parse import urlencode

from flask import Blueprint, render_template
from flask_login import current_user

from ..auth.roles import public
from ..events import service as events
from ..registration import service as registration
from ..report.markdown import render_markdown

bp = Blueprint("public", __name__)

OPENSTREETMAP_SEARCH = "https://www.openstreetmap.org/search"


def map_url(event) -> str:
    """A search for the venue on OpenStreetMap (no key, no tracking script on our page)."""
    place = ", ".join(part for part in (event.venue, " ".join((event.venue_address or "").split())) if part)
    return f"{OPENSTREETMAP_SEARCH}?{urlencode({'query': place})}"


def _signing_up(event) -> dict:
    """What the event's call to action says: registration's state, and whether a sign-up now would wait."""
    state = events.registration_state(event)
    return {"state": state, "full": state == "open" and registration.is_full(event)}


@bp.route("/")
@public
def index():
    listing = events.public_events()
    return render_template("public/index.html", listing=listing,
                           signing_up={e.id: _signing_up(e) for e in listing.upcoming})


@bp.route("/events/<slug>")
@public
def event(slug: str):
    event = events.get_public_event_or_404(slug, staff=current_user.is_authenticated)
    slots = [(slot, [s for s in event.themed_sessions if s.time_slot_id == slot.id]) for slot in event.time_slots]
    return render_template(
        "public/event.html", event=event, signing_up=_signing_up(event), slots=slots, map_url=map_url(event),
        description=render_markdown(event.summary), preview=event.state.value == "draft",
    )
