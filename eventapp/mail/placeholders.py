"""The placeholders an organiser may write in a letter, e.g. ``{{ name }}``, and how they are filled in.

A letter an organiser edits is never run as a Jinja template (that would let anyone who can edit a letter run
code on the server and read the app's settings): the only thing done to its text is replacing each
``{{ placeholder }}`` of the fixed set below by the attendee's value. Anything else between ``{{`` and ``}}``
is an unknown placeholder, refused when the letter is saved (``unknown_placeholders``). In the HTML version
of a letter every value is HTML-escaped.

Other features (group messages, the editable letters) use ``PLACEHOLDERS``, ``unknown_placeholders``,
``render`` and ``context_for``; keep their signatures stable.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from html import escape

from flask import current_app

from ..models import Registration, RegistrationStatus
from ..templating import format_local_time

# name -> what it stands for, shown to organisers beside the editor.
PLACEHOLDERS: dict[str, str] = {
    "name": "The attendee's full name",
    "event": "The event's name",
    "session": "The attendee's themed session(s), once assigned and published",
    "room": "The room of the attendee's session(s)",
    "time": "The time of the attendee's session(s), or else of the event, in the event's time zone",
    "venue": "Where the event takes place",
    "manage_link": "The attendee's private link to see, change or cancel their registration",
    "badge_link": "The link to download the attendee's badge (PDF)",
    # Only in the letters that have them; empty elsewhere.
    "offer_deadline": "The offer letter: until when the offered place is held",
    "change": "The change notice: what has changed in the programme",
}

# {{ name }}, with or without spaces; anything else inside the braces is caught as an unknown placeholder.
_PLACEHOLDER = re.compile(r"\{\{\s*(.*?)\s*\}\}", re.DOTALL)
TIME_FORMAT = "%A %d %B %Y, %H:%M"
NOT_YET = "to be announced"


def placeholders_in(text: str) -> list[str]:
    """Every placeholder written in `text`, in order of first appearance, known or not."""
    seen: dict[str, None] = {}
    for match in _PLACEHOLDER.finditer(text or ""):
        seen.setdefault(match.group(1), None)
    return list(seen)


def unknown_placeholders(text: str) -> list[str]:
    """The placeholders in `text` that are not in the fixed set (e.g. ``{{ nmae }}`` -> ["nmae"]), in order."""
    return [name for name in placeholders_in(text) if name not in PLACEHOLDERS]


def render(text: str, context: Mapping[str, object], html: bool = False) -> str:
    """`text` with each known placeholder replaced by its value from `context` ("" when absent); with
    html=True each value is HTML-escaped (the surrounding text is the caller's to make safe). An unknown
    placeholder is left as written: a caller checks ``unknown_placeholders`` before saving a letter."""

    def fill(match: re.Match) -> str:
        name = match.group(1)
        if name not in PLACEHOLDERS:
            return match.group(0)
        value = context.get(name)
        value = "" if value is None else str(value)
        return escape(value, quote=True) if html else value

    return _PLACEHOLDER.sub(fill, text or "")


def public_url(path: str) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}{path}"


def _published_sessions(registration: Registration) -> list:
    event = registration.event
    if event.assignment_published_at is None:
        return []
    return sorted((a.themed_session for a in registration.assignments),
                  key=lambda s: (s.time_slot.starts_at, s.position))


def context_for(registration: Registration) -> dict[str, str]:
    """The placeholders' values for one attendee, from the database (times in the event's time zone).

    ``session``, ``room`` and ``time`` name the attendee's published sessions, several joined by "; ";
    before sessions are published ``session`` and ``room`` say "to be announced" and ``time`` is the event's
    start. Needs an app context (for the public address of the links).
    """
    event = registration.event
    zone = event.timezone
    sessions = _published_sessions(registration)
    if sessions:
        session = "; ".join(s.title for s in sessions)
        room = "; ".join(s.room or NOT_YET for s in sessions)
        time = "; ".join(
            f"{format_local_time(s.time_slot.starts_at, zone, TIME_FORMAT)}–"
            f"{format_local_time(s.time_slot.ends_at, zone, '%H:%M')} ({zone})" for s in sessions)
    else:
        session = room = NOT_YET
        time = f"{format_local_time(event.starts_at, zone, TIME_FORMAT)} ({zone})"
    offer = ""
    if registration.status == RegistrationStatus.WAITLISTED and registration.offer_expires_at is not None:
        offer = f"{format_local_time(registration.offer_expires_at, zone, TIME_FORMAT)} ({zone})"
    venue = event.venue + (f", {event.venue_address}" if event.venue_address else "")
    return {
        "name": registration.full_name,
        "event": event.name,
        "session": session,
        "room": room,
        "time": time,
        "venue": venue,
        "manage_link": public_url(f"/manage/{registration.manage_secret}"),
        "badge_link": public_url(f"/manage/{registration.manage_secret}/badge.pdf"),
        "offer_deadline": offer,
        "change": "",
    }
