"""An event's own letters: save (refusing unknown placeholders and images), reset, preview, and compose the
edited letter for an attendee. The features that send a letter read the event's edited letter once
(``saved_letter``, ``saved_letters``) and compose it for each attendee (``compose_for``); None means the built-in
letter goes out as before."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import SimpleNamespace

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, object_session

from ..extensions import db
from ..mail.placeholders import PLACEHOLDERS, context_for, render, unknown_placeholders
from ..models import Event, LetterTemplate, Registration, RegistrationStatus, StaffUser, utcnow
from . import html
from .kinds import KINDS, LetterKind


class LetterRefused(ValueError):
    """The letter cannot be saved; `errors` maps each field (subject, body_text, body_html) to its sentence."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(" ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class Composed:
    subject: str
    text: str
    html: str  # a whole, sanitised HTML document


@dataclass(frozen=True)
class LetterState:
    kind: LetterKind
    saved: LetterTemplate | None


def letter_kind(kind: str) -> LetterKind | None:
    return KINDS.get(kind)


def _session_of(event: Event) -> Session:
    # The reminders run on a session of their own: read the template where the event was loaded.
    return object_session(event) or db.session


def saved_letter(event: Event, kind: str) -> LetterTemplate | None:
    return _session_of(event).execute(select(LetterTemplate).where(
        LetterTemplate.event_id == event.id, LetterTemplate.kind == kind)).scalar_one_or_none()


def saved_letters(event: Event, kinds: tuple[str, ...]) -> dict[str, LetterTemplate]:
    """The event's edited letters of these kinds, by kind, in one query (a sign-up may need either of two)."""
    return {t.kind: t for t in _session_of(event).execute(select(LetterTemplate).where(
        LetterTemplate.event_id == event.id, LetterTemplate.kind.in_(kinds))).scalars()}


def letters(event: Event) -> list[LetterState]:
    saved = {t.kind: t for t in db.session.execute(
        select(LetterTemplate).where(LetterTemplate.event_id == event.id)).scalars()}
    return [LetterState(kind, saved.get(kind.kind)) for kind in KINDS.values()]


def check(subject: str, text: str, body_html: str | None) -> dict[str, str]:
    """Each field's problem: an unknown placeholder (named), a subject on two lines, an image in the HTML."""
    errors: dict[str, str] = {}
    for field, value in (("subject", subject), ("body_text", text), ("body_html", body_html or "")):
        unknown = unknown_placeholders(value)
        if unknown:
            names = ", ".join(f"{{{{ {name} }}}}" for name in unknown)
            errors[field] = (f"Unknown placeholder{'s' if len(unknown) > 1 else ''}: {names}. "
                             f"Use only: {', '.join(PLACEHOLDERS)}.")
    if "subject" not in errors and ("\n" in subject or "\r" in subject):
        errors["subject"] = "The subject must fit on one line."
    if "body_html" not in errors and body_html and (problem := html.refused_markup(body_html)):
        errors["body_html"] = problem
    return errors


def save(event: Event, kind: str, subject: str, text: str, body_html: str | None = None,
         by: StaffUser | None = None) -> LetterTemplate:
    """The event's own wording of a letter (committed), or LetterRefused saying what is wrong, field by field."""
    subject, text, body_html = subject.strip(), text.strip() + "\n", (body_html or "").strip() or None
    errors = check(subject, text, body_html)
    if errors:
        raise LetterRefused(errors)
    template = saved_letter(event, kind) or LetterTemplate(event_id=event.id, kind=kind)
    template.subject, template.body_text = subject, text
    template.body_html = html.clean(body_html) if body_html else None
    template.updated_at, template.updated_by_id = utcnow(), by.id if by is not None else None
    db.session.add(template)
    db.session.commit()
    return template


def reset(event: Event, kind: str) -> bool:
    """Back to the built-in letter; committed. Returns whether there was an edited one."""
    removed = db.session.execute(delete(LetterTemplate).where(
        LetterTemplate.event_id == event.id, LetterTemplate.kind == kind)).rowcount
    db.session.commit()
    return bool(removed)


def compose(subject: str, text: str, body_html: str | None, context: Mapping[str, object]) -> Composed:
    body = render(body_html, context, html=True) if body_html else html.from_text(render(text, context))
    return Composed(" ".join(render(subject, context).split()), render(text, context), html.document(body))


def context(registration, **overrides) -> dict[str, str]:
    values = context_for(registration)
    values.update({k: str(v) for k, v in overrides.items() if v is not None})
    return values


def compose_for(template: LetterTemplate | None, registration, **overrides) -> Composed | None:
    """The event's own wording of a letter (`template`, read once by the caller: saved_letter, saved_letters) for
    this attendee, or None when the organiser has not edited it. `registration` may be a Registration or any
    object with its fields (a sign-up before its row exists); `overrides` set placeholders the sending feature
    knows better (the sessions being published)."""
    if template is None:
        return None
    return compose(template.subject, template.body_text, template.body_html, context(registration, **overrides))


def newcomer(event: Event, full_name: str, manage_secret: str, status: RegistrationStatus) -> SimpleNamespace:
    """What the placeholders need of a sign-up whose row is not written yet."""
    return SimpleNamespace(event=event, full_name=full_name, manage_secret=manage_secret, status=status,
                           offer_expires_at=None, assignments=[])


def preview_attendee(event: Event, kind: str, registration_id: int | None = None) -> Registration | None:
    """A real attendee of the event to preview with: the one asked for, else the first who could get this letter
    (waiting for the waiting-list and offer letters, confirmed otherwise), else anyone."""
    query = select(Registration).where(Registration.event_id == event.id)
    if registration_id:
        found = db.session.execute(query.where(Registration.id == registration_id)).scalar_one_or_none()
        if found is not None:
            return found
    wanted = RegistrationStatus.WAITLISTED if kind in ("waitlisted", "offer") else RegistrationStatus.CONFIRMED
    return (db.session.execute(query.where(Registration.status == wanted).order_by(Registration.id).limit(1))
            .scalar_one_or_none()
            or db.session.execute(query.order_by(Registration.id).limit(1)).scalar_one_or_none())


def preview_choices(event: Event, limit: int = 200) -> list[tuple[int, str, str]]:
    """Attendees to pick for the preview: (id, name, status), by name."""
    return [(r.id, r.full_name, r.status.value) for r in db.session.execute(
        select(Registration.id, Registration.full_name, Registration.status)
        .where(Registration.event_id == event.id).order_by(Registration.full_name).limit(limit))]
