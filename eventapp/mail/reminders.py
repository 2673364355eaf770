"""The reminder a few days before an event: queued by the mail deliverer itself, once per confirmed attendee.

There is no schedule of its own: every delivery run (``deliver_pending``: the request-time kick, the RQ job,
``flask mail deliver`` from cron) first queues the reminders that have fallen due. An event's reminder is due
from midnight, in the event's zone, of the day ``reminder_days`` before its start date, until it starts; 0 days
turns it off. It goes to the attendees confirmed at that moment, who registered before it (someone who signs
up later has just had their confirmation). Each registration is claimed with a conditional UPDATE of its
``reminded_at`` in the same transaction that queues its mail, so two deliverers running at once cannot both
queue it, and a run that fails queues nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session, selectinload

from ..extensions import db
from ..letters import service as letters
from ..models import Assignment, Event, EventState, OutboundMail, Registration, RegistrationStatus, ThemedSession
from ..registration.mails import manage_url
from ..templating import format_local_time
from .service import BEFORE_DELIVERY, mail_row

KIND = "reminder"
BATCH = 500
LONGEST_NOTICE_DAYS = 60  # the largest reminder_days the settings allow


def due_from(event: Event) -> datetime | None:
    """The moment (UTC) the event's reminder becomes due; None when it has none."""
    if not event.reminder_days:
        return None
    zone = ZoneInfo(event.timezone)
    day = event.starts_at.astimezone(zone).date() - timedelta(days=event.reminder_days)
    return datetime.combine(day, time(0, 0), tzinfo=zone).astimezone(UTC)


def queue_due_reminders(now: datetime) -> int:
    """Queue every reminder due at `now`; commits on a session of its own; returns how many were queued."""
    queued = 0
    with Session(db.engine, expire_on_commit=False) as session:
        events = session.execute(select(Event).where(
            Event.state == EventState.PUBLISHED, Event.reminder_days > 0, Event.anonymised_at.is_(None),
            Event.starts_at > now, Event.starts_at <= now + timedelta(days=LONGEST_NOTICE_DAYS + 1),
        )).scalars().all()
        for event in events:
            due = due_from(event)
            if due is not None and now >= due:
                queued += _queue_for_event(session, event, due, now)
    return queued


def _queue_for_event(session: Session, event: Event, due: datetime, now: datetime) -> int:
    edited = letters.saved_letter(event, KIND)  # the organiser's own wording, read once for the batch
    waiting = (Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED,
               Registration.reminded_at.is_(None), Registration.created_at < due)
    queued = 0
    while True:
        ids = session.execute(
            select(Registration.id).where(*waiting).order_by(Registration.id).limit(BATCH)).scalars().all()
        if not ids:
            return queued
        # The claim: only the rows still unreminded are ours (another deliverer may have taken some meanwhile).
        claimed = session.execute(
            update(Registration).where(Registration.id.in_(ids), *waiting).values(reminded_at=now)
            .returning(Registration.id).execution_options(synchronize_session=False)
        ).scalars().all()
        if claimed:
            people = session.execute(select(Registration).where(Registration.id.in_(claimed)).options(
                selectinload(Registration.assignments).joinedload(Assignment.themed_session)
                .joinedload(ThemedSession.time_slot))).scalars().all()
            rows = [_mail(event, person, now, edited) for person in people]
            for row in rows:
                # Due at the run's own clock, which is a moment before mail_row's: else the run that queues a
                # reminder would not find it due, and it would wait for the next run.
                row["next_attempt_at"] = min(row["next_attempt_at"], now)
            session.execute(insert(OutboundMail), rows)
        session.commit()
        queued += len(claimed)


def _mail(event: Event, registration: Registration, now: datetime, template=None) -> dict:
    edited = letters.compose_for(template, registration)
    if edited is not None:
        return mail_row(KIND, registration.email, edited.subject, edited.text, event.id, registration.id,
                        attach_badge=True, body_html=edited.html)

    def local(moment: datetime, fmt: str = "%A %d %B %Y, %H:%M") -> str:
        return format_local_time(moment, event.timezone, fmt)

    published = event.assignment_published_at is not None
    sessions = [
        {"title": a.themed_session.title, "room": a.themed_session.room,
         "when": f"{local(a.themed_session.time_slot.starts_at)}–{local(a.themed_session.time_slot.ends_at, '%H:%M')}"}
        for a in sorted(registration.assignments, key=lambda a: a.themed_session.time_slot.starts_at)
    ] if published else []
    days = (event.starts_at.astimezone(ZoneInfo(event.timezone)).date()
            - now.astimezone(ZoneInfo(event.timezone)).date()).days
    body = current_app.jinja_env.get_template("mail/reminder.txt").render(
        registration=registration, event=event, sessions=sessions, days=max(days, 0),
        when=local(event.starts_at), manage_url=manage_url(registration.manage_secret),
        badge=published or not event.themed_sessions)
    subject = f"Reminder: {event.name}, {local(event.starts_at, '%A %d %B')}"
    return mail_row(KIND, registration.email, subject, body, event.id, registration.id, attach_badge=True)


def register_integrations() -> None:
    BEFORE_DELIVERY["reminders"] = queue_due_reminders
