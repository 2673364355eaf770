"""Who a group message goes to: the groups an organiser can pick, each a query of registration ids."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, func, select

from ..extensions import db
from ..models import Assignment, CheckIn, Event, Registration, RegistrationStatus, ThemedSession

CONFIRMED = "confirmed"
WAITLISTED = "waitlisted"
SESSION = "session"
CHECKED_IN = "checked_in"
NOT_CHECKED_IN = "not_checked_in"
SELECTION = "selection"

LABELS = {
    CONFIRMED: "Everyone confirmed",
    WAITLISTED: "The waiting list",
    SESSION: "Everyone in one themed session",
    CHECKED_IN: "Confirmed and checked in",
    NOT_CHECKED_IN: "Confirmed and not checked in",
    SELECTION: "The people picked on the registrations list",
}
MAX_SELECTION = 10_000


@dataclass(frozen=True)
class Audience:
    kind: str
    themed_session_id: int | None = None
    selection: tuple[int, ...] = ()

    def describe(self, event: Event) -> str:
        if self.kind == SESSION:
            session = next((s for s in event.themed_sessions if s.id == self.themed_session_id), None)
            return f"Everyone in “{session.title if session else 'a removed session'}”"
        if self.kind == SELECTION:
            return f"{len(self.selection)} {'person' if len(self.selection) == 1 else 'people'} picked on the list"
        return LABELS[self.kind]


def _door_check_in(registration_id):
    return exists().where(CheckIn.registration_id == registration_id, CheckIn.themed_session_id.is_(None),
                          CheckIn.undone_at.is_(None))


def conditions(event: Event, audience: Audience) -> list:
    """The WHERE clauses that pick the audience's registrations of `event`."""
    where = [Registration.event_id == event.id]
    confirmed = Registration.status == RegistrationStatus.CONFIRMED
    if audience.kind == CONFIRMED:
        where.append(confirmed)
    elif audience.kind == WAITLISTED:
        where.append(Registration.status == RegistrationStatus.WAITLISTED)
    elif audience.kind == SESSION:
        where += [confirmed, exists().where(Assignment.registration_id == Registration.id,
                                            Assignment.themed_session_id == audience.themed_session_id)]
    elif audience.kind == CHECKED_IN:
        where += [confirmed, _door_check_in(Registration.id)]
    elif audience.kind == NOT_CHECKED_IN:
        where += [confirmed, ~_door_check_in(Registration.id)]
    elif audience.kind == SELECTION:
        where += [Registration.status != RegistrationStatus.CANCELLED,
                  Registration.id.in_(list(audience.selection) or [-1])]
    else:
        raise ValueError(f"unknown audience {audience.kind!r}")
    return where


def count(event: Event, audience: Audience) -> int:
    return db.session.execute(select(func.count()).select_from(Registration)
                              .where(*conditions(event, audience))).scalar_one()


def first(event: Event, audience: Audience) -> Registration | None:
    """A real attendee of the audience, for the preview."""
    return db.session.execute(select(Registration).where(*conditions(event, audience))
                              .order_by(Registration.id).limit(1)).scalar_one_or_none()


def ids_after(event: Event, audience: Audience, after: int, limit: int) -> list[int]:
    """The audience's registration ids above `after`, a batch at a time (memory stays bounded)."""
    return list(db.session.execute(select(Registration.id).where(*conditions(event, audience), Registration.id > after)
                                   .order_by(Registration.id).limit(limit)).scalars())


def valid_session(event: Event, session_id: int | None) -> ThemedSession | None:
    return next((s for s in event.themed_sessions if s.id == session_id), None)


def picked(event: Event, typed: list[str]) -> tuple[int, ...]:
    """The ids of the registrations picked on the list (repeated `registration_id` fields), checked to be this
    event's and not cancelled, in id order, each once."""
    ids = {int(value) for value in typed[:MAX_SELECTION] if value.isdigit() and len(value) < 12}
    if not ids:
        return ()
    return tuple(db.session.execute(select(Registration.id).where(
        Registration.event_id == event.id, Registration.status != RegistrationStatus.CANCELLED,
        Registration.id.in_(sorted(ids))).order_by(Registration.id)).scalars())
