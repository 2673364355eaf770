"""The event's assignment state read from the database in a few queries: sessions, confirmed people, rows.

Who is assigned: confirmed registrations only. Preferences are read by rank; the solver's tie order is
registration order (created_at, then id).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import (
    Assignment,
    Event,
    Organisation,
    Registration,
    RegistrationStatus,
    SessionPreference,
    ThemedSession,
    TimeSlot,
)
from .errors import NothingToDo


@dataclass(frozen=True)
class Person:
    id: int
    full_name: str
    family_name: str | None
    organisation: str | None
    email: str
    created_at: datetime
    preferences: tuple[int, ...]  # this event's session ids, best first


@dataclass
class State:
    event: Event
    sessions: list[ThemedSession]  # by slot start, then position
    slots: list[TimeSlot]  # the slots that have sessions, by start
    people: list[Person]  # confirmed, in registration order
    rows: list[Assignment]  # every assignment row of the event, whatever the registration's status

    def __post_init__(self) -> None:
        self.session_by_id = {s.id: s for s in self.sessions}
        self.person_by_id = {p.id: p for p in self.people}
        self.sessions_in_slot: dict[int, list[ThemedSession]] = defaultdict(list)
        for s in self.sessions:
            self.sessions_in_slot[s.time_slot_id].append(s)

    def live_rows(self) -> list[Assignment]:
        return [r for r in self.rows if r.registration_id in self.person_by_id]

    def seats(self) -> dict[int, dict[int, int]]:
        """registration id -> {slot id: session id}, for confirmed people."""
        seats: dict[int, dict[int, int]] = defaultdict(dict)
        for row in self.live_rows():
            seats[row.registration_id][row.time_slot_id] = row.themed_session_id
        return seats

    def fill(self) -> Counter[int]:
        return Counter(row.themed_session_id for row in self.live_rows())


def load_state(event: Event) -> State:
    sessions = list(
        db.session.execute(
            select(ThemedSession)
            .join(TimeSlot, TimeSlot.id == ThemedSession.time_slot_id)
            .where(ThemedSession.event_id == event.id)
            .options(joinedload(ThemedSession.time_slot))
            .order_by(TimeSlot.starts_at, ThemedSession.position, ThemedSession.id)
            .execution_options(populate_existing=True)  # a capacity someone changed a moment ago
        ).scalars()
    )
    known = {s.id for s in sessions}
    slots: list[TimeSlot] = []
    for s in sessions:
        if s.time_slot not in slots:
            slots.append(s.time_slot)
    people_rows = db.session.execute(
        select(
            Registration.id,
            Registration.full_name,
            Registration.family_name,
            Organisation.name,
            Registration.email,
            Registration.created_at,
        )
        .outerjoin(Organisation, Organisation.id == Registration.organisation_id)
        .where(Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)
        .order_by(Registration.created_at, Registration.id)
    ).all()
    ranked: dict[int, list[int]] = defaultdict(list)
    for registration_id, session_id in db.session.execute(
        select(SessionPreference.registration_id, SessionPreference.themed_session_id)
        .join(Registration, Registration.id == SessionPreference.registration_id)
        .where(Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)
        .order_by(SessionPreference.registration_id, SessionPreference.rank)
    ):
        if session_id in known:  # the registration form only offers this event's sessions; never trust it
            ranked[registration_id].append(session_id)
    people = [
        Person(rid, name, family, org, email, created, tuple(ranked.get(rid, ())))
        for rid, name, family, org, email, created in people_rows
    ]
    rows = list(
        db.session.execute(
            select(Assignment)
            .join(Registration, Registration.id == Assignment.registration_id)
            .where(Registration.event_id == event.id)
            .order_by(Assignment.id)
            .execution_options(populate_existing=True)
        ).scalars()
    )
    return State(event=event, sessions=sessions, slots=slots, people=people, rows=rows)


def rows_by_key(state: State) -> dict[tuple[int, int], Assignment]:
    return {(r.registration_id, r.time_slot_id): r for r in state.live_rows()}


def held_by_person(state: State) -> dict[int, list[Assignment]]:
    held: dict[int, list[Assignment]] = defaultdict(list)
    for row in state.live_rows():
        held[row.registration_id].append(row)
    return held


def require_assignment(state: State, doing: str) -> None:
    if not state.live_rows():
        raise NothingToDo(f"Nobody has a session yet: run the assignment first. {doing}")


def mark_badges_changed(registration_ids: list[int], now: datetime) -> None:
    """The badge prints the sessions: mark it for reprinting."""
    for start in range(0, len(registration_ids), 500):
        db.session.execute(
            update(Registration)
            .where(Registration.id.in_(registration_ids[start : start + 500]))
            .values(badge_changed_at=now)
            .execution_options(synchronize_session=False)
        )
