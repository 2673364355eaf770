"""An attendee's calendar from the database: the entries, the .ics file, the links, and the mail attachment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app

from ..extensions import db
from ..models import Event, OutboundMail, Registration, RegistrationStatus, utcnow
from .ics import CalendarEntry, build_ics, google_link, outlook_link, sequence_at

# The mails that carry the attendee's calendar: the confirmation, the session assignment (and its changes),
# a programme change, the reminder and a group message sent with the calendar, each a fresh copy that replaces
# what the calendar held.
CALENDAR_MAIL_KINDS = frozenset({"confirmed", "assignment", "programme_change", "reminder", "message_calendar"})
MIMETYPE = "text/calendar"


@dataclass(frozen=True)
class CalendarLink:
    summary: str
    google: str
    outlook: str
    office: str


def _base_url() -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/")


def _uid(what: str) -> str:
    host = urlsplit(_base_url()).hostname or "eventapp.local"
    return f"eventapp-{what}@{host}"


def has_calendar(registration: Registration) -> bool:
    return registration.status == RegistrationStatus.CONFIRMED


def entries_for(registration: Registration) -> list[CalendarEntry]:
    """The event, then the attendee's sessions (once published) with their room and times."""
    event = registration.event
    place = ", ".join(part for part in (event.venue, (event.venue_address or "").replace("\n", ", ")) if part)
    event_url = f"{_base_url()}/events/{event.slug}"
    entries = [CalendarEntry(
        uid=_uid(f"event{event.id}"),
        summary=event.name,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        timezone=event.timezone,
        location=place,
        description="\n".join(part for part in (event.tagline or "", event_url) if part),
        url=event_url,
    )]
    if event.assignment_published_at is None:
        return entries
    for assignment in sorted(registration.assignments, key=lambda a: a.themed_session.time_slot.starts_at):
        session = assignment.themed_session
        slot = session.time_slot
        lead = session.lead_organisation.name if session.lead_organisation else ""
        entries.append(CalendarEntry(
            # One entry per time slot: moving the attendee to another session in the slot replaces it.
            uid=_uid(f"registration{registration.id}-slot{slot.id}"),
            summary=f"{session.title} ({event.short_name or event.name})",
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            timezone=event.timezone,
            location=", ".join(part for part in (session.room or "", event.venue) if part),
            description="\n".join(part for part in (slot.label, f"Led by {lead}" if lead else "", event_url)
                                  if part),
            url=event_url,
        ))
    return entries


def registration_ics(registration: Registration, now: datetime | None = None) -> bytes:
    event = registration.event
    now = now or utcnow()
    return build_ics(entries_for(registration), stamp=now, sequence=sequence_at(now, event.created_at),
                     name=event.name)


def ics_filename(event: Event) -> str:
    return f"{event.slug}.ics"


def links_for(registration: Registration) -> list[CalendarLink]:
    return [CalendarLink(entry.summary, google_link(entry), outlook_link(entry), outlook_link(entry, work=True))
            for entry in entries_for(registration)]


def calendar_attachment(mail: OutboundMail) -> tuple[str, bytes, str] | None:
    """The mail outbox's attachment provider: the attendee's calendar on the mails that should carry it."""
    if mail.kind not in CALENDAR_MAIL_KINDS or mail.registration_id is None:
        return None
    registration = db.session.get(Registration, mail.registration_id)
    if registration is None or not has_calendar(registration):
        return None
    return ics_filename(registration.event), registration_ics(registration), MIMETYPE


def register_integrations() -> None:
    from ..mail.service import ATTACHMENT_PROVIDERS

    ATTACHMENT_PROVIDERS["calendar"] = calendar_attachment
