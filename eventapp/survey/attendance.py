"""Who came, and to which themed sessions: the one definition the survey, the certificates and the report share.

Checked in: a confirmed registration with at least one live check-in (at the door or at a session; an undone
check-in does not count). Attended a themed session: a live check-in at that session's door; for a session
where session check-in was not used at all (no live check-in there), a checked-in person assigned to it.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from ..extensions import db
from ..models import Assignment, CheckIn, Event, Registration, RegistrationStatus


def checked_in_ids(event: Event) -> set[int]:
    return set(db.session.execute(
        select(CheckIn.registration_id).distinct()
        .join(Registration, Registration.id == CheckIn.registration_id)
        .where(CheckIn.event_id == event.id, CheckIn.undone_at.is_(None),
               Registration.status == RegistrationStatus.CONFIRMED)
    ).scalars())


def is_checked_in(registration: Registration) -> bool:
    return registration.status == RegistrationStatus.CONFIRMED and db.session.execute(
        select(CheckIn.id).where(CheckIn.registration_id == registration.id, CheckIn.undone_at.is_(None)).limit(1)
    ).first() is not None


def sessions_attended(event: Event, registration_ids: set[int] | None = None) -> dict[int, set[int]]:
    """registration id -> ids of the themed sessions they attended, for checked-in people (all, or those given:
    a few, such as one person's certificate)."""
    present = checked_in_ids(event) if registration_ids is None else registration_ids & checked_in_ids(event)
    live_session = (CheckIn.event_id == event.id, CheckIn.undone_at.is_(None), CheckIn.themed_session_id.is_not(None))
    used = set(db.session.execute(select(CheckIn.themed_session_id).distinct().where(*live_session)).scalars())
    attended: dict[int, set[int]] = defaultdict(set)
    check_ins = select(CheckIn.registration_id, CheckIn.themed_session_id).where(*live_session)
    assignments = select(Assignment.registration_id, Assignment.themed_session_id).where(
        Assignment.themed_session_id.in_([ts.id for ts in event.themed_sessions if ts.id not in used]))
    if registration_ids is not None:
        check_ins = check_ins.where(CheckIn.registration_id.in_(present))
        assignments = assignments.where(Assignment.registration_id.in_(present))
    for query in (check_ins, assignments):
        for rid, sid in db.session.execute(query):
            if rid in present:
                attended[rid].add(sid)
    return {rid: attended.get(rid, set()) for rid in present}


def sessions_attended_by(registration: Registration) -> set[int]:
    return sessions_attended(registration.event, {registration.id}).get(registration.id, set())
