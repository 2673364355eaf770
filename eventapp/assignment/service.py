"""Session assignment rules: the solver's input from the database, preview, apply, moves, latecomers, publish.

Who is assigned: confirmed registrations only. Preferences are read by rank; the solver's tie order is
registration order (created_at, then id). Every function that writes takes the event's registration lock
(:func:`eventapp.registration.service.holding_event_lock`), so two organisers pressing "apply" at once, or an
apply racing a cancellation, queue instead of interleaving; whatever they read is read after the lock.

Kept across a re-run: pinned assignments (an organiser's move). Everything else (solver-made and late
placements) is the solver's to change. A pinned session is never overfilled by the solver; if an
organiser deliberately moved people into a full session, the re-run treats the pinned head-count as that
session's capacity for this run (it keeps them all and seats nobody unpinned there).

What ``Assignment.created_at`` means here: when this person's set of sessions last changed. A row whose
session stays the same on a re-run keeps its created_at; when a person gains, loses or changes a session,
all of their rows get the current time. Publishing mails exactly those assigned confirmed attendees who
have a row newer than the previous ``Event.assignment_published_at`` (all of them on the first publish).
The same rule marks the badge as changed (``Registration.badge_changed_at``), as the badge prints the sessions.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime

from flask import render_template
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..mail.service import queue_mail
from ..models import (
    Assignment,
    AssignmentMethod,
    Event,
    Organisation,
    OutboundMail,
    Registration,
    RegistrationStatus,
    SessionPreference,
    StaffUser,
    ThemedSession,
    TimeSlot,
    utcnow,
)
from ..registration.service import holding_event_lock, manage_url
from ..rules import RuleBroken
from ..templating import format_local_time
from .solver import (
    AssignmentInputError,
    AssignmentResult,
    AttendeeInput,
    PinnedOverCapacityError,
    SessionInput,
    best_open_seats,
    solve,
)

MAIL_KIND = "assignment"


# --- errors a person can cause ---------------------------------------------------------------------------------


class AssignmentError(RuleBroken):
    """A rule an organiser's request breaks; `field` names the form field the sentence belongs next to."""


class UnknownRegistration(AssignmentError):
    """No such registration at this event (another event's, or no such id)."""


class NotConfirmed(AssignmentError):
    """Only confirmed registrations hold seats."""


class InvalidSession(AssignmentError):
    field = "themed_session_id"


class SessionFull(AssignmentError):
    field = "themed_session_id"


class NothingToDo(AssignmentError):
    """The action has nothing to act on (no assignment yet, everyone already seated, ...)."""


class NoOpenSeat(AssignmentError):
    pass


class StalePreview(AssignmentError):
    """Registrations or pins changed between the preview and the apply."""


class CannotSolve(AssignmentError):
    pass


# --- reading the event's state -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Person:
    id: int
    full_name: str
    family_name: str | None
    organisation: str | None
    email: str
    created_at: datetime
    preferences: tuple[int, ...]  # this event's session ids, best first


@dataclass
class _State:
    event: Event
    sessions: list[ThemedSession]  # by slot start, then position
    slots: list[TimeSlot]  # the slots that have sessions, by start
    people: list[_Person]  # confirmed, in registration order
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


def _load(event: Event) -> _State:
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
        _Person(rid, name, family, org, email, created, tuple(ranked.get(rid, ())))
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
    return _State(event=event, sessions=sessions, slots=slots, people=people, rows=rows)


# --- what the pages and the CLI show -------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonLine:
    registration_id: int
    full_name: str
    organisation: str | None
    choice: int | None  # 1: their favourite among this slot's sessions; None: a session they did not rank
    method: AssignmentMethod | None  # how they got the seat; None in a preview for a seat not yet written
    pinned: bool
    moved: bool = False  # preview: this is not the session they hold now


@dataclass(frozen=True)
class SessionLine:
    themed_session: ThemedSession
    people: tuple[PersonLine, ...]

    @property
    def capacity(self) -> int:
        return self.themed_session.capacity

    @property
    def assigned(self) -> int:
        return len(self.people)

    @property
    def pinned(self) -> int:
        return sum(1 for p in self.people if p.pinned)

    @property
    def free(self) -> int:
        return max(self.capacity - self.assigned, 0)

    @property
    def over(self) -> int:
        return max(self.assigned - self.capacity, 0)


