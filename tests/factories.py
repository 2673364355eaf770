"""Small factories for test data: an event, a time slot and themed session, a registration, a staff user.

Each makes a valid row with every required value filled in, adds it to the session and flushes it (so it has
an id); keyword arguments set any column. The caller commits when the test wants the rows committed. The demo
seeder is for demos; a test that needs only a few rows makes them here.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from eventapp.extensions import db
from eventapp.models import (
    Event,
    EventState,
    Organisation,
    OrganisationKind,
    Registration,
    RegistrationStatus,
    SessionPreference,
    StaffUser,
    ThemedSession,
    TimeSlot,
    utcnow,
)
from eventapp.tokens import new_badge_secret, new_manage_secret

_numbers = itertools.count(1)
PASSWORD = "correct horse battery"


def _saved(row):
    db.session.add(row)
    db.session.flush()
    return row


def organisation(**values: Any) -> Organisation:
    n = next(_numbers)
    return _saved(Organisation(**{"name": f"Organisation {n}", "kind": OrganisationKind.NGO, **values}))


def event(starts_at: datetime | None = None, **values: Any) -> Event:
    """A published event a month from now, one day long, in UTC."""
    n = next(_numbers)
    starts_at = starts_at or utcnow() + timedelta(days=30)
    return _saved(Event(**{
        "slug": f"event-{n}", "name": f"Event {n}", "venue": "The Hall", "timezone": "UTC",
        "state": EventState.PUBLISHED, "starts_at": starts_at, "ends_at": starts_at + timedelta(hours=8), **values,
    }))


def time_slot(event: Event, **values: Any) -> TimeSlot:
    starts_at = values.pop("starts_at", event.starts_at)
    return _saved(TimeSlot(**{
        "event_id": event.id, "label": "Morning", "starts_at": starts_at, "ends_at": starts_at + timedelta(hours=1),
        **values,
    }))


def themed_session(event: Event, slot: TimeSlot | None = None, **values: Any) -> ThemedSession:
    """A session in ``slot`` (a new one when not given), led by a new organisation unless one is given."""
    n = next(_numbers)
    slot = slot or time_slot(event)
    lead = values.pop("lead_organisation", None) or organisation(kind=OrganisationKind.ACADEMIC)
    return _saved(ThemedSession(**{
        "event_id": event.id, "time_slot_id": slot.id, "title": f"Session {n}", "room": f"Room {n}",
        "lead_organisation_id": lead.id, "capacity": 30, **values,
    }))


def registration(event: Event, ranking: list[ThemedSession] = (), **values: Any) -> Registration:
    """A confirmed registration, ranking ``ranking`` best first."""
    n = next(_numbers)
    row = Registration(**{
        "event_id": event.id, "full_name": f"Person {n}", "email": f"person{n}@example.org", "consent_privacy": True,
        "status": RegistrationStatus.CONFIRMED, "badge_secret": new_badge_secret(),
        "manage_secret": new_manage_secret(), **values,
    })
    row.preferences = [SessionPreference(themed_session_id=s.id, rank=rank) for rank, s in enumerate(ranking, 1)]
    return _saved(row)


def staff_user(role: str = "admin", password: str = PASSWORD, **values: Any) -> StaffUser:
    """A staff user with ``role``, through the same service the app uses (so the password is hashed as it is)."""
    from eventapp.auth.service import create_staff_user

    n = next(_numbers)
    user = create_staff_user(values.pop("email", f"{role}{n}@example.org"), password, role, **values)
    db.session.flush()
    return user
