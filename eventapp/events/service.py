"""Reading events: find one by slug, list them, and count what an organiser wants to see at a glance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from flask import abort
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload, selectinload

from ..extensions import db
from ..models import (
    Assignment,
    Event,
    EventPartner,
    EventState,
    Registration,
    RegistrationStatus,
    SessionPreference,
    ThemedSession,
    utcnow,
)


def get_event(slug: str, programme: bool = True) -> Event | None:
    """The event and its themed sessions; with `programme`, also the sessions' leads, slots and the convenors."""
    return db.session.execute(_event_by_slug(programme), {"slug": slug}).unique().scalar_one_or_none()


@cache
def _event_by_slug(programme: bool):
    """Built once per shape (the lean one runs on every registration and check-in page)."""
    if not programme:  # the lean load for hot paths such as a registration: one query
        options = [joinedload(Event.themed_sessions)]
    else:
        options = [
            selectinload(Event.themed_sessions).joinedload(ThemedSession.lead_organisation),
            selectinload(Event.themed_sessions).joinedload(ThemedSession.time_slot),
            selectinload(Event.partner_links).joinedload(EventPartner.organisation),
        ]
    return select(Event).where(Event.slug == bindparam("slug")).options(*options)


ARCHIVED_MESSAGE = "The event is archived, so nothing about it can change."
CHECK_IN_CLOSED_MESSAGE = "Check-in is closed: the event is finished. An admin can reopen it (Lifecycle)."


def check_in_refusal(state: EventState | None) -> str | None:
    """Why an event in ``state`` takes no check-in (finished, or archived); None when it does."""
    if state == EventState.ARCHIVED:
        return ARCHIVED_MESSAGE
    if state == EventState.FINISHED:
        return CHECK_IN_CLOSED_MESSAGE
    return None


def event_state(slug: str) -> EventState | None:
    """Only the event's lifecycle state: one indexed lookup, for guards that run on every change."""
    return db.session.execute(_STATE_BY_SLUG, {"slug": slug}).scalar_one_or_none()


_STATE_BY_SLUG = select(Event.state).where(Event.slug == bindparam("slug"))


def get_event_or_404(slug: str, programme: bool = True) -> Event:
    event = get_event(slug, programme)
    if event is None:
        abort(404)
    return event


def list_events() -> list[Event]:
    return list(db.session.execute(select(Event).order_by(Event.starts_at.desc())).scalars())


# The states whose public page is up (a draft's is seen by staff only, as a preview).
PUBLIC_STATES = (EventState.PUBLISHED, EventState.FINISHED, EventState.ARCHIVED)


@dataclass(frozen=True)
class PublicListing:
    upcoming: list[Event]  # soonest first
    past: list[Event]  # most recent first


def public_events(now: datetime | None = None) -> PublicListing:
    now = now or utcnow()
    shown = db.session.execute(select(Event).where(Event.state.in_(PUBLIC_STATES)).order_by(Event.starts_at)
                               ).scalars().all()
    return PublicListing(upcoming=[e for e in shown if e.ends_at >= now and e.state == EventState.PUBLISHED],
                         past=[e for e in reversed(shown) if e.ends_at < now or e.state != EventState.PUBLISHED])


def get_public_event_or_404(slug: str, staff: bool, programme: bool = True) -> Event:
    """The event for its public pages: a draft only for staff (their preview), a 404 for everyone else."""
    event = get_event_or_404(slug, programme)
    if event.state == EventState.DRAFT and not staff:
        abort(404)
    return event


def registration_state(event: Event, now: datetime | None = None) -> str:
    """'not_yet', 'open' or 'closed': a published event's registration window; a draft's has not opened yet, a
    finished or archived event's has closed."""
    now = now or utcnow()
    if event.state == EventState.DRAFT:
        return "not_yet"
    if event.state != EventState.PUBLISHED:
        return "closed"
    if event.registration_opens_at and now < event.registration_opens_at:
        return "not_yet"
    closes = event.registration_closes_at or event.starts_at
    if now >= closes:
        return "closed"
    return "open"


@dataclass(frozen=True)
class SessionFigures:
    themed_session: ThemedSession
    first_choices: int
    ranked_by: int
    assigned: int

    @property
    def capacity(self) -> int:
        return self.themed_session.capacity


@dataclass(frozen=True)
class EventOverview:
    event: Event
    confirmed: int
    waitlisted: int
    cancelled: int
    sessions: list[SessionFigures]

    @property
    def registered(self) -> int:
        return self.confirmed + self.waitlisted

    @property
    def places_left(self) -> int | None:
        if self.event.capacity is None:
            return None
        return max(self.event.capacity - self.confirmed, 0)


def event_overview(event: Event) -> EventOverview:
    by_status = dict(
        db.session.execute(
            select(Registration.status, func.count())
            .where(Registration.event_id == event.id)
            .group_by(Registration.status)
        ).all()
    )
    live = Registration.status != RegistrationStatus.CANCELLED
    prefs = db.session.execute(
        select(
            SessionPreference.themed_session_id,
            func.count(),
            func.count().filter(SessionPreference.rank == 1),
        )
        .join(Registration, Registration.id == SessionPreference.registration_id)
        .where(Registration.event_id == event.id, live)
        .group_by(SessionPreference.themed_session_id)
    ).all()
    ranked = {sid: (total, first) for sid, total, first in prefs}
    assigned = dict(
        db.session.execute(
            select(Assignment.themed_session_id, func.count())
            .join(Registration, Registration.id == Assignment.registration_id)
            .where(Registration.event_id == event.id, live)
            .group_by(Assignment.themed_session_id)
        ).all()
    )
    sessions = [
        SessionFigures(
            themed_session=ts,
            first_choices=ranked.get(ts.id, (0, 0))[1],
            ranked_by=ranked.get(ts.id, (0, 0))[0],
            assigned=assigned.get(ts.id, 0),
        )
        for ts in event.themed_sessions
    ]
    return EventOverview(
        event=event,
        confirmed=by_status.get(RegistrationStatus.CONFIRMED, 0),
        waitlisted=by_status.get(RegistrationStatus.WAITLISTED, 0),
        cancelled=by_status.get(RegistrationStatus.CANCELLED, 0),
        sessions=sessions,
    )