@dataclass(frozen=True)
class SlotReport:
    time_slot: TimeSlot
    by_choice: dict[int, int]  # 1 -> how many got their 1st choice among this slot's sessions, 2 -> ...
    unranked: int  # seated in a session they did not rank
    none: int  # confirmed attendees with no session in this slot
    sessions: tuple[SessionLine, ...]

    @property
    def seated(self) -> int:
        return sum(self.by_choice.values()) + self.unranked


@dataclass(frozen=True)
class Unseated:
    """A confirmed attendee without a session in some slot: a latecomer, or someone a run could not seat."""

    registration_id: int
    full_name: str
    organisation: str | None
    registered_at: datetime
    preferences: tuple[str, ...]  # session titles, best first
    missing_slots: tuple[str, ...]  # labels of the slots they have no session in


@dataclass(frozen=True)
class AssignmentReport:
    event: Event
    confirmed: int
    slots: tuple[SlotReport, ...]
    unseated: tuple[Unseated, ...]

    @property
    def within_capacity(self) -> bool:
        return all(line.over == 0 for slot in self.slots for line in slot.sessions)


def _sort_key(person: _Person) -> tuple[str, str]:
    return ((person.family_name or person.full_name).casefold(), person.full_name.casefold())


def _report(
    state: _State,
    seats: dict[int, dict[int, int]],
    rows: dict[tuple[int, int], Assignment] | None = None,
    current: dict[int, dict[int, int]] | None = None,
) -> AssignmentReport:
    """Summarise `seats` (registration id -> {slot: session}); `rows` gives methods and pins where written,
    `current` marks who a preview would move."""
    rows = rows or {}
    slot_reports = []
    for slot in state.slots:
        in_slot = state.sessions_in_slot[slot.id]
        slot_ids = {s.id for s in in_slot}
        by_choice = dict.fromkeys(range(1, len(in_slot) + 1), 0)
        unranked = none = 0
        members: dict[int, list[tuple[tuple[str, str], PersonLine]]] = defaultdict(list)
        for person in state.people:
            session_id = seats.get(person.id, {}).get(slot.id)
            if session_id is None:
                none += 1
                continue
            ranked_here = [sid for sid in person.preferences if sid in slot_ids]
            choice = ranked_here.index(session_id) + 1 if session_id in ranked_here else None
            if choice is None:
                unranked += 1
            else:
                by_choice[choice] += 1
            row = rows.get((person.id, slot.id))
            written = row is not None and row.themed_session_id == session_id
            moved = current is not None and current.get(person.id, {}).get(slot.id) != session_id
            line = PersonLine(
                registration_id=person.id,
                full_name=person.full_name,
                organisation=person.organisation,
                choice=choice,
                method=row.method if written else None,
                pinned=bool(written and row.pinned),
                moved=moved,
            )
            members[session_id].append((_sort_key(person), line))
        sessions = tuple(
            SessionLine(s, tuple(line for _, line in sorted(members[s.id], key=lambda m: m[0]))) for s in in_slot
        )
        slot_reports.append(SlotReport(slot, by_choice, unranked, none, sessions))
    unseated = []
    for person in state.people:
        missing = [slot.label for slot in state.slots if slot.id not in seats.get(person.id, {})]
        if missing:
            unseated.append(
                Unseated(
                    registration_id=person.id,
                    full_name=person.full_name,
                    organisation=person.organisation,
                    registered_at=person.created_at,
                    preferences=tuple(state.session_by_id[sid].title for sid in person.preferences),
                    missing_slots=tuple(missing),
                )
            )
    return AssignmentReport(state.event, len(state.people), tuple(slot_reports), tuple(unseated))


def _rows_by_key(state: _State) -> dict[tuple[int, int], Assignment]:
    return {(r.registration_id, r.time_slot_id): r for r in state.live_rows()}


@dataclass(frozen=True)
class Overview:
    """The assignment as it stands in the database."""

    report: AssignmentReport
    has_assignments: bool
    published_at: datetime | None
    to_mail: int  # how many attendees a publish now would mail


def overview(event: Event) -> Overview:
    state = _load(event)
    seats = state.seats()
    return Overview(
        report=_report(state, seats, _rows_by_key(state)),
        has_assignments=bool(state.live_rows()),
        published_at=event.assignment_published_at,
        to_mail=len(_publish_recipients(state, event.assignment_published_at)),
    )


