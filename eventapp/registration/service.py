"""Registration rules: sign up within the window and capacity, the waiting list and its offers, edits and
cancellation. Every function that can change who holds a place takes the event's capacity lock first."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..events.service import registration_state
from ..extensions import db
from ..mail.service import mail_row
from ..models import (
    Assignment,
    Event,
    Organisation,
    OrganisationKind,
    Registration,
    RegistrationStatus,
    SessionPreference,
    StaffUser,
    ThemedSession,
    utcnow,
)
from ..rules import RuleBroken
from ..tokens import new_badge_secret, new_manage_secret
from . import mails, statements
from .mails import manage_url  # noqa: F401  (other features build the link through this service)

MANAGE_SECRET_MAX_LENGTH = 64


class RegistrationError(RuleBroken):
    """A rule a person's request breaks; `field` says which form field the sentence belongs next to."""


class RegistrationClosed(RegistrationError):
    pass


class DuplicateEmail(RegistrationError):
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


def normalise_email(email: str) -> str:
    return email.strip()


# --- locking and counting -------------------------------------------------------------------------------------


def _on_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def lock_event(event: Event, refresh: bool = True) -> None:
    """Serialise every change to who holds a place at this event until the transaction ends.

    PostgreSQL: a row lock on the event, FOR NO KEY UPDATE: it queues the lockers one behind the other but,
    unlike FOR UPDATE, does not wait for the key-share locks that inserting rows referencing the event (this
    transaction's registration, and everyone else's) take, which would deadlock. SQLite: a no-op write,
    which takes the database's write lock (before any count is read), so writers queue instead of racing.
    `refresh` reloads the event's row (its capacity may have changed while we waited); a caller whose next
    statement reads the capacity itself passes False and saves the round trip.
    """
    fresh = select(Event).where(Event.id == event.id).execution_options(populate_existing=True)
    if not current_app.config.get("REGISTRATION_CAPACITY_LOCK", True):
        if refresh:
            db.session.execute(fresh)
        return
    if _on_postgresql():
        if refresh:
            db.session.execute(fresh.with_for_update(of=Event, key_share=True))
        else:
            db.session.execute(statements.lock_event_row(), {"event": event.id})
        return
    db.session.execute(statements.take_write_lock(), {"event": event.id})
    if refresh:
        db.session.execute(fresh)  # what another writer committed before we got the lock


@contextmanager
def holding_event_lock(event: Event) -> Iterator[None]:
    """Run a block as one transaction that holds the event's lock: committed at its end, rolled back if
    anything in it fails (a rule broken, a database error), so nothing is ever half-saved."""
    try:
        lock_event(event)
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


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


# --- signing up -------------------------------------------------------------------------------------------------


def _organisation_id(details: AttendeeDetails) -> int:
    """The organisation typed, found by name whatever its case and spacing, or created (in the caller's
    transaction: a registration that fails leaves no organisation behind)."""
    name = " ".join(details.organisation_name.split())
    connection = db.session.connection()
    found = connection.execute(statements.organisation_by_name(), {"name": name}).scalar_one_or_none()
    if found is not None:
        return found
    made = connection.execute(statements.insert_organisation_if_new(connection.dialect.name), {
        "name": name, "kind": details.organisation_kind, "country": details.country, "created_at": utcnow(),
    }).scalar_one_or_none()
    if made is not None:
        return made
    # Someone registered the same new organisation a moment ago (committed now: the insert waited for them).
    return connection.execute(statements.organisation_by_name(), {"name": name}).scalar_one()


def _check_preferences(event: Event, preferences: tuple[int, ...]) -> list[ThemedSession]:
    sessions = {s.id: s for s in event.themed_sessions}
    if len(set(preferences)) != len(preferences):
        raise InvalidPreferences("Each session can be ranked only once: choose a different session for each rank.")
    unknown = [p for p in preferences if p not in sessions]
    if unknown:
        raise InvalidPreferences("One of the sessions chosen is not part of this event. Please choose again.")
    return [sessions[p] for p in preferences]


