"""Programme changes made after attendees were told: who each affects, and the one-click "what changed" mail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..letters import service as letters
from ..mail.service import queue_mail
from ..models import (
    Assignment,
    Event,
    ProgrammeChange,
    Registration,
    RegistrationStatus,
    ThemedSession,
    utcnow,
)
from ..registration.service import manage_url
from ..templating import format_local_time
from .programme import SetupRefused

MAIL_KIND = "programme_change"


@dataclass(frozen=True)
class ChangeLine:
    change: ProgrammeChange
    affected: list[Registration]

    @property
    def what(self) -> str:
        if self.change.themed_session is not None:
            return self.change.themed_session.title
        if self.change.time_slot is not None:
            return self.change.time_slot.label
        return "The event"


def _affected(change: ProgrammeChange) -> list[Registration]:
    """Those assigned to the session (or to a session in the slot); for the event's dates, everyone registered."""
    live = [Registration.event_id == change.event_id, Registration.status != RegistrationStatus.CANCELLED]
    query = select(Registration).where(*live).order_by(Registration.full_name, Registration.id)
    if change.themed_session_id is not None:
        query = query.where(Registration.id.in_(select(Assignment.registration_id).where(
            Assignment.themed_session_id == change.themed_session_id)))
    elif change.time_slot_id is not None:
        query = query.where(Registration.id.in_(select(Assignment.registration_id).where(
            Assignment.time_slot_id == change.time_slot_id)))
    return list(db.session.execute(query.options(selectinload(Registration.assignments))).scalars())


def changes(event: Event) -> list[ChangeLine]:
    """The event's programme changes, those not yet mailed first, newest first."""
    rows = db.session.execute(select(ProgrammeChange).where(ProgrammeChange.event_id == event.id).order_by(
        ProgrammeChange.mailed_at.is_not(None), ProgrammeChange.created_at.desc(), ProgrammeChange.id.desc())
    ).scalars()
    return [ChangeLine(row, _affected(row)) for row in rows]


def unmailed_count(event: Event) -> int:
    return len(db.session.execute(select(ProgrammeChange.id).where(
        ProgrammeChange.event_id == event.id, ProgrammeChange.mailed_at.is_(None))).all())


def mail_change(event: Event, change_id: int, now: datetime | None = None) -> int:
    """Queue the "what changed" mail to everyone the change affects, once. Commits; returns how many."""
    now = now or utcnow()
    change = db.session.get(ProgrammeChange, change_id)
    if change is None or change.event_id != event.id:
        raise SetupRefused(["That change is not part of this event: reload the page."])
    if change.mailed_at is not None:
        raise SetupRefused([f"This change was already mailed to {change.mailed_count} people on "
                            f"{format_local_time(change.mailed_at, event.timezone)}."])
    affected = _affected(change)
    template = current_app.jinja_env.get_template("events/mail/programme_change.txt")
    subject = f"Programme change at {event.name}"
    saved = letters.saved_letter(event, MAIL_KIND)  # the organiser's own wording, read once for everyone
    for registration in affected:
        edited = letters.compose_for(saved, registration, change=change.description)
        if edited is not None:
            queue_mail(MAIL_KIND, registration.email, edited.subject, edited.text, event=event,
                       registration=registration, body_html=edited.html)
            continue
        body = template.render(
            registration=registration, event=event, change=change, session=change.themed_session,
            slot=change.time_slot, sessions=_sessions_of(registration, event),
            when=format_local_time(event.starts_at, event.timezone, "%A %d %B %Y, %H:%M"),
            manage_url=manage_url(registration.manage_secret))
        queue_mail(MAIL_KIND, registration.email, subject, body, event=event, registration=registration)
    change.mailed_at, change.mailed_count = now, len(affected)
    db.session.commit()
    return len(affected)


def _sessions_of(registration: Registration, event: Event) -> list[dict]:
    sessions: list[ThemedSession] = sorted((a.themed_session for a in registration.assignments),
                                           key=lambda s: s.time_slot.starts_at)
    if event.assignment_published_at is None:
        return []
    return [{"title": s.title, "room": s.room,
             "when": f"{format_local_time(s.time_slot.starts_at, event.timezone, '%A %d %B, %H:%M')}–"
                     f"{format_local_time(s.time_slot.ends_at, event.timezone, '%H:%M')}"} for s in sessions]