# --- running the solver --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Input:
    attendees: list[AttendeeInput]
    sessions: list[SessionInput]
    pins: dict[int, list[int]]

    @property
    def fingerprint(self) -> str:
        """Changes whenever the solver's input does: an apply checks it against what the preview showed."""
        canonical = repr((self.attendees, self.sessions, sorted(self.pins.items())))
        return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def _solver_input(state: _State) -> _Input:
    attendees = [
        AttendeeInput(id=p.id, preferences=p.preferences, registered_order=order)
        for order, p in enumerate(state.people)
    ]
    pins: dict[int, list[int]] = defaultdict(list)
    pinned_fill: Counter[int] = Counter()
    for row in state.live_rows():
        if row.pinned:
            pins[row.registration_id].append(row.themed_session_id)
            pinned_fill[row.themed_session_id] += 1
    # An organiser who pinned people into a full session on purpose has widened it for them: keep them all.
    sessions = [
        SessionInput(id=s.id, slot=s.time_slot_id, capacity=max(s.capacity, pinned_fill[s.id]))
        for s in state.sessions
    ]
    return _Input(attendees, sessions, {rid: sorted(sids) for rid, sids in pins.items()})


def _run(state: _State, inputs: _Input) -> AssignmentResult:
    try:
        return solve(inputs.attendees, inputs.sessions, inputs.pins)
    except PinnedOverCapacityError as error:
        detail = "; ".join(
            f"“{state.session_by_id[sid].title}” has {pinned} pinned attendees but {capacity} seats"
            for sid, (pinned, capacity) in sorted(error.overflows.items())
        )
        raise CannotSolve(f"Pinned attendees alone overfill a session: {detail}. Unpin some first.") from error
    except AssignmentInputError as error:
        raise CannotSolve(f"The assignment cannot be run: {error}") from error


@dataclass(frozen=True)
class Plan:
    """A run of the solver over the current registrations and pins, and how it differs from the database."""

    report: AssignmentReport
    fingerprint: str
    changes: int  # confirmed attendees whose sessions would differ from what they hold now
    result: AssignmentResult


def _plan(state: _State, inputs: _Input) -> Plan:
    result = _run(state, inputs)
    current = state.seats()
    proposed = {rid: dict(slots) for rid, slots in result.assignments.items()}
    changes = sum(1 for p in state.people if proposed.get(p.id, {}) != current.get(p.id, {}))
    return Plan(
        report=_report(state, proposed, _rows_by_key(state), current),
        fingerprint=inputs.fingerprint,
        changes=changes,
        result=result,
    )


def preview(event: Event) -> Plan:
    """What a run would do now, keeping the pins. Reads only."""
    state = _load(event)
    return _plan(state, _solver_input(state))


@dataclass(frozen=True)
class Applied:
    report: AssignmentReport  # the database after the apply
    changes: int  # people whose sessions changed
    removed: int  # stale rows of registrations no longer confirmed


def apply(
    event: Event, by: StaffUser | None = None, fingerprint: str | None = None, now: datetime | None = None
) -> Applied:
    """Run the solver and write its result in one transaction: pinned rows stay, unpinned rows follow the
    run (a row whose session is unchanged is left as it is). With `fingerprint` (from a preview), refuses
    if the input changed since. Commits."""
    now = now or utcnow()
    with holding_event_lock(event):
        state = _load(event)
        inputs = _solver_input(state)
        if fingerprint is not None and fingerprint != inputs.fingerprint:
            raise StalePreview(
                "Registrations or pinned attendees changed since this preview was made, so it was not "
                "applied. Look at the new preview and apply that."
            )
        result = _run(state, inputs)
        changed, removed = _write(state, result, by, now)
        db.session.flush()
        after = _load(event)
        report = _report(after, after.seats(), _rows_by_key(after))
    return Applied(report=report, changes=changed, removed=removed)


