"""The door list: what a scanner device keeps to answer offline, for one event, and what changed since its last copy.

Per registration: its id, a one-way digest of its badge secret (never the secret: a copy of the device's storage
lets nobody make a badge), the name and organisation the answer shows, its status, its assigned sessions (once
published) and its live check-ins (door and sessions: when and by whom). Also the event's sessions with their time
slots (for ``wrong_session``) and the digests of replaced badges (for ``badge_replaced``).

A refresh names the cursor of the copy it has; it gets only the registrations that changed since (their row, badge,
check-ins or assignments), and the event's registration count, which tells the device that someone was deleted
(the count no longer matches) and a full copy is due.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, union

from ..extensions import db
from ..models import (
    Assignment,
    CheckIn,
    Event,
    EventState,
    Organisation,
    Registration,
    RegistrationStatus,
    ReplacedBadge,
    ScannerDevice,
    StaffUser,
    ThemedSession,
    TimeSlot,
    utcnow,
)

# Status codes as the device stores them: the answer's result for that status.
STATUS = {"confirmed": "c", "waitlisted": "w", "cancelled": "x"}
CLOSED_STATES = frozenset({EventState.FINISHED, EventState.ARCHIVED})
# A row committed just before the cursor was taken may carry a timestamp a little earlier than a transaction
# still open then: the next refresh looks back this far, and the device keeps whichever copy is newest.
OVERLAP = timedelta(seconds=5)


def badge_digest(event_id: int, secret: str) -> str:
    """The device's key for a badge: sha256 over the event and the secret, 128 bits, base64url.

    The device computes the same from a scanned code (offline.js) and looks it up; 130 random bits of secret make
    the digest impossible to turn back into a badge.
    """
    raw = hashlib.sha256(f"eventapp-door:{event_id}:{secret}".encode("ascii")).digest()[:16]
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class DoorEvent:
    id: int
    slug: str
    name: str
    timezone: str
    state: str
    assignments_published: bool

    @property
    def closed(self) -> bool:
        return self.state in CLOSED_STATES


def door_event(slug: str) -> DoorEvent | None:
    row = db.session.execute(
        select(Event.id, Event.slug, Event.name, Event.timezone, Event.state, Event.assignment_published_at)
        .where(Event.slug == slug)
    ).one_or_none()
    if row is None:
        return None
    return DoorEvent(row.id, row.slug, row.name, row.timezone, EventState(row.state).value,
                     row.assignment_published_at is not None)


def _changed_since(event_id: int, since: datetime):
    """The ids of this event's registrations with anything the device keeps changed at or after ``since``."""
    return union(
        select(Registration.id).where(
            Registration.event_id == event_id,
            or_(Registration.updated_at >= since, Registration.badge_changed_at >= since),
        ),
        select(CheckIn.registration_id).where(
            CheckIn.event_id == event_id, or_(CheckIn.checked_in_at >= since, CheckIn.undone_at >= since)
        ),
        select(Assignment.registration_id)
        .join(Registration, Registration.id == Assignment.registration_id)
        .where(Registration.event_id == event_id, Assignment.created_at >= since),
        select(ReplacedBadge.registration_id)
        .join(Registration, Registration.id == ReplacedBadge.registration_id)
        .where(Registration.event_id == event_id, ReplacedBadge.replaced_at >= since),
    ).subquery()


def build(event: DoorEvent, since: datetime | None) -> dict:
    """The door list (``since`` None) or what changed since ``since``: a JSON-ready dict."""
    cursor = utcnow()
    people_query = (
        select(Registration.id, Registration.badge_secret, Registration.full_name, Organisation.name,
               Registration.status)
        .outerjoin(Organisation, Organisation.id == Registration.organisation_id)
        .where(Registration.event_id == event.id)
    )
    check_in_query = (
        select(CheckIn.registration_id, CheckIn.themed_session_id, CheckIn.checked_in_at, StaffUser.display_name,
               StaffUser.email, ScannerDevice.name, CheckIn.device_label)
        .outerjoin(StaffUser, StaffUser.id == CheckIn.staff_user_id)
        .outerjoin(ScannerDevice, ScannerDevice.id == CheckIn.scanner_device_id)
        .where(CheckIn.event_id == event.id, CheckIn.undone_at.is_(None))
    )
    assignment_query = (
        select(Assignment.registration_id, Assignment.themed_session_id)
        .join(Registration, Registration.id == Assignment.registration_id)
        .where(Registration.event_id == event.id)
    )
    replaced_query = (
        select(ReplacedBadge.registration_id, ReplacedBadge.badge_secret)
        .join(Registration, Registration.id == ReplacedBadge.registration_id)
        .where(Registration.event_id == event.id)
    )
    if since is not None:
        changed = _changed_since(event.id, since - OVERLAP)
        people_query = people_query.where(Registration.id.in_(select(changed)))
        check_in_query = check_in_query.where(CheckIn.registration_id.in_(select(changed)))
        assignment_query = assignment_query.where(Assignment.registration_id.in_(select(changed)))
        replaced_query = replaced_query.where(ReplacedBadge.registration_id.in_(select(changed)))

    people: dict[int, dict] = {}
    for reg_id, secret, name, organisation, status in db.session.execute(people_query):
        people[reg_id] = {"i": reg_id, "d": badge_digest(event.id, secret), "n": name, "o": organisation,
                          "s": STATUS[RegistrationStatus(status).value], "a": [],
                          "c": None, "cs": {}}
    if event.assignments_published:
        for reg_id, session_id in db.session.execute(assignment_query):
            if reg_id in people:
                people[reg_id]["a"].append(session_id)
    for reg_id, session_id, at, display_name, email, device_name, label in db.session.execute(check_in_query):
        person = people.get(reg_id)
        if person is None:
            continue
        who = display_name or email or device_name or "another scanner"
        if label and label != who:
            who = f"{who} ({label})"
        mark = [at.isoformat(), who]
        if session_id is None:
            person["c"] = mark
        else:
            person["cs"][str(session_id)] = mark
    replaced = [[badge_digest(event.id, secret), reg_id] for reg_id, secret in db.session.execute(replaced_query)]
    count = db.session.execute(
        select(db.func.count()).select_from(Registration).where(Registration.event_id == event.id)
    ).scalar_one()
    db.session.rollback()  # read only; the next request starts afresh
    return {
        "full": since is None,
        "cursor": cursor.isoformat(),
        "count": count,
        "event_id": event.id,
        "event": {"slug": event.slug, "name": event.name, "timezone": event.timezone, "state": event.state,
                  "assignments_published": event.assignments_published},
        "sessions": sessions(event.id),
        "people": list(people.values()),
        "replaced": replaced,
    }


def sessions(event_id: int) -> list[dict]:
    rows = db.session.execute(
        select(ThemedSession.id, ThemedSession.title, ThemedSession.room, ThemedSession.time_slot_id)
        .join(TimeSlot, TimeSlot.id == ThemedSession.time_slot_id)
        .where(ThemedSession.event_id == event_id)
        .order_by(TimeSlot.starts_at, ThemedSession.position, ThemedSession.id)
    ).all()
    return [{"id": r.id, "title": r.title, "room": r.room, "slot": r.time_slot_id} for r in rows]
