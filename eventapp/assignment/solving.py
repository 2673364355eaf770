"""Running the solver over the event: a preview, and an apply that writes its result in one transaction.

Kept across a re-run: pinned assignments (an organiser's move). Everything else (solver-made and late
placements) is the solver's to change. A pinned session is never overfilled by the solver; if an
organiser deliberately moved people into a full session, the re-run treats the pinned head-count as that
session's capacity for this run (it keeps them all and seats nobody unpinned there).
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime

from ..extensions import db
from ..locking import holding_event_lock
from ..models import Assignment, AssignmentMethod, Event, StaffUser, utcnow
from .errors import CannotSolve, StalePreview
from .reports import AssignmentReport, build_report
from .solver import (
    AssignmentInputError,
    AssignmentResult,
    AttendeeInput,
    PinnedOverCapacityError,
    SessionInput,
    solve,
)
from .state import State, load_state, mark_badges_changed, rows_by_key


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


def _solver_input(state: State) -> _Input:
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


def _run(state: State, inputs: _Input) -> AssignmentResult:
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


def _plan(state: State, inputs: _Input) -> Plan:
    result = _run(state, inputs)
    current = state.seats()
    proposed = {rid: dict(slots) for rid, slots in result.assignments.items()}
    changes = sum(1 for p in state.people if proposed.get(p.id, {}) != current.get(p.id, {}))
    return Plan(
        report=build_report(state, proposed, rows_by_key(state), current),
        fingerprint=inputs.fingerprint,
        changes=changes,
        result=result,
    )


def preview(event: Event) -> Plan:
    """What a run would do now, keeping the pins. Reads only."""
    state = load_state(event)
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
        state = load_state(event)
        inputs = _solver_input(state)
        if fingerprint is not None and fingerprint != inputs.fingerprint:
            raise StalePreview(
                "Registrations or pinned attendees changed since this preview was made, so it was not "
                "applied. Look at the new preview and apply that."
            )
        result = _run(state, inputs)
        changed, removed = _write(state, result, by, now)
        db.session.flush()
        after = load_state(event)
        report = build_report(after, after.seats(), rows_by_key(after))
    return Applied(report=report, changes=changed, removed=removed)


def _write(state: State, result: AssignmentResult, by: StaffUser | None, now: datetime) -> tuple[int, int]:
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
    mark_badges_changed(changed_people, now)
    return len(changed_people), removed
