"""The SQL of the capacity rule and of a sign-up, built once per process: a registration runs several of these,
and building a statement costs more than running it. Values come in as bind parameters.

A sign-up is the same steps on every database (signup.py): write the registration and its ranked sessions; take
the event's lock; under it, confirm the newcomer if there is room (one conditional UPDATE, whose count is read
in a statement that begins once the lock is held, so it sees what the lock's previous holder committed); queue
the letter that says which.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache

from sqlalchemy import (
    and_,
    bindparam,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.sql.elements import BindParameter

from ..database import dialect_insert
from ..models import Event, Organisation, OutboundMail, Registration, RegistrationStatus, SessionPreference

# What a sign-up writes into a new registration row; every other column takes its default.
NEW_REGISTRATION_COLUMNS = (
    "event_id", "full_name", "given_name", "family_name", "email", "email_key", "organisation_id", "job_title",
    "country", "accessibility_needs", "dietary_needs", "consent_privacy", "consent_listed", "status", "badge_secret",
    "manage_secret", "badge_changed_at", "waitlisted_at", "created_at", "updated_at",
)


# --- the capacity rule ----------------------------------------------------------------------------------------


def active_offer(now: datetime | BindParameter):
    return (
        (Registration.status == RegistrationStatus.WAITLISTED)
        & Registration.offer_expires_at.is_not(None)
        & (Registration.offer_expires_at > now)
    )


def taken(event_id: int | BindParameter, now: datetime | BindParameter):
    """How many places are held: confirmed registrations (the event's count, which triggers keep) plus offers
    from the waiting list not yet answered (counted through the index of the rows with an offer). Neither
    reads the event's other registrations, however many there are."""
    events = Event.__table__
    confirmed = select(events.c.confirmed_count).where(events.c.id == event_id).scalar_subquery()
    open_offers = select(func.count()).where(Registration.event_id == event_id, active_offer(now)).scalar_subquery()
    return select(confirmed + open_offers)


def waiting_without_offer_where(event_id: int | BindParameter) -> tuple:
    return (
        Registration.event_id == event_id,
        Registration.status == RegistrationStatus.WAITLISTED,
        Registration.offer_made_at.is_(None),
    )


def room_for_one_more(event_id: int | BindParameter, now: datetime | BindParameter,
                      excluding: int | BindParameter | None = None):
    """The one condition of the capacity rule: a newcomer gets a place when the event has no capacity, or when
    nobody is waiting for an offer and fewer places are held than the capacity (read from the event's row in
    the same statement, so a capacity an organiser just raised counts). `excluding` leaves out the registration
    being decided."""
    capacity = select(Event.__table__.c.capacity).where(Event.__table__.c.id == event_id).scalar_subquery()
    waiting = select(Registration.__table__.c.id).where(*waiting_without_offer_where(event_id))
    if excluding is not None:
        waiting = waiting.where(Registration.id != excluding)
    return or_(capacity.is_(None), and_(~waiting.exists(), taken(event_id, now).scalar_subquery() < capacity))


@cache
def room_statement():
    """Is there room for one more? (Asked on every view of the form.) Binds: the_event, now."""
    return select(room_for_one_more(bindparam("the_event"), bindparam("now")))


@cache
def confirm_if_room():
    """Confirm a waitlisted newcomer if there is room: the conditional UPDATE every sign-up queues for.
    Binds: the_registration, the_event, now, at."""
    registration = Registration.__table__
    return (
        update(registration)
        .where(registration.c.id == bindparam("the_registration"),
               room_for_one_more(bindparam("the_event"), bindparam("now"), excluding=bindparam("the_registration")))
        .values(status=RegistrationStatus.CONFIRMED, waitlisted_at=None, updated_at=bindparam("at"))
    )


# --- signing up -------------------------------------------------------------------------------------------------


def _bound(table, names, prefix: str = "") -> dict:
    return {name: bindparam(prefix + name, type_=table.c[name].type) for name in names}


@cache
def organisation_by_name():
    """An organisation's id by name, whatever its case. Binds: name."""
    organisations = Organisation.__table__
    return select(organisations.c.id).where(func.lower(organisations.c.name) == func.lower(bindparam("name")))


@cache
def insert_organisation_if_new(dialect: str):
    """A new organisation, returning its id; nothing when one of that name (whatever its case) exists or is
    being made by someone else right now: ON CONFLICT DO NOTHING, so the caller's transaction goes on without a
    savepoint (which SQLite's Python driver would commit on its own). Binds: name, kind, country, created_at."""
    table = Organisation.__table__
    return (dialect_insert(dialect)(table).values(_bound(table, ("name", "kind", "country", "created_at")))
            .on_conflict_do_nothing().returning(table.c.id))


@cache
def insert_registration():
    """A new registration, returning its id. Binds: NEW_REGISTRATION_COLUMNS."""
    table = Registration.__table__
    return insert(table).values(_bound(table, NEW_REGISTRATION_COLUMNS)).returning(table.c.id)


@cache
def insert_preferences():
    """One ranked session of a registration (run with a list of rows)."""
    return insert(SessionPreference.__table__)


@cache
def insert_mail():
    """One mail (run with the row mail.service.mail_row makes)."""
    return insert(OutboundMail.__table__)
