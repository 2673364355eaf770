"""The mails a registration sends: what they say, queued in the caller's transaction (never sent from here)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

from flask import current_app

from ..letters import service as letters
from ..mail.service import queue_mail
from ..models import Event, LetterTemplate, OutboundMail, Registration, RegistrationStatus
from ..templating import format_local_time
from .addresses import mail_recipient


def manage_url(manage_secret: str) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/manage/{manage_secret}"


def register_url(event: Event) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/events/{event.slug}/register"


class Newcomer(NamedTuple):
    """Who a sign-up's letter is to, written before their registration's row exists."""

    full_name: str
    manage_secret: str


@dataclass(frozen=True)
class Letter:
    kind: str
    subject: str
    body: str
    body_html: str | None = None  # an organiser's edited letter has an HTML version too


def _edited(kind: str, registration: Registration | Newcomer | None, event: Event,
            saved: Mapping[str, LetterTemplate] | None) -> Letter | None:
    """The event's own wording of this letter (letters/), when an organiser has edited it. `saved`: the event's
    edited letters already read (newcomer_letters), else this one is read now."""
    if registration is None or letters.letter_kind(kind) is None:
        return None
    if isinstance(registration, Newcomer):
        status = RegistrationStatus.CONFIRMED if kind in ("confirmed", "invitation") else RegistrationStatus.WAITLISTED
        registration = letters.newcomer(event, registration.full_name, registration.manage_secret, status)
    template = letters.saved_letter(event, kind) if saved is None else saved.get(kind)
    composed = letters.compose_for(template, registration)
    return None if composed is None else Letter(kind, composed.subject, composed.text, composed.html)


def _letter(kind: str, registration: Registration | Newcomer | None, event: Event, subject: str,
            saved: Mapping[str, LetterTemplate] | None = None, **context) -> Letter:
    edited = _edited(kind, registration, event, saved)
    if edited is not None:
        return edited
    # A letter is not a page: rendered without the request's template context (user, CSRF token, ...).
    body = current_app.jinja_env.get_template(f"registration/mail/{kind}.txt").render(
        registration=registration,
        event=event,
        manage_url=manage_url(registration.manage_secret) if registration is not None else None,
        register_url=register_url(event),
        when=format_local_time(event.starts_at, event.timezone, "%A %d %B %Y, %H:%M"),
        localtime=lambda moment: format_local_time(moment, event.timezone),
        **context,
    )
    return Letter(kind, subject, body)


def _queue(kind: str, registration: Registration, event: Event, subject: str, **context) -> OutboundMail:
    letter = _letter(kind, registration, event, subject, **context)
    return queue_mail(kind, mail_recipient(registration.email), letter.subject, letter.body, event=event,
                      registration=registration, attach_badge=context.get("attach_badge", False),
                      body_html=letter.body_html)


def registered_letter(registration: Registration | Newcomer, event: Event, status: RegistrationStatus,
                      saved: Mapping[str, LetterTemplate] | None = None) -> Letter:
    """The mail that answers a registration: a confirmation, or word of the waiting list."""
    if status == RegistrationStatus.CONFIRMED:
        return _letter("confirmed", registration, event, f"Your place at {event.name} is confirmed", saved)
    return _letter("waitlisted", registration, event, f"You are on the waiting list for {event.name}", saved)


def queue_registered(registration: Registration, event: Event) -> None:
    """The registration's letter again, after an organiser's change of status (promotion, acceptance)."""
    letter = registered_letter(registration, event, registration.status)
    queue_mail(letter.kind, mail_recipient(registration.email), letter.subject, letter.body, event=event,
               registration=registration, body_html=letter.body_html)


def queue_manage_link(registration: Registration, event: Event) -> None:
    _queue("manage_link", registration, event, f"Your registration for {event.name}")


def queue_already_registered(registration: Registration, event: Event) -> None:
    """Someone tried to sign up again with this registration's address: its owner gets their link instead (the
    form answers as if they had signed up, so that it never tells anyone who has registered)."""
    _queue("already_registered", registration, event, f"You are already registered for {event.name}")


def queue_no_registration(address: str, event: Event) -> None:
    """The link was asked for an address with no registration here: say so to that mailbox (the page says the
    same whichever it is)."""
    letter = _letter("no_registration", None, event, f"Your registration for {event.name}")
    queue_mail(letter.kind, mail_recipient(address), letter.subject, letter.body, event=event)


def invitation_letter(registration: Registration | Newcomer, event: Event,
                      saved: Mapping[str, LetterTemplate] | None = None) -> Letter:
    """An invited guest's letter: they are registered, here is their private link (the attendee import's, for a
    guest who has a place)."""
    return _letter("invitation", registration, event, f"You are invited to {event.name}", saved)


def queue_offer(registration: Registration, event: Event) -> None:
    _queue("offer", registration, event, f"A place has freed up at {event.name}: accept it by the deadline")


def queue_cancelled(registration: Registration, event: Event, by_staff: bool) -> None:
    _queue("cancelled", registration, event, f"Your registration for {event.name} is cancelled", by_staff=by_staff)