def _email_taken(event: Event, email: str, except_id: int | None = None) -> bool:
    query = select(Registration.id).where(
        Registration.event_id == event.id, func.lower(Registration.email) == email.lower()
    )
    if except_id is not None:
        query = query.where(Registration.id != except_id)
    return db.session.execute(query.limit(1)).first() is not None


DUPLICATE_MESSAGE = (
    "This e-mail address is already registered for this event. We can send the link to manage that "
    "registration to this address again."
)


@dataclass(frozen=True)
class Receipt:
    """What the person is told after signing up (read before the commit, so nothing is reloaded after it)."""

    registration_id: int
    manage_secret: str
    status: RegistrationStatus


def register(event: Event, details: AttendeeDetails, now: datetime | None = None) -> Receipt:
    """Sign someone up: confirmed while places remain, otherwise on the waiting list. Commits."""
    now = now or utcnow()
    state = registration_state(event)
    if state == "not_yet":
        raise RegistrationClosed("Registration has not opened yet.")
    if state == "closed":
        raise RegistrationClosed("Registration has closed.")
    email = normalise_email(details.email)
    sessions = _check_preferences(event, details.preferences)
    row = {  # statements.NEW_REGISTRATION_COLUMNS, but the organisation's (found or made below)
        **_typed_columns(details, email), "event_id": event.id, "consent_privacy": True,
        "status": RegistrationStatus.WAITLISTED,  # until the decision under the lock says otherwise
        "badge_secret": new_badge_secret(), "manage_secret": new_manage_secret(), "badge_changed_at": now,
        "waitlisted_at": now, "created_at": now, "updated_at": now,
    }
    # Both possible answers are written before the lock, so that under it only the decision is made.
    newcomer = mails.Newcomer(row["full_name"], row["manage_secret"])
    letters = {}
    for status in (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED):
        letter = mails.registered_letter(newcomer, event, status)
        letters[status] = mail_row(letter.kind, email, letter.subject, letter.body, event.id, None, False)
    try:
        row["organisation_id"] = _organisation_id(details)
        # A second registration with the same address fails here (handled below).
        registration_id, status = _write_sign_up(event, row, [s.id for s in sessions], letters, now)
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        if _email_taken(event, email):
            raise DuplicateEmail(DUPLICATE_MESSAGE) from error
        raise
    except BaseException:
        db.session.rollback()
        raise
    return Receipt(registration_id, row["manage_secret"], status)


def _write_sign_up(event: Event, row: dict, session_ids: list[int], letters: dict[RegistrationStatus, dict],
                   now: datetime) -> tuple[int, RegistrationStatus]:
    """Write the registration and its ranked sessions; then, holding the event's lock (registrations queue on
    it, so it is taken only once everything else is written), confirm it if there is room and queue the
    letter that says which. `letters`: the mail row for each answer. Returns the registration's id and status.

    Plain statements on the session's connection, without the ORM's unit of work: this is the hot path of a
    registration rush (statements.py says why PostgreSQL runs it as two statements)."""
    connection = db.session.connection()
    write = _write_in_two_statements if _on_postgresql() else _write_step_by_step
    decision = {"the_event": event.id, "now": now, "at": now}
    return write(connection, event, row, session_ids, letters, decision)


def _write_in_two_statements(connection, event, row, session_ids, letters, decision):
    lock = current_app.config.get("REGISTRATION_CAPACITY_LOCK", True)  # off only in the race's control test
    ranked = {f"session_{rank}": session_id for rank, session_id in enumerate(session_ids, start=1)}
    registration_id = connection.execute(statements.insert_registration_and_lock(len(session_ids), lock),
                                         {**row, **ranked, "event": event.id}).scalar_one()
    confirmed = letters[RegistrationStatus.CONFIRMED]
    either = {f"{column}_if_{status.value}": letter[column]
              for status, letter in letters.items() for column in statements.LETTER_COLUMNS}
    mail = {f"mail_{column}": value for column, value in {**confirmed, "registration_id": registration_id}.items()
            if column in statements.MAIL_COLUMNS}
    was_confirmed = connection.execute(statements.confirm_if_room_and_queue_letter(),
                                       {**decision, "the_registration": registration_id, **either, **mail}).scalar_one()
    return registration_id, RegistrationStatus.CONFIRMED if was_confirmed else RegistrationStatus.WAITLISTED


