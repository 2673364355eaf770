"""Publishing the assignment: attendees see their sessions, and those not yet told get a mail with their badge.

What ``Assignment.created_at`` means: when this person's set of sessions last changed. Publishing mails
exactly those assigned confirmed attendees who have a row newer than the previous
``Event.assignment_published_at`` (all of them on the first publish).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from flask import render_template
from sqlalchemy import select

from ..extensions import db
from ..letters import service as letters
from ..locking import holding_event_lock
from ..mail.service import queue_mail
from ..models import Event, LetterTemplate, OutboundMail, Registration, StaffUser, ThemedSession, utcnow
from ..registration.service import manage_url
from ..templating import format_local_time
from .state import Person, State, load_state, require_assignment

MAIL_KIND = "assignment"


def publish_recipients(state: State, previous: datetime | None) -> list[Person]:
    """Confirmed attendees with a session who have not been told about it: everyone the first time, then
    those whose sessions changed since the previous publish."""
    newest: dict[int, datetime] = {}
    for row in state.live_rows():
        newest[row.registration_id] = max(newest.get(row.registration_id, row.created_at), row.created_at)
    return [p for p in state.people if p.id in newest and (previous is None or newest[p.id] > previous)]


@dataclass(frozen=True)
class Published:
    mailed: int
    first: bool  # the first publish of this event's assignment
    unseated: int  # confirmed attendees without any session (not mailed)


def publish(event: Event, by: StaffUser | None = None, now: datetime | None = None) -> Published:
    """Show attendees their sessions and mail those who have not been told yet. Commits."""
    now = now or utcnow()
    with holding_event_lock(event):
        previous = event.assignment_published_at
        state = load_state(event)
        require_assignment(state, "Then publish it.")
        recipients = publish_recipients(state, previous)
        if recipients:
            told_before = set(
                db.session.execute(
                    select(OutboundMail.registration_id).where(
                        OutboundMail.event_id == event.id, OutboundMail.kind == MAIL_KIND
                    )
                ).scalars()
            )
            registrations = {
                r.id: r
                for r in db.session.execute(
                    select(Registration).where(Registration.id.in_([p.id for p in recipients]))
                ).scalars()
            }
            rows = defaultdict(list)
            for row in state.live_rows():
                rows[row.registration_id].append(row)
            saved = letters.saved_letter(event, MAIL_KIND)  # the organiser's own wording, read once for everyone
            for person in recipients:
                sessions = sorted(
                    (state.session_by_id[r.themed_session_id] for r in rows[person.id]),
                    key=lambda s: s.time_slot.starts_at,
                )
                _queue_mail(event, registrations[person.id], sessions, person.id in told_before, saved)
        event.assignment_published_at = now
        seated = {r.registration_id for r in state.live_rows()}
    return Published(
        mailed=len(recipients),
        first=previous is None,
        unseated=sum(1 for p in state.people if p.id not in seated),
    )


def _queue_mail(event: Event, registration: Registration, sessions: list[ThemedSession], changed: bool,
                saved: LetterTemplate | None) -> None:
    def local(moment: datetime, fmt: str) -> str:
        return format_local_time(moment, event.timezone, fmt)

    lines = [
        {
            "title": s.title,
            "when": f"{local(s.time_slot.starts_at, '%A %d %B %Y, %H:%M')}–{local(s.time_slot.ends_at, '%H:%M')}",
            "slot": s.time_slot.label,
            "room": s.room,
            "lead": s.lead_organisation.name if s.lead_organisation else None,
        }
        for s in sessions
    ]
    plural = "s" if len(sessions) > 1 else ""
    subject = (
        f"Your session{plural} at {event.name} {'have' if plural else 'has'} changed"
        if changed
        else f"Your session{plural} at {event.name}"
    )
    edited = letters.compose_for(
        saved, registration, session="; ".join(s.title for s in sessions),
        room="; ".join(s.room or "to be announced" for s in sessions),
        time="; ".join(f"{line['when']} ({event.timezone})" for line in lines))
    if edited is not None:
        queue_mail(MAIL_KIND, registration.email, edited.subject, edited.text, event=event,
                   registration=registration, attach_badge=True, body_html=edited.html)
        return
    body = render_template(
        "registration/mail/assignment.txt",
        registration=registration,
        event=event,
        sessions=lines,
        changed=changed,
        manage_url=manage_url(registration.manage_secret),
    )
    queue_mail(MAIL_KIND, registration.email, subject, body, event=event, registration=registration,
               attach_badge=True)
