"""Registration rules: the event's capacity lock and count, the waiting list and its offers, cancellation and
promotion, the manage link (signing up and editing one's details are in signup.py). Every function that can
change who holds a place takes the event's capacity lock first."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..locking import holding_event_lock
from ..models import (
    Assignment,
    Event,
    OrganisationKind,
    Registration,
    RegistrationStatus,
    StaffUser,
    utcnow,
)
from ..rules import RuleBroken
from . import mails, statements
from .mails import manage_url  # noqa: F401  (other features build the link through this service)

MANAGE_SECRET_MAX_LENGTH = 64


class RegistrationError(RuleBroken):
    """A rule a person's request breaks; `field` says which form field the sentence belongs next to."""


class RegistrationClosed(RegistrationError):
    pass


class DuplicateEmail(RegistrationError):
    field = "email"


class InvalidEmail(RegistrationError):
    field = "email"


class InvalidPreferences(RegistrationError):
    field = "preferences"


class EditingClosed(RegistrationError):
    pass


class OfferUnavailable(RegistrationError):
    pass


class EventFull(RegistrationError):
    pass


@dataclass(frozen=True)
class AttendeeDetails:
    """What an attendee types into the form, already checked for shape by the form."""

    full_name: str
    email: str
    organisation_name: str
    organisation_kind: OrganisationKind
    country: str | None
    job_title: str | None
    preferences: tuple[int, ...]  # themed session ids, best first
    accessibility_needs: str | None
    dietary_needs: str | None
    consent_listed: bool


# --- counting -------------------------------------------------------------------------------------------------


def places_taken(event: Event, now: datetime) -> int:
    """Confirmed registrations plus places held by a waiting-list offer not yet answered."""
    return db.session.execute(statements.taken(event.id, now)).scalar_one()


def recount_confirmed(event: Event) -> tuple[int, int]:
    """Count the event's confirmed registrations afresh, under its lock; (what the count said, what it is now).
    Triggers keep the count (migration 0003): this is for after something that bypassed them."""
    events = Event.__table__
    with holding_event_lock(event):
        before = db.session.execute(select(events.c.confirmed_count).where(events.c.id == event.id)).scalar_one()
        after = db.session.execute(select(func.count()).where(
            Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)).scalar_one()
        db.session.execute(update(events).where(events.c.id == event.id).values(confirmed_count=after))
    return before, after


def _waiting_without_offer(event: Event):
    return select(Registration).where(*statements.waiting_without_offer_where(event.id))


def is_full(event: Event, now: datetime | None = None) -> bool:
    """Would a registration now go on the waiting list? (Shown on the form before anyone submits.)"""
    if event.capacity is None:
        return False
    return not db.session.execute(statements.room_statement(),
                                  {"the_event": event.id, "now": now or utcnow()}).scalar_one()


# --- the attendee's manage link -------------------------------------------------------------------------------


def find_by_manage_secret(secret: str) -> Registration | None:
    if not secret or len(secret) > MANAGE_SECRET_MAX_LENGTH:
        return None
    return db.session.execute(
        select(Registration)
        .where(Registration.manage_secret == secret)
        .options(selectinload(Registration.preferences), selectinload(Registration.assignments))
    ).scalar_one_or_none()


def edit_deadline(event: Event) -> datetime:
    return event.edit_deadline or event.starts_at