def _write_step_by_step(connection, event, row, session_ids, letters, decision):
    registration_id = connection.execute(statements.insert_registration(), row).scalar_one()
    if session_ids:
        connection.execute(statements.insert_preferences(), [
            {"registration_id": registration_id, "themed_session_id": session_id, "rank": rank}
            for rank, session_id in enumerate(session_ids, start=1)])
    lock_event(event, refresh=False)
    decided = connection.execute(statements.confirm_if_room(), {**decision, "the_registration": registration_id})
    status = RegistrationStatus.CONFIRMED if decided.rowcount == 1 else RegistrationStatus.WAITLISTED
    connection.execute(statements.insert_mail(), {**letters[status], "registration_id": registration_id})
    return registration_id, status


def _typed_columns(details: AttendeeDetails, email: str) -> dict:
    """The registration's columns that come from what the attendee typed (the organisation apart): one list for
    signing up and for editing."""
    full_name = details.full_name.strip()
    return {
        "full_name": full_name, "given_name": _given_name(full_name), "family_name": _family_name(full_name),
        "email": email, "job_title": details.job_title or None, "country": details.country or None,
        "accessibility_needs": details.accessibility_needs or None, "dietary_needs": details.dietary_needs or None,
        "consent_listed": details.consent_listed,
    }


def _given_name(full_name: str) -> str | None:
    parts = full_name.split()
    return parts[0][:100] if parts else None


def _family_name(full_name: str) -> str | None:
    parts = full_name.split()
    return parts[-1][:100] if len(parts) > 1 else None


def resend_manage_link(event: Event, email: str) -> bool:
    """Mail the manage link again if this address is registered; the page says the same either way."""
    registration = db.session.execute(
        select(Registration).where(
            Registration.event_id == event.id,
            func.lower(Registration.email) == normalise_email(email).lower(),
        )
    ).scalar_one_or_none()
    if registration is None:
        return False
    mails.queue_manage_link(registration, event)
    db.session.commit()
    return True


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


def update_details(
    registration: Registration, details: AttendeeDetails, by_staff: StaffUser | None = None,
    now: datetime | None = None,
) -> Registration:
    """Change what the attendee typed. After the edit deadline only staff may. Commits."""
    now = now or utcnow()
    event = registration.event
    if by_staff is None and not can_edit(registration, now):
        raise EditingClosed("Changes can no longer be made online. Please contact the organisers.")
    sessions = _check_preferences(event, details.preferences)
    email = normalise_email(details.email)
    if email.lower() != registration.email.lower() and _email_taken(event, email, except_id=registration.id):
        raise DuplicateEmail("Another registration for this event already uses this e-mail address.")
    organisation_id = _organisation_id(details)
    badge_fields_changed = (
        registration.full_name != details.full_name.strip() or registration.organisation_id != organisation_id
    )
    for column, value in {**_typed_columns(details, email), "organisation_id": organisation_id}.items():
        setattr(registration, column, value)
    new_ranking = [s.id for s in sessions]
    if [p.themed_session_id for p in registration.preferences] != new_ranking:
        registration.preferences.clear()
        db.session.flush()  # the old ranks must be gone before the new ones take their (registration, rank)
        registration.preferences.extend(
            SessionPreference(themed_session_id=sid, rank=rank) for rank, sid in enumerate(new_ranking, start=1)
        )
    if badge_fields_changed:
        registration.badge_changed_at = now
    try:
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise DuplicateEmail("Another registration for this event already uses this e-mail address.") from error
    return registration


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


