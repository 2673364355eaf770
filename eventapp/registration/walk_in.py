"""A person who turns up at the door without a registration: registered on the spot by staff, under the event's
lock like every sign-up, confirmed at once (they are here), with or without an e-mail address."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..extensions import db
from ..locking import holding_event_lock
from ..models import Event, EventState, OrganisationKind, Registration, RegistrationStatus, StaffUser, utcnow
from ..names import guess_family_name, guess_given_name
from ..tokens import new_badge_secret, new_manage_secret
from . import addresses, mails, organisations
from .service import DuplicateEmail, EventFull, RegistrationClosed, places_taken

# A walk-in who gives no address still needs a unique one (the column is required and unique per event): an
# address in the .invalid domain, which by RFC 2606 can never be delivered to; no letter is queued for it.
NO_ADDRESS_DOMAIN = "walk-in.invalid"


@dataclass(frozen=True)
class WalkInDetails:
    full_name: str
    organisation_name: str | None
    email: str | None


def has_address(registration: Registration) -> bool:
    return not registration.email.lower().endswith("@" + NO_ADDRESS_DOMAIN)


def register_walk_in(event: Event, details: WalkInDetails, by_staff: StaffUser,
                     beyond_capacity: bool = False, now: datetime | None = None) -> Registration:
    """Register the person, confirmed, and queue their confirmation if they gave an address. Commits.

    Refused when the event is not published, when the address already has a live registration here (they
    should be found and checked in instead), or, unless `beyond_capacity` (staff chose to let them in all the
    same), when every place is taken: the count is read under the event's lock, so a walk-in and an online
    sign-up at the same moment cannot both take the last place."""
    now = now or utcnow()
    if event.state != EventState.PUBLISHED or event.anonymised_at is not None:
        raise RegistrationClosed("Walk-ins can be added only while the event is published.")
    email = addresses.normalise_email(details.email) if details.email else None
    full_name = " ".join(details.full_name.split())
    with holding_event_lock(event):
        if email is not None and db.session.execute(select(Registration.id).where(
                Registration.event_id == event.id, Registration.email_key == addresses.key_of_normal(email),
                Registration.status != RegistrationStatus.CANCELLED).limit(1)).first() is not None:
            raise DuplicateEmail("This e-mail address is already registered for this event: find the person "
                                 "with the scanner's search and check them in there.")
        if event.capacity is not None and not beyond_capacity and places_taken(event, now) >= event.capacity:
            raise EventFull(f"The event is full: all {event.capacity} places are taken. Tick \u201cLet them in "
                            "all the same\u201d to register them beyond the capacity.")
        organisation_id = None
        if details.organisation_name and details.organisation_name.strip():
            organisation_id = organisations.find_or_make(details.organisation_name, OrganisationKind.OTHER, None)
        given, family = guess_given_name(full_name), guess_family_name(full_name)
        registration = Registration(
            event_id=event.id, full_name=full_name, given_name=given[:100] if given else None,
            family_name=family[:100] if family else None,
            email=email or f"walk-in-{secrets.token_hex(8)}@{NO_ADDRESS_DOMAIN}",
            organisation_id=organisation_id, consent_privacy=True, consent_listed=False,
            status=RegistrationStatus.CONFIRMED, badge_secret=new_badge_secret(),
            manage_secret=new_manage_secret(), badge_changed_at=now, created_at=now, updated_at=now)
        db.session.add(registration)
        db.session.flush()
        if email is not None:
            mails.queue_registered(registration, event)
    return registration
