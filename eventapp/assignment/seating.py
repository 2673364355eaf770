"""One person at a time: move and pin, unpin, and seat latecomers in the best open seats, moving nobody."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..locking import holding_event_lock
from ..models import (
    Assignment,
    AssignmentMethod,
    Event,
    Registration,
    RegistrationStatus,
    StaffUser,
    ThemedSession,
    TimeSlot,
    utcnow,
)
from ..url_numbers import is_id
from .errors import InvalidSession, NoOpenSeat, NotConfirmed, NothingToDo, SessionFull, UnknownRegistration
from .solver import AttendeeInput, SessionInput, best_open_seats
from .state import Person, State, held_by_person, load_state, mark_badges_changed, require_assignment


def get_person(event: Event, registration_id: int) -> Registration | None:
    registration = db.session.get(Registration, registration_id) if is_id(registration_id) else None
    if registration is None or registration.event_id != event.id:
        return None
    return registration


def person_seats(registration: Registration) -> list[Assignment]:
    """Their assignment rows, in slot order."""
    return list(
        db.session.execute(
            select(Assignment)
            .join(TimeSlot, TimeSlot.id == Assignment.time_slot_id)
            .where(Assignment.registration_id == registration.id)
            .options(joinedload(Assignment.themed_session).joinedload(ThemedSession.time_slot))
            .order_by(TimeSlot.starts_at)
        ).scalars()
    )


def _confirmed_person(event: Event, registration_id: int) -> Registration:
    """Call with the event locked: the registration's status is read fresh."""
    registration = get_person(event, registration_id)
    if registration is None:
        raise UnknownRegistration("There is no such registration at this event.")
    db.session.refresh(registration)
    if registration.status != RegistrationStatus.CONFIRMED:
        raise NotConfirmed(
            f"{registration.full_name} is {registration.status.value}: only confirmed attendees get a session."
        )
    return registration


@dataclass(frozen=True)
class Moved:
    registration: Registration
    themed_session: ThemedSession
    over_capacity: bool  # the organiser chose to go over the session's capacity
    changed: bool  # False: they were already there and are now pinned


def move(
    event: Event,
    registration_id: int,
    themed_session_id: int,
    by: StaffUser | None,
    allow_over_capacity: bool = False,
    now: datetime | None = None,
) -> Moved:
    """Put a confirmed attendee in a session (replacing their session in that slot) and pin them there.

    A full session refuses unless `allow_over_capacity`. Commits."""
    now = now or utcnow()
    with holding_event_lock(event):
        registration = _confirmed_person(event, registration_id)
        target = db.session.get(ThemedSession, themed_session_id) if is_id(themed_session_id) else None
        if target is None or target.event_id != event.id:
            raise InvalidSession("Choose one of this event's sessions.")
        db.session.refresh(target)
        row = db.session.execute(
            select(Assignment).where(
                Assignment.registration_id == registration.id, Assignment.time_slot_id == target.time_slot_id
            )
        ).scalar_one_or_none()
        changed = row is None or row.themed_session_id != target.id
        over = False
        if changed:
            taken = _taken(target.id)
            if taken >= target.capacity:
                if not allow_over_capacity:
                    raise SessionFull(
                        f"“{target.title}” is full: {taken} of its {target.capacity} seats are taken. Choose "
                        "another session, or tick “Seat them even though the session is full” to go over "
                        "its capacity."
                    )
                over = True
            if row is None:
                row = Assignment(registration_id=registration.id, time_slot_id=target.time_slot_id)
                db.session.add(row)
            row.themed_session_id = target.id
        row.method = AssignmentMethod.MANUAL
        row.pinned = True
        row.assigned_by_id = by.id if by is not None else None
        if changed:
            row.created_at = now
            db.session.flush()
            _touch_person(registration.id, now)
            mark_badges_changed([registration.id], now)
    return Moved(registration, target, over, changed)