# --- the organiser's lists ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    items: list[Registration]
    total: int
    page: int
    per_page: int

    @property
    def first_position(self) -> int:
        """The 1-based position in the whole list of this page's first item."""
        return (self.page - 1) * self.per_page + 1

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def list_registrations(
    event: Event, query: str = "", status: RegistrationStatus | None = None, page: int = 1, per_page: int = 50
) -> Page:
    conditions = [Registration.event_id == event.id]
    if status is not None:
        conditions.append(Registration.status == status)
    query = query.strip()[:100]
    if query:
        needle = query.lower()
        conditions.append(
            or_(
                func.lower(Registration.full_name).contains(needle, autoescape=True),
                func.lower(Registration.email).contains(needle, autoescape=True),
                Registration.organisation.has(func.lower(Organisation.name).contains(needle, autoescape=True)),
            )
        )
    return _page_of(conditions, [Registration.created_at.desc(), Registration.id.desc()], page, per_page,
                    selectinload(Registration.organisation),
                    selectinload(Registration.preferences).joinedload(SessionPreference.themed_session))


def waiting_list(event: Event, page: int = 1, per_page: int = 100) -> Page:
    """The waiting list in order, first come first offered, a page at a time (a big event's list runs to
    thousands); an entry's place in the queue is (page - 1) * per_page + its position on the page."""
    waiting = [Registration.event_id == event.id, Registration.status == RegistrationStatus.WAITLISTED]
    return _page_of(waiting, [Registration.waitlisted_at, Registration.id], page, per_page,
                    selectinload(Registration.organisation))


def _page_of(conditions: list, order: list, page: int, per_page: int, *options) -> Page:
    """One page of the registrations matching `conditions`, in `order`, with how many match in all."""
    total = db.session.execute(select(func.count()).select_from(Registration).where(*conditions)).scalar_one()
    page = max(1, page)
    items = db.session.execute(
        select(Registration).where(*conditions).options(*options).order_by(*order)
        .offset((page - 1) * per_page).limit(per_page)
    ).scalars().all()
    return Page(items=list(items), total=total, page=page, per_page=per_page)


# Up to this many organisations, the form carries them all (a pick-list that works without JavaScript);
# beyond, it carries none and the page asks for suggestions as the person types, so that the form of a
# 10,000-person conference does not carry thousands of names on every load.
ORGANISATIONS_IN_PAGE = 200
SUGGESTIONS = 10
SUGGESTION_MIN_CHARS = 2


def organisation_names() -> list[str] | None:
    """The organisations the form offers as the attendee types: all of them, or None when there are too many to
    put in a page (then `organisation_suggestions` answers as they type)."""
    names = list(db.session.execute(
        select(Organisation.name).order_by(Organisation.name).limit(ORGANISATIONS_IN_PAGE + 1)).scalars())
    return names if len(names) <= ORGANISATIONS_IN_PAGE else None


def organisation_suggestions(typed: str) -> list[str]:
    """Up to SUGGESTIONS organisation names containing what was typed, whatever its case; those that start
    with it first. Fewer than SUGGESTION_MIN_CHARS characters suggest nothing."""
    typed = " ".join("".join(ch for ch in typed[:200] if ch.isprintable()).split())[:100].lower()
    if len(typed) < SUGGESTION_MIN_CHARS:
        return []
    name = func.lower(Organisation.name)  # as the organisers' search does: wildcards typed are text (autoescape)
    return list(db.session.execute(
        select(Organisation.name)
        .where(name.contains(typed, autoescape=True))
        .order_by(name.startswith(typed, autoescape=True).desc(), Organisation.name)
        .limit(SUGGESTIONS)
    ).scalars())


def get_registration(event: Event, registration_id: int) -> Registration | None:
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.event_id != event.id:
        return None
    return registration