def can_edit(registration: Registration, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return registration.status != RegistrationStatus.CANCELLED and now < edit_deadline(registration.event)


# --- the waiting list -----------------------------------------------------------------------------------------


def has_active_offer(registration: Registration, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return (
        registration.status == RegistrationStatus.WAITLISTED
        and registration.offer_expires_at is not None
        and registration.offer_expires_at > now
    )


def _make_offers(event: Event, now: datetime) -> list[Registration]:
    """Offer free places to the first people waiting. Call with the event locked."""
    if event.capacity is None:
        free = math.inf
    else:
        free = event.capacity - places_taken(event, now)
    offered = []
    if free <= 0:
        return offered
    query = _waiting_without_offer(event).order_by(Registration.waitlisted_at, Registration.id)
    if free != math.inf:
        query = query.limit(int(free))
    hours = timedelta(hours=event.waitlist_offer_hours)
    for registration in db.session.execute(query).scalars():
        registration.offer_made_at = now
        registration.offer_expires_at = now + hours
        mails.queue_offer(registration, event)
        offered.append(registration)
    return offered


def _needs_processing(event: Event, now: datetime) -> bool:
    """Cheap read-only check: is there an offer to expire, or a free place and someone waiting?"""
    if db.session.execute(_waiting_without_offer(event).limit(1)).first() is None:
        return False
    return event.capacity is None or places_taken(event, now) < event.capacity


def process_waitlist(event: Event, now: datetime | None = None) -> list[Registration]:
    """Let lapsed offers go and offer the places they held (and any other free place) to the next in line.

    Called whenever a place may have freed up, lazily from the pages that show the list, and by
    `flask --app wsgi waitlist process` from cron. An expired offer is not made again automatically: the
    person stays on the list for an organiser to promote by hand.
    """
    now = now or utcnow()
    if not _needs_processing(event, now):
        return []
    with holding_event_lock(event):
        offered = _make_offers(event, now)
    return offered


def accept_offer(registration: Registration, now: datetime | None = None) -> Registration:
    now = now or utcnow()
    event = registration.event
    with holding_event_lock(event):
        db.session.refresh(registration)
        if registration.status == RegistrationStatus.CONFIRMED:
            return registration
        if not has_active_offer(registration, now):
            raise OfferUnavailable(
                "This offer has expired, so the place has gone to the next person on the waiting list. "
                "You are still on the list; the organisers can contact you if another place frees up."
            )
        registration.status = RegistrationStatus.CONFIRMED
        registration.offer_expires_at = None
        mails.queue_registered(registration, event)
    return registration


def cancel(registration: Registration, by_staff: StaffUser | None = None, now: datetime | None = None) -> Registration:
    """Cancel a registration, free its place and seats, and offer the place to the waiting list. Commits."""
    now = now or utcnow()
    event = registration.event
    with holding_event_lock(event):
        db.session.refresh(registration)
        if registration.status == RegistrationStatus.CANCELLED:
            return registration
        registration.status = RegistrationStatus.CANCELLED
        registration.cancelled_at = now
        registration.offer_expires_at = None
        db.session.execute(delete(Assignment).where(Assignment.registration_id == registration.id))
        mails.queue_cancelled(registration, event, by_staff=by_staff is not None)
        db.session.flush()
        _make_offers(event, now)
    return registration


def promote(registration: Registration, by_staff: StaffUser, now: datetime | None = None) -> Registration:
    """An organiser confirms someone from the waiting list, out of turn, if a place is free."""
    now = now or utcnow()
    event = registration.event
    with holding_event_lock(event):
        db.session.refresh(registration)
        if registration.status != RegistrationStatus.WAITLISTED:
            raise RegistrationError("Only someone on the waiting list can be promoted.")
        held_by_them = 1 if has_active_offer(registration, now) else 0
        if event.capacity is not None and places_taken(event, now) - held_by_them >= event.capacity:
            raise EventFull(
                "The event is full: raise its capacity or cancel a registration before promoting someone."
            )
        registration.status = RegistrationStatus.CONFIRMED
        registration.offer_expires_at = None
        mails.queue_registered(registration, event)
    return registration


def set_capacity(event: Event, capacity: int | None, now: datetime | None = None) -> list[Registration]:
    """Change the event's capacity; raising it offers the new places to the waiting list. Commits."""
    now = now or utcnow()
    if capacity is not None and capacity < 0:
        raise RegistrationError("The capacity cannot be negative.", field="capacity")
    with holding_event_lock(event):
        event.capacity = capacity
        db.session.flush()
        offered = _make_offers(event, now)
    return offered


def get_registration(event: Event, registration_id: int) -> Registration | None:
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.event_id != event.id:
        return None
    return registration
