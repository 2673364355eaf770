"""What the assignment pages and the CLI show: per slot and session, who sits where and by which choice."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from ..models import Assignment, AssignmentMethod, Event, ThemedSession, TimeSlot
from .publishing import publish_recipients
from .state import Person, State, load_state, rows_by_key


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


def _sort_key(person: Person) -> tuple[str, str]:
    return ((person.family_name or person.full_name).casefold(), person.full_name.casefold())


def build_report(
    state: State,
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




@dataclass(frozen=True)
class Overview:
    """The assignment as it stands in the database."""

    report: AssignmentReport
    has_assignments: bool
    published_at: datetime | None
    to_mail: int  # how many attendees a publish now would mail


def overview(event: Event) -> Overview:
    state = load_state(event)
    seats = state.seats()
    return Overview(
        report=build_report(state, seats, rows_by_key(state)),
        has_assignments=bool(state.live_rows()),
        published_at=event.assignment_published_at,
        to_mail=len(publish_recipients(state, event.assignment_published_at)),
    )
