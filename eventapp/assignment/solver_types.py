"""What the session-assignment solver (solver.py) takes and gives: its inputs, its result with a summary per
time slot, and the errors that say in an organiser's words why an input cannot be solved."""

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class AttendeeInput:
    """One attendee; ``preferences``: session ids, most wanted first (any slots, any number, maybe none)."""

    id: int
    preferences: tuple[int, ...] = ()
    registered_order: int = 0  # smaller registered earlier; ties fall back to the id
    accepts_unranked: bool = True


@dataclass(frozen=True)
class SessionInput:
    id: int
    slot: int
    capacity: int


@dataclass(frozen=True)
class SessionFill:
    assigned: int  # including pinned
    capacity: int
    pinned: int = 0


@dataclass(frozen=True)
class SlotSummary:
    """What one slot's assignment achieved; each attendee counts once in by_choice, unranked or unplaced."""

    slot: int
    by_choice: Mapping[int, int]  # 1 -> placed in their 1st choice (within this slot), 2 -> 2nd, ...
    unranked: int  # placed in a session they did not rank
    unplaced: tuple[int, ...]  # attendee ids with no session in this slot, sorted
    pinned: int  # how many of the placements were pins
    rank_cost: int  # the rule-3 objective: sum of (choice - 1), unranked = session count
    fill: Mapping[int, SessionFill]  # session id -> fill

    @property
    def placements(self) -> int:
        return sum(self.by_choice.values()) + self.unranked


@dataclass(frozen=True)
class AssignmentResult:
    assignments: Mapping[int, Mapping[int, int]]  # attendee id -> {slot: session id}; {} if placed nowhere
    slots: Mapping[int, SlotSummary]  # slot -> summary, in slot order

    @property
    def placements(self) -> int:
        return sum(s.placements for s in self.slots.values())

    @property
    def rank_cost(self) -> int:
        return sum(s.rank_cost for s in self.slots.values())

    @property
    def unranked(self) -> int:
        return sum(s.unranked for s in self.slots.values())

    @property
    def unplaced_count(self) -> int:
        """Slot places left empty-handed: one per attendee per slot they got nothing in."""
        return sum(len(s.unplaced) for s in self.slots.values())

    def by_choice(self) -> dict[int, int]:
        """Placements per choice number over all slots (unranked placements are not included)."""
        total: Counter[int] = Counter()
        for s in self.slots.values():
            total.update(s.by_choice)
        return dict(sorted(total.items()))

    def describe(self) -> str:
        """A few lines for a person: per slot, who got which choice and how full each session is."""
        lines = []
        for s in self.slots.values():
            choices = ", ".join(f"{_ordinal(c)}: {n}" for c, n in s.by_choice.items())
            fills = ", ".join(f"#{sid} {f.assigned}/{f.capacity}" for sid, f in s.fill.items())
            lines.append(
                f"slot {s.slot}: {choices}, unranked: {s.unranked}, no seat: {len(s.unplaced)}"
                f" (pinned {s.pinned}); fill {fills}"
            )
        return "\n".join(lines)


class AssignmentInputError(ValueError):
    """The input cannot be solved as given; the message says why in words an organiser understands."""


class PinnedOverCapacityError(AssignmentInputError):
    def __init__(self, overflows: Mapping[int, tuple[int, int]]):
        self.overflows = dict(overflows)  # session id -> (pinned, capacity)
        detail = "; ".join(
            f"session {sid} has {pinned} pinned attendees but only {cap} seats"
            for sid, (pinned, cap) in sorted(self.overflows.items())
        )
        super().__init__(
            f"Pinned attendees alone overfill a session: {detail}. Unpin some or raise the capacity."
        )


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"
