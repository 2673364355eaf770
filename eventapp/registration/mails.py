"""The mails a registration sends: what they say, queued in the caller's transaction (never sent from here)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, render_template

from ..mail.service import insert_mail, queue_mail
from ..models import Event, OutboundMail, Registration, RegistrationStatus
from ..templating import format_local_time


def manage_url(registration: Registration) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/manage/{registration.manage_secret}"


@dataclass(frozen=True)
class Letter:
    kind: str
    subject: str
    body: str


def _letter(kind: str, registration: Registration, event: Event, subject: str, **context) -> Letter:
    body = render_template(
        f"registration/mail/{kind}.txt",
        registration=registration,
        event=event,
        manage_url=manage_url(registration),
        when=format_local_time(event.starts_at, event.timezone, "%A %d %B %Y, %H:%M"),
        localtime=lambda moment: format_local_time(moment, event.timezone),
        **context,
    )
    return Letter(kind, subject, body)


def _queue(kind: str, registration: Registration, event: Event, subject: str, **context) -> OutboundMail:
    letter = _letter(kind, registration, event, subject, **context)
    return queue_mail(kind, registration.email, letter.subject, letter.body, event=event, registration=registration,
                      attach_badge=context.get("attach_badge", False))


def registered_letter(registration: Registration, event: Event, status: RegistrationStatus) -> Letter:
    """The mail that answers a registration: a confirmation, or word of the waiting list."""
    if status == RegistrationStatus.CONFIRMED:
        return _letter("confirmed", registration, event, f"Your place at {event.name} is confirmed")
    return _letter("waitlisted", registration, event, f"You are on the waiting list for {event.name}")


def insert_letter(letter: Letter, email: str, event_id: int, registration_id: int) -> None:
    """Queue a letter as one INSERT (the registration hot path writes no ORM objects)."""
    insert_mail(letter.kind, email, letter.subject, letter.body, event_id, registration_id)


def queue_registered(registration: Registration, event: Event) -> None:
    """The registration's letter again, after an organiser's change of status (promotion, acceptance)."""
    letter = registered_letter(registration, event, registration.status)
    queue_mail(letter.kind, registration.email, letter.subject, letter.body, event=event, registration=registration)


def queue_manage_link(registration: Registration, event: Event) -> None:
    _queue("manage_link", registration, event, f"Your registration for {event.name}")


def queue_offer(registration: Registration, event: Event) -> None:
    _queue("offer", registration, event, f"A place has freed up at {event.name}: accept it by the deadline")


def queue_cancelled(registration: Registration, event: Event, by_staff: bool) -> None:
    _queue("cancelled", registration, event, f"Your registration for {event.name} is cancelled", by_staff=by_staff)