def _write(state: _State, result: AssignmentResult, by: StaffUser | None, now: datetime) -> tuple[int, int]:
    by_id = by.id if by is not None else None
    held: dict[int, dict[int, Assignment]] = defaultdict(dict)
    removed = 0
    for row in state.rows:
        if row.registration_id in state.person_by_id:
            held[row.registration_id][row.time_slot_id] = row
        else:  # cancellation deletes these already; a registration that left "confirmed" some other way
            db.session.delete(row)
            removed += 1
    changed_people = []
    for person in state.people:
        wanted = result.assignments.get(person.id, {})
        rows = held.get(person.id, {})
        changed = False
        for slot_id in sorted(set(wanted) | set(rows)):
            row, session_id = rows.get(slot_id), wanted.get(slot_id)
            if row is not None and row.pinned:
                continue  # the solver keeps every pin where it is
            if session_id is None:
                db.session.delete(row)
                del rows[slot_id]
                changed = True
            elif row is None:
                rows[slot_id] = Assignment(
                    registration_id=person.id,
                    themed_session_id=session_id,
                    time_slot_id=slot_id,
                    method=AssignmentMethod.SOLVER,
                    pinned=False,
                    assigned_by_id=by_id,
                    created_at=now,
                )
                db.session.add(rows[slot_id])
                changed = True
            elif row.themed_session_id != session_id:
                row.themed_session_id = session_id
                row.method = AssignmentMethod.SOLVER
                row.assigned_by_id = by_id
                changed = True
        if changed:
            for row in rows.values():
                row.created_at = now
            changed_people.append(person.id)
    _badges_changed(changed_people, now)
    return len(changed_people), removed


def _badges_changed(registration_ids: list[int], now: datetime) -> None:
    """The badge prints the sessions: mark it for reprinting."""
    for start in range(0, len(registration_ids), 500):
        db.session.execute(
            update(Registration)
            .where(Registration.id.in_(registration_ids[start : start + 500]))
            .values(badge_changed_at=now)
            .execution_options(synchronize_session=False)
        )


# --- one person: move, unpin, seat a latecomer ---------------------------------------------------------------


def get_person(event: Event, registration_id: int) -> Registration | None:
    registration = db.session.get(Registration, registration_id) if 0 < registration_id < 2**31 else None
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
        target = db.session.get(ThemedSession, themed_session_id) if 0 < themed_session_id < 2**31 else None
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
            _badges_changed([registration.id], now)
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
    state: _State, person: _Person, held: list[Assignment], fill: Counter[int], by: StaffUser | None, now: datetime
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
        _badges_changed([person.id], now)
    return Placed(person.id, person.full_name, tuple(given))


def _require_assignment(state: _State, doing: str) -> None:
    if not state.live_rows():
        raise NothingToDo(f"Nobody has a session yet: run the assignment first. {doing}")


LATE_ONLY = "Placing people one by one is for those who register after it."


def _held(state: _State) -> dict[int, list[Assignment]]:
    held: dict[int, list[Assignment]] = defaultdict(list)
    for row in state.live_rows():
        held[row.registration_id].append(row)
    return held


def place_late(event: Event, registration_id: int, by: StaffUser | None, now: datetime | None = None) -> Placed:
    """Give a confirmed attendee without a session the best open seat in each slot they lack, moving nobody."""
    now = now or utcnow()
    with holding_event_lock(event):
        registration = _confirmed_person(event, registration_id)
        state = _load(event)
        _require_assignment(state, LATE_ONLY)
        person = state.person_by_id[registration.id]
        held = _held(state)[person.id]
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
        state = _load(event)
        _require_assignment(state, LATE_ONLY)
        held = _held(state)
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


# --- publishing ----------------------------------------------------------------------------------------------


def _publish_recipients(state: _State, previous: datetime | None) -> list[_Person]:
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
        state = _load(event)
        _require_assignment(state, "Then publish it.")
        recipients = _publish_recipients(state, previous)
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
            for person in recipients:
                sessions = sorted(
                    (state.session_by_id[r.themed_session_id] for r in rows[person.id]),
                    key=lambda s: s.time_slot.starts_at,
                )
                _queue_mail(event, registrations[person.id], sessions, changed=person.id in told_before)
        event.assignment_published_at = now
        seated = {r.registration_id for r in state.live_rows()}
    return Published(
        mailed=len(recipients),
        first=previous is None,
        unseated=sum(1 for p in state.people if p.id not in seated),
    )


def _queue_mail(event: Event, registration: Registration, sessions: list[ThemedSession], changed: bool) -> None:
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