def _taken(themed_session_id: int) -> int:
    return db.session.execute(
        select(func.count())
        .select_from(Assignment)
        .join(Registration, Registration.id == Assignment.registration_id)
        .where(
            Assignment.themed_session_id == themed_session_id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    ).scalar_one()


def _touch_person(registration_id: int, now: datetime) -> None:
    """Their set of sessions changes: every row of theirs counts as new for the next publish."""
    db.session.execute(
        update(Assignment)
        .where(Assignment.registration_id == registration_id)
        .values(created_at=now)
        .execution_options(synchronize_session="fetch")
    )


def unpin(event: Event, registration_id: int) -> int:
    """Let the next run move this attendee again; their seat stays until then. How many pins were lifted."""
    with holding_event_lock(event):
        registration = get_person(event, registration_id)
        if registration is None:
            raise UnknownRegistration("There is no such registration at this event.")
        lifted = db.session.execute(
            update(Assignment)
            .where(Assignment.registration_id == registration.id, Assignment.pinned.is_(True))
            .values(pinned=False)
            .execution_options(synchronize_session="fetch")
        ).rowcount
    return lifted


@dataclass(frozen=True)
class Placed:
    registration_id: int
    full_name: str
    sessions: tuple[ThemedSession, ...]  # what they were given; empty if nothing was open


def _place(
    state: State, person: Person, held: list[Assignment], fill: Counter[int], by: StaffUser | None, now: datetime
) -> Placed:
    """Seat `person` (who holds `held`) in the best open seat of each slot they lack; adds to `held`, `fill`."""
    have = {row.time_slot_id for row in held}
    seats = best_open_seats(
        AttendeeInput(id=person.id, preferences=person.preferences),
        [SessionInput(s.id, s.time_slot_id, s.capacity) for s in state.sessions if s.time_slot_id not in have],
        fill,
    )
    given = []
    for slot_id, session_id in seats.items():
        row = Assignment(
            registration_id=person.id,
            themed_session_id=session_id,
            time_slot_id=slot_id,
            method=AssignmentMethod.LATE,
            pinned=False,
            assigned_by_id=by.id if by is not None else None,
        )
        db.session.add(row)
        held.append(row)
        fill[session_id] += 1
        given.append(state.session_by_id[session_id])
    if given:
        for row in held:  # their set of sessions changed: all of it is news at the next publish
            row.created_at = now
        mark_badges_changed([person.id], now)
    return Placed(person.id, person.full_name, tuple(given))


LATE_ONLY = "Placing people one by one is for those who register after it."


def place_late(event: Event, registration_id: int, by: StaffUser | None, now: datetime | None = None) -> Placed:
    """Give a confirmed attendee without a session the best open seat in each slot they lack, moving nobody."""
    now = now or utcnow()
    with holding_event_lock(event):
        registration = _confirmed_person(event, registration_id)
        state = load_state(event)
        require_assignment(state, LATE_ONLY)
        person = state.person_by_id[registration.id]
        held = held_by_person(state)[person.id]
        if len(held) >= len(state.slots):
            raise NothingToDo(f"{person.full_name} already has a session in every time slot.")
        placed = _place(state, person, held, state.fill(), by, now)
        if not placed.sessions:
            raise NoOpenSeat(
                f"There is no open seat for {person.full_name}: every session they could go to is full. "
                "Move them into a session by hand (you can go over capacity there), or re-run the assignment."
            )
    return placed


@dataclass(frozen=True)
class PlacedAll:
    placed: tuple[Placed, ...]  # people who got at least one seat
    left: tuple[str, ...]  # names of people still missing a seat somewhere (everything open is taken)


def place_all_late(event: Event, by: StaffUser | None, now: datetime | None = None) -> PlacedAll:
    """Seat every confirmed attendee who lacks a session, in registration order, moving nobody. Commits."""
    now = now or utcnow()
    with holding_event_lock(event):
        state = load_state(event)
        require_assignment(state, LATE_ONLY)
        held = held_by_person(state)
        newcomers = [p for p in state.people if len(held[p.id]) < len(state.slots)]
        if not newcomers:
            raise NothingToDo("Every confirmed attendee already has a session.")
        fill = state.fill()
        placed, left = [], []
        for person in newcomers:
            outcome = _place(state, person, held[person.id], fill, by, now)
            if outcome.sessions:
                placed.append(outcome)
            if len(held[person.id]) < len(state.slots):
                left.append(person.full_name)
    return PlacedAll(tuple(placed), tuple(left))
