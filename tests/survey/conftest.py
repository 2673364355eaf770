"""Survey fixtures: the demo conference after the day (some checked in at the door, some at their session too,
one check-in undone, some who never came), and a real SMTP server."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from eventapp.demo.service import seed_demo
from eventapp.extensions import db as _db
from eventapp.models import (
    Assignment,
    AssignmentMethod,
    CheckIn,
    Event,
    Registration,
    RegistrationStatus,
)


@dataclass
class After:
    event: Event
    came: list[Registration]  # checked in (door, and most at their session)
    absent: list[Registration]  # confirmed, never checked in (one of them had a check-in undone)
    waitlisted: Registration
    at_session: dict[int, set[int]]  # themed session id -> ids of people checked in at its door
    assigned: dict[int, set[int]]  # themed session id -> ids of the people assigned to it

    def attended(self, registration_id: int) -> set[int]:
        """Sessions attended: checked in at the session; where session check-in was not used, assigned to it."""
        return {sid for sid, ids in self.at_session.items() if registration_id in ids} | {
            sid for sid, ids in self.assigned.items() if not self.at_session[sid] and registration_id in ids
            and registration_id in {p.id for p in self.came}}


def seed_after_event(attendees: int = 15) -> After:
    event = seed_demo(attendees=attendees).event
    people = list(_db.session.execute(
        select(Registration).where(Registration.event_id == event.id).order_by(Registration.id)).scalars())
    waitlisted = people[-1]
    waitlisted.status = RegistrationStatus.WAITLISTED
    waitlisted.waitlisted_at = event.starts_at - timedelta(days=2)
    confirmed = [p for p in people if p.status == RegistrationStatus.CONFIRMED]
    sessions = event.themed_sessions
    came, absent, at_session = [], [], {ts.id: set() for ts in sessions}
    assigned = {ts.id: set() for ts in sessions}
    for i, person in enumerate(confirmed):
        ts = sessions[i % len(sessions)]
        _db.session.add(Assignment(registration_id=person.id, themed_session_id=ts.id, time_slot_id=ts.time_slot_id,
                                   method=AssignmentMethod.SOLVER))
        assigned[ts.id].add(person.id)
        if i % 4 == 3:
            absent.append(person)
            continue
        came.append(person)
        _db.session.add(CheckIn(event_id=event.id, registration_id=person.id, checked_in_at=event.starts_at,
                                method="scan"))
        if i % 3 != 2:  # session check-in used at the first two sessions, not at the third
            _db.session.add(CheckIn(event_id=event.id, registration_id=person.id, themed_session_id=ts.id,
                                    checked_in_at=event.starts_at + timedelta(hours=1), method="scan"))
            at_session[ts.id].add(person.id)
    _db.session.add(CheckIn(event_id=event.id, registration_id=absent[0].id, checked_in_at=event.starts_at,
                            undone_at=event.starts_at + timedelta(minutes=1), method="scan"))
    _db.session.commit()
    return After(event=event, came=came, absent=absent, waitlisted=waitlisted, at_session=at_session,
                 assigned=assigned)


@pytest.fixture
def after(app) -> After:
    return seed_after_event()
