"""What an attendee types becomes a registration: signing up (the hot path of a registration rush), the
answers that must not tell anyone who has registered, and editing one's details."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import locking
from ..events.service import registration_state
from ..extensions import db
from ..letters.service import saved_letters
from ..mail.service import mail_row
from ..models import (
    Event,
    LetterTemplate,
    Registration,
    RegistrationStatus,
    SessionPreference,
    StaffUser,
    ThemedSession,
    utcnow,
)
from ..names import guess_family_name, guess_given_name
from ..tokens import new_badge_secret, new_manage_secret
from . import addresses, mails, organisations, statements
from .service import (
    AttendeeDetails,
    DuplicateEmail,
    EditingClosed,
    InvalidEmail,
    InvalidPreferences,
    RegistrationClosed,
    can_edit,
)


def _check_preferences(event: Event, preferences: tuple[int, ...]) -> list[ThemedSession]:
    sessions = {s.id: s for s in event.themed_sessions}
    if len(set(preferences)) != len(preferences):
        raise InvalidPreferences("Each session can be ranked only once: choose a different session for each rank.")
    unknown = [p for p in preferences if p not in sessions]
    if unknown:
        raise InvalidPreferences("One of the sessions chosen is not part of this event. Please choose again.")
    return [sessions[p] for p in preferences]


def _address(typed: str) -> str:
    """The address in its normal form (addresses.py), or the sentence that says why it is not one."""
    try:
        return addresses.normalise_email(typed)
    except addresses.AddressError as error:
        raise InvalidEmail(error.message) from error


def _live_with_address(event: Event, email: str):
    """The registrations of this event, not cancelled, with this (normalised) address: the database lets there
    be one at most (uq_registration_event_email_key)."""
    return select(Registration).where(Registration.event_id == event.id,
                                      Registration.email_key == addresses.key_of_normal(email),
                                      Registration.status != RegistrationStatus.CANCELLED)


def _email_taken(event: Event, email: str, except_id: int | None = None) -> bool:
    query = _live_with_address(event, email).with_only_columns(Registration.id)
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


def _checked(event: Event, details: AttendeeDetails) -> tuple[str, list[ThemedSession]]:
    """Every rule a sign-up must meet before anything is written: the normal address and the ranked sessions."""
    state = registration_state(event)
    if state == "not_yet":
        raise RegistrationClosed("Registration has not opened yet.")
    if state == "closed":
        raise RegistrationClosed("Registration has closed.")
    return _address(details.email), _check_preferences(event, details.preferences)


def register(event: Event, details: AttendeeDetails, now: datetime | None = None) -> Receipt:
    """Sign someone up: confirmed while places remain, otherwise on the waiting list. Commits."""
    now = now or utcnow()
    email, sessions = _checked(event, details)
    row = newcomer_row(event, details, email, now)
    # Both possible answers are written before the lock, so that under it only the decision is made.
    letters = newcomer_letters(event, row, email)
    try:
        row["organisation_id"] = organisations.find_or_make(details.organisation_name, details.organisation_kind,
                                                            details.country)
        # A second registration with the same address fails here (handled below).
        registration_id, status = write_newcomer(event, row, [s.id for s in sessions], letters.__getitem__, now)
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


def newcomer_row(event: Event, details: AttendeeDetails, email: str, now: datetime) -> dict:
    """A new registration's row as a sign-up writes it (statements.NEW_REGISTRATION_COLUMNS but the organisation's,
    which the caller finds or makes): on the waiting list until the decision under the lock says otherwise."""
    return {
        **_typed_columns(details, email), "event_id": event.id, "consent_privacy": True,
        "status": RegistrationStatus.WAITLISTED, "badge_secret": new_badge_secret(),
        "manage_secret": new_manage_secret(), "badge_changed_at": now, "waitlisted_at": now, "created_at": now,
        "updated_at": now,
    }


def newcomer_letter_kinds(confirmed_kind: str = "confirmed") -> tuple[str, str]:
    """The letters a newcomer may get: a confirmation (or, for an invited guest, the invitation), or word of the
    waiting list."""
    return confirmed_kind, "waitlisted"


def newcomer_letters(event: Event, row: dict, email: str, confirmed_kind: str = "confirmed",
                     saved: Mapping[str, LetterTemplate] | None = None) -> dict[RegistrationStatus, dict]:
    """The mail row for each answer a newcomer may get (newcomer_letter_kinds), both written before the lock so
    that under it only the decision is made. `saved`: the event's edited letters of those kinds, when the
    caller has read them for a batch; else they are read here, in one query."""
    if saved is None:
        saved = saved_letters(event, newcomer_letter_kinds(confirmed_kind))
    return {status: newcomer_letter(event, row, email, status, confirmed_kind, saved)
            for status in (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)}


def newcomer_letter(event: Event, row: dict, email: str, status: RegistrationStatus, confirmed_kind: str,
                    saved: Mapping[str, LetterTemplate]) -> dict:
    """The mail row of the one letter a newcomer gets for `status` (see newcomer_letters)."""
    newcomer = mails.Newcomer(row["full_name"], row["manage_secret"])
    if status == RegistrationStatus.CONFIRMED and confirmed_kind == "invitation":
        letter = mails.invitation_letter(newcomer, event, saved)
    else:
        letter = mails.registered_letter(newcomer, event, status, saved)
    return mail_row(letter.kind, addresses.recipient_of_normal(email), letter.subject, letter.body, event.id, None,
                    False, body_html=letter.body_html)


class NewRegistration(NamedTuple):
    """A registration about to be written: its row (newcomer_row, with the organisation), its ranked sessions,
    and `letter(status)`, the mail row of the letter its decision needs (None: no letter)."""

    row: dict
    session_ids: list[int]
    letter: Callable[[RegistrationStatus], dict] | None


def write_newcomer(event: Event, row: dict, session_ids: list[int], letter: Callable[[RegistrationStatus], dict] | None,
                   now: datetime) -> tuple[int, RegistrationStatus]:
    """write_newcomers for one: a sign-up."""
    [written] = write_newcomers(event, [NewRegistration(row, session_ids, letter)], now)
    return written


def write_newcomers(event: Event, newcomers: Sequence[NewRegistration], now: datetime
                    ) -> list[tuple[int, RegistrationStatus]]:
    """Write each registration in order and, holding the event's lock (taken once the first one and its ranked
    sessions are written: registrations queue on it, so it is taken as late as can be), confirm it if there is
    room; then the others' ranked sessions, and the letter each decision needs, in one statement each. Returns
    each one's id and status. The sign-up form (one newcomer) and the attendee import (a batch, in file order) both
    come through here, so they follow one capacity rule. Each is decided before the next is written: a newcomer
    not yet decided counts as waiting, and would hold up the one before it.

    Plain statements on the session's connection, without the ORM's unit of work: this is the hot path of a
    registration rush. The same steps on every database."""
    connection = db.session.connection()
    written: list[tuple[int, RegistrationStatus]] = []
    preferences: list[dict] = []
    for newcomer in newcomers:
        registration_id = connection.execute(statements.insert_registration(), newcomer.row).scalar_one()
        preferences += [{"registration_id": registration_id, "themed_session_id": session_id, "rank": rank}
                        for rank, session_id in enumerate(newcomer.session_ids, start=1)]
        if not written:
            # The first one's ranked sessions before the lock (a sign-up holds it as briefly as can be); a batch's
            # others after the decisions, all in one statement.
            if preferences:
                connection.execute(statements.insert_preferences(), preferences)
                preferences = []
            locking.lock_event(event, refresh=False)
        decided = connection.execute(statements.confirm_if_room(), {
            "the_event": event.id, "now": now, "at": now, "the_registration": registration_id})
        written.append((registration_id, RegistrationStatus.CONFIRMED if decided.rowcount == 1
                        else RegistrationStatus.WAITLISTED))
    if preferences:
        connection.execute(statements.insert_preferences(), preferences)
    letters = [{**newcomer.letter(status), "registration_id": registration_id}
               for newcomer, (registration_id, status) in zip(newcomers, written, strict=True)
               if newcomer.letter is not None]
    if letters:
        connection.execute(statements.insert_mail(), letters)
    return written


NAME_PART_MAX = 100  # the given_name / family_name columns


def _typed_columns(details: AttendeeDetails, email: str) -> dict:
    """The registration's columns that come from what the attendee typed (the organisation apart): one list for
    signing up and for editing."""
    full_name = details.full_name.strip()
    return {
        "full_name": full_name, "given_name": _part(guess_given_name(full_name)),
        "family_name": _part(guess_family_name(full_name)),
        "email": email, "email_key": addresses.key_of_normal(email), "job_title": details.job_title or None,
        "country": details.country or None,
        "accessibility_needs": details.accessibility_needs or None, "dietary_needs": details.dietary_needs or None,
        "consent_listed": details.consent_listed,
    }


def _part(name: str | None) -> str | None:
    return name[:NAME_PART_MAX] if name else None


def register_or_remind(event: Event, details: AttendeeDetails, now: datetime | None = None) -> Receipt | None:
    """Sign someone up; or, when the address already has a live registration here, queue its owner a letter with
    their manage link instead (and return None). The person who asked is answered the same either way: what
    happened goes only to the address's mailbox, so the form never tells anyone who has registered. Commits.

    Every rule is checked before the address is looked up, so that a request that breaks one is refused alike for
    a new address and a taken one; and the address is looked up before anything is written, so that a taken one
    costs no failed insert and rollback (slower, and telling)."""
    email, _ = _checked(event, details)
    registration = db.session.execute(_live_with_address(event, email)).scalar_one_or_none()
    if registration is None:
        try:
            return register(event, details, now)
        except DuplicateEmail:  # signed up a moment ago, by a request running alongside this one
            registration = db.session.execute(_live_with_address(event, email)).scalar_one_or_none()
    if registration is not None:  # (else it was cancelled a moment ago: nothing to remind of)
        mails.queue_already_registered(registration, event)
        db.session.commit()
    return None


def send_manage_link(event: Event, email: str) -> None:
    """Mail the address the link to its registration at this event (the live one, else the latest cancelled), or,
    when it has none, a note saying so. Both are one letter queued and committed, so the request takes the same
    time whichever it is, and the page says the same. Commits."""
    email = _address(email)
    registration = db.session.execute(
        select(Registration).where(Registration.event_id == event.id,
                                   Registration.email_key == addresses.key_of_normal(email))
        .order_by((Registration.status == RegistrationStatus.CANCELLED).asc(), Registration.id.desc()).limit(1)
    ).scalar_one_or_none()
    if registration is None:
        mails.queue_no_registration(email, event)
    else:
        mails.queue_manage_link(registration, event)
    db.session.commit()



# --- editing one's details ----------------------------------------------------------------------------------


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
    email = _address(details.email)
    if (addresses.key_of_normal(email) != registration.email_key
            and _email_taken(event, email, except_id=registration.id)):
        raise DuplicateEmail("Another registration for this event already uses this e-mail address.")
    organisation_id = organisations.find_or_make(details.organisation_name, details.organisation_kind,
                                                 details.country)
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
