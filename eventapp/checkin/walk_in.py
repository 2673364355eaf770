"""Walk-ins at the door: staff register a person on the spot (through the registration service, under the event's
lock) and check them in at once (through the check-in service, so the scan log and the counts have them); their
badge is printed on its own (A6) here, or waits for the next "new or changed since last print" batch."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..badges import service as badges
from ..extensions import db
from ..models import CheckIn, Event, Registration, StaffUser
from ..registration.walk_in import WalkInDetails, has_address, register_walk_in
from . import queries
from .service import WALK_IN, CheckInOutcome, Scanner, check_in


@dataclass(frozen=True)
class Admitted:
    registration: Registration
    outcome: CheckInOutcome


@dataclass(frozen=True)
class WalkInRow:
    registration: Registration
    checked_in_at: datetime
    printed: bool
    mailed: bool


def admit(event: Event, details: WalkInDetails, by: StaffUser, beyond_capacity: bool = False,
          device_label: str | None = None) -> Admitted:
    """Register and check in. The registration is committed first; a check-in that then failed (the database
    gone) leaves a confirmed registration that the scanner's search finds. Raises the registration service's
    errors (RegistrationError) with a sentence to show."""
    registration = register_walk_in(event, details, by, beyond_capacity=beyond_capacity)
    outcome = check_in(queries.event_ref(event.slug), Scanner(name=by.name, staff_user_id=by.id,
                                                              device_label=device_label),
                       registration_id=registration.id, method=WALK_IN)
    return Admitted(registration, outcome)


def recent_walk_ins(event: Event, limit: int = 50) -> list[WalkInRow]:
    """This event's walk-ins, latest first, with whether their badge has been printed."""
    rows = db.session.execute(
        select(Registration, CheckIn.checked_in_at).join(CheckIn, CheckIn.registration_id == Registration.id)
        .where(CheckIn.event_id == event.id, CheckIn.method == WALK_IN, CheckIn.undone_at.is_(None))
        .order_by(CheckIn.checked_in_at.desc()).limit(limit)).all()
    unprinted = badges.needing_a_print([r.id for r, _ in rows])
    return [WalkInRow(r, at, r.id not in unprinted, has_address(r)) for r, at in rows]


def walk_in_registration(event: Event, registration_id: int) -> Registration | None:
    """A walk-in of this event (check-in staff print only the badges of the people they added at the door)."""
    return db.session.execute(
        select(Registration).join(CheckIn, CheckIn.registration_id == Registration.id)
        .where(Registration.id == registration_id, Registration.event_id == event.id,
               CheckIn.method == WALK_IN).limit(1)).scalar_one_or_none()


def print_badge(registration: Registration) -> tuple[str, bytes]:
    """The walk-in's badge alone, A6, recorded as printed (so the next "new or changed" batch leaves it out)."""
    pdf = badges.attendee_badge_pdf(registration)
    badges.mark_printed([registration.id])
    return badges.badge_filename(registration), pdf
