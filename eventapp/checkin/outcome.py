"""What a check-in answers: one result from a fixed list, with who was scanned and when they arrived.

A typed value made by the service; the API turns it into JSON (``as_json``), and the scan log keeps that JSON so
that a retried scan is answered again with the very same outcome (``from_json``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any


class Result(enum.StrEnum):
    OK = "ok"
    ALREADY_CHECKED_IN = "already_checked_in"
    UNKNOWN_CODE = "unknown_code"
    BADGE_REPLACED = "badge_replaced"
    CANCELLED = "cancelled"
    WAITLISTED = "waitlisted"
    WRONG_SESSION = "wrong_session"
    NOT_THIS_EVENT = "not_this_event"


# The answers that wrote a check-in (wrong_session records the attendance and warns).
RECORDED = frozenset({Result.OK, Result.WRONG_SESSION})

_REFUSALS = {
    Result.UNKNOWN_CODE: "Not a badge of this event.",
    Result.BADGE_REPLACED: "This badge was replaced by a newer one. Ask for the new badge, or find them by name.",
    Result.CANCELLED: "This registration was cancelled.",
    Result.WAITLISTED: "This person is on the waiting list, not confirmed.",
    Result.NOT_THIS_EVENT: "This badge is for another event.",
}


@dataclass(frozen=True)
class SessionRef:
    id: int
    title: str
    room: str | None
    time_slot_id: int | None = None  # what "assigned elsewhere" compares; not part of the answer

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "room": self.room}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> SessionRef | None:
        return None if data is None else cls(id=data["id"], title=data["title"], room=data.get("room"))


@dataclass(frozen=True)
class Attendee:
    id: int
    name: str
    organisation: str | None
    assigned_sessions: tuple[SessionRef, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "organisation": self.organisation,
            "assigned_sessions": [s.as_json() for s in self.assigned_sessions],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Attendee | None:
        if data is None:
            return None
        return cls(
            id=data["id"], name=data["name"], organisation=data.get("organisation"),
            assigned_sessions=tuple(SessionRef.from_json(s) for s in data.get("assigned_sessions", ())),
        )


@dataclass(frozen=True)
class Arrival:
    """When and by whom someone was checked in: by this scan, or (already checked in) by an earlier one."""

    at: datetime
    at_local: str  # in the event's zone, as the scanner shows it
    by: str
    earlier_check_in_id: int | None = None  # set when it was an earlier scan


@dataclass(frozen=True)
class CheckInOutcome:
    result: Result
    attendee: Attendee | None = None
    session: SessionRef | None = None  # where the scan was made; None: the door
    check_in_id: int | None = None  # the check-in this scan wrote
    arrival: Arrival | None = None
    assigned_session: SessionRef | None = None  # wrong_session: where they were assigned instead
    replayed: bool = False  # answered from the log: a scanner's retry of a scan already made

    @property
    def recorded(self) -> bool:
        return self.result in RECORDED

    @property
    def message(self) -> str:
        where = f" at {self.session.title}" if self.session else ""
        if self.result == Result.OK:
            return f"Checked in{where}."
        if self.result == Result.ALREADY_CHECKED_IN:
            return f"Already checked in{where} at {self.arrival.at_local} by {self.arrival.by}."
        if self.result == Result.WRONG_SESSION:
            other = self.assigned_session
            room = f" ({other.room})" if other.room else ""
            return f"Checked in{where}, but assigned to {other.title}{room}."
        return _REFUSALS[self.result]

    def with_check_in(self, check_in_id: int) -> CheckInOutcome:
        return replace(self, check_in_id=check_in_id)

    def as_json(self) -> dict[str, Any]:
        """The API's answer (and what the scan log keeps of it)."""
        answer: dict[str, Any] = {
            "check_in_id": self.check_in_id,
            "result": self.result.value,
            "message": self.message,
            "recorded": self.recorded,
            "attendee": self.attendee.as_json() if self.attendee else None,
            "session": self.session.as_json() if self.session else None,
        }
        if self.arrival is not None:
            answer.update(
                checked_in_at=self.arrival.at.isoformat(),
                checked_in_at_local=self.arrival.at_local,
                checked_in_by=self.arrival.by,
            )
            if self.arrival.earlier_check_in_id is not None:
                answer["earlier_check_in_id"] = self.arrival.earlier_check_in_id
        if self.assigned_session is not None:
            answer["assigned_session"] = self.assigned_session.as_json()
        if self.replayed:
            answer["replayed"] = True
        return answer

    @classmethod
    def from_json(cls, answer: dict[str, Any], *, replayed: bool = False) -> CheckInOutcome:
        arrival = None
        if "checked_in_at" in answer:
            arrival = Arrival(
                at=datetime.fromisoformat(answer["checked_in_at"]), at_local=answer["checked_in_at_local"],
                by=answer["checked_in_by"], earlier_check_in_id=answer.get("earlier_check_in_id"),
            )
        return cls(
            result=Result(answer["result"]),
            attendee=Attendee.from_json(answer.get("attendee")),
            session=SessionRef.from_json(answer.get("session")),
            check_in_id=answer.get("check_in_id"),
            arrival=arrival,
            assigned_session=SessionRef.from_json(answer.get("assigned_session")),
            replayed=replayed or bool(answer.get("replayed")),
        )

    @property
    def answer(self) -> dict[str, Any]:
        """The answer as the API sends it (for callers that read it as data: tests, the command line)."""
        return self.as_json()
