"""Badges from the database: who gets one, what it says, re-issuing, and the batch job that prints them."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, exists, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..jobs.service import JobError, JobResult, params, register_kind
from ..models import (
    Assignment,
    BadgeQr,
    Event,
    OutboundMail,
    Registration,
    RegistrationStatus,
    ReplacedBadge,
    StaffRole,
    ThemedSession,
    utcnow,
)
from ..templating import format_local_time
from ..tokens import badge_code, new_badge_secret
from . import qr
from .layout import BadgeData, BadgeSession
from .names import SORT_ORDERS, order_badges

LAYOUTS = {"a4-4up": "A6 badges, four to an A4 sheet, with cut marks", "a6-single": "One A6 badge per page"}
ORDERS = {"surname": "By surname", "organisation": "By organisation", "session": "By session"}
assert set(ORDERS) == set(SORT_ORDERS)


class BadgeError(Exception):
    """A badge cannot be made as asked; the message says why in words a person understands."""


@dataclass(frozen=True)
class BatchRequest:
    event_id: int
    layout: str = "a4-4up"
    order: str = "surname"
    only_new_or_changed: bool = False
    themed_session_id: int | None = None
    # An organiser's selection on the registrations page: only these (still confirmed) people.
    registration_ids: tuple[int, ...] | list[int] = ()

    def check(self) -> None:
        if self.layout not in LAYOUTS:
            raise BadgeError("Choose one of the sheet layouts offered.")
        if self.order not in ORDERS:
            raise BadgeError("Choose one of the orders offered.")


def _session_text(session: ThemedSession, event: Event) -> BadgeSession:
    slot = session.time_slot
    when = f"{format_local_time(slot.starts_at, event.timezone, '%H:%M')}–" \
           f"{format_local_time(slot.ends_at, event.timezone, '%H:%M')}"
    return BadgeSession(title=session.title, room=session.room or "", when=when)


def badge_data(registration: Registration, event: Event, qr_svg: str | None = None) -> BadgeData:
    assignments = sorted(registration.assignments, key=lambda a: a.themed_session.time_slot.starts_at)
    return BadgeData(
        registration_id=registration.id,
        full_name=registration.full_name,
        given_name=registration.given_name,
        family_name=registration.family_name,
        organisation=registration.organisation.name if registration.organisation else "",
        sessions=tuple(_session_text(a.themed_session, event) for a in assignments),
        event_name=event.name,
        event_date=format_local_time(event.starts_at, event.timezone, "%d %B %Y"),
        code=badge_code(registration.badge_secret),
        qr_svg=qr_svg,
    )


# --- QR codes: made once per badge code, kept in badge_qr ------------------------------------------------


def issue_badge_qr(registration: Registration) -> None:
    """Make the QR code of the registration's current badge code and keep it in place of its old code's.

    Called where a badge code is issued (reissue_badge), in the caller's transaction (the caller commits).
    """
    code = badge_code(registration.badge_secret)
    db.session.execute(delete(BadgeQr).where(BadgeQr.registration_id == registration.id))
    db.session.add(BadgeQr(code=code, registration_id=registration.id, svg=qr.qr_svg(code)))


def kept_qr_svgs(registrations: Sequence[Registration]) -> dict[str, str]:
    """The kept QR codes of these registrations' current badge codes, by code (a code without one is absent)."""
    codes = {badge_code(r.badge_secret) for r in registrations}
    ids = [r.id for r in registrations]
    kept: dict[str, str] = {}
    for start in range(0, len(ids), 1000):
        rows = db.session.execute(
            select(BadgeQr.code, BadgeQr.svg).where(BadgeQr.registration_id.in_(ids[start:start + 1000]))
        )
        kept.update((code, svg) for code, svg in rows if code in codes)
    return kept


def badge_qr_svgs(registrations: Sequence[Registration], workers: int | None = None) -> dict[str, str]:
    """Every registration's QR code by badge code: the kept ones, and the missing ones made now (in `workers`
    processes when there are many) and kept. Commits what it made.

    Codes issued at sign-up have no QR code until their first batch print: making one there would add a large share
    to every sign-up's work (benchmarks/badges.py prints what one costs).
    """
    kept = kept_qr_svgs(registrations)
    missing = [(r.id, badge_code(r.badge_secret)) for r in registrations if badge_code(r.badge_secret) not in kept]
    if not missing:
        return kept
    made = qr.qr_svgs([code for _, code in missing], workers)
    rows = [{"code": code, "registration_id": registration_id, "svg": svg}
            for (registration_id, code), svg in zip(missing, made, strict=True)]
    _keep(rows)
    db.session.commit()
    kept.update((row["code"], row["svg"]) for row in rows)
    return kept


def _keep(rows: list[dict]) -> None:
    """Insert the made QR codes, less those a print running beside this one kept first (the same symbols)."""
    for _ in range(3):
        try:
            with db.session.begin_nested():
                for start in range(0, len(rows), 1000):
                    db.session.execute(insert(BadgeQr), rows[start:start + 1000])
            return
        except IntegrityError:
            codes = [row["code"] for row in rows]
            present = set()
            for start in range(0, len(codes), 1000):
                chunk = codes[start:start + 1000]
                present.update(db.session.scalars(select(BadgeQr.code).where(BadgeQr.code.in_(chunk))))
            rows = [row for row in rows if row["code"] not in present]


def _with_badge_details():
    return (
        selectinload(Registration.organisation),
        selectinload(Registration.assignments).joinedload(Assignment.themed_session).joinedload(
            ThemedSession.time_slot),
    )


def _changed_since_printed():
    """New, or changed (name, organisation, re-issued code, sessions) since the badge was last printed."""
    newer_assignment = exists().where(
        Assignment.registration_id == Registration.id, Assignment.created_at > Registration.badge_printed_at
    )
    return or_(
        Registration.badge_printed_at.is_(None),
        Registration.badge_changed_at > Registration.badge_printed_at,
        newer_assignment,
    )


def needing_a_print(registration_ids: list[int]) -> set[int]:
    """Which of these registrations have a badge new or changed since it was last printed (the rule of the "new or
    changed since last print" batch)."""
    if not registration_ids:
        return set()
    return set(db.session.execute(select(Registration.id).where(
        Registration.id.in_(registration_ids), _changed_since_printed())).scalars())


def _batch_conditions(request: BatchRequest) -> list:
    conditions = [Registration.event_id == request.event_id, Registration.status == RegistrationStatus.CONFIRMED]
    if request.only_new_or_changed:
        conditions.append(_changed_since_printed())
    if request.themed_session_id is not None:
        conditions.append(exists().where(Assignment.registration_id == Registration.id,
                                         Assignment.themed_session_id == request.themed_session_id))
    if request.registration_ids:
        conditions.append(Registration.id.in_(list(request.registration_ids)))
    return conditions


def registrations_for_batch(request: BatchRequest) -> list[Registration]:
    return list(db.session.execute(
        select(Registration).where(*_batch_conditions(request)).options(*_with_badge_details())
    ).scalars())


def count_for_batch(request: BatchRequest) -> int:
    """How many badges a batch would print: one COUNT, not every registration loaded (the page asks twice)."""
    return db.session.execute(select(func.count()).where(*_batch_conditions(request))).scalar_one()


def render_batch(request: BatchRequest, out, progress: Callable[[int, int], None] | None = None,
                 workers: int | None = None) -> list[int]:
    """Render the requested badges into `out` (path or binary file); returns the registration ids printed."""
    from .render import render_badges_pdf

    request.check()
    event = db.session.get(Event, request.event_id)
    registrations = registrations_for_batch(request)
    if not registrations:
        raise BadgeError("There are no badges to print for this choice." + (
            " Every badge has already been printed since its last change." if request.only_new_or_changed else ""))
    svgs = badge_qr_svgs(registrations, workers)
    badges = order_badges((badge_data(r, event, svgs[badge_code(r.badge_secret)]) for r in registrations),
                          by=request.order)
    render_badges_pdf(badges, out, layout=request.layout, progress=progress, workers=workers)
    return [int(b.registration_id) for b in badges]


def mark_printed(registration_ids: Sequence[int], at: datetime | None = None) -> None:
    at = at or utcnow()
    for start in range(0, len(registration_ids), 1000):
        db.session.execute(update(Registration).where(Registration.id.in_(registration_ids[start:start + 1000]))
                           .values(badge_printed_at=at).execution_options(synchronize_session=False))
    db.session.commit()


def reissue_badge(registration: Registration) -> Registration:
    """A new secret for a lost or copied badge: the old code then scans as "badge replaced". Commits."""
    if registration.status == RegistrationStatus.CANCELLED:
        raise BadgeError("A cancelled registration has no badge to re-issue.")
    db.session.add(ReplacedBadge(registration_id=registration.id, badge_secret=registration.badge_secret))
    registration.badge_secret = new_badge_secret()
    registration.badge_changed_at = utcnow()
    issue_badge_qr(registration)
    db.session.commit()
    return registration


def attendee_may_download(registration: Registration) -> bool:
    """An attendee has a badge once confirmed and, where sessions are assigned, once they are published."""
    event = registration.event
    return registration.status == RegistrationStatus.CONFIRMED and (
        event.assignment_published_at is not None or not event.themed_sessions
    )


def attendee_badge_pdf(registration: Registration) -> bytes:
    """The attendee's own badge. Only reads: a code whose QR code is not kept yet gets one made for this
    PDF (this runs in GET requests and in the mailer, whose transactions are not its to commit)."""
    from .render import render_badge_pdf

    registration = db.session.execute(
        select(Registration).where(Registration.id == registration.id).options(*_with_badge_details())
    ).scalar_one()
    svg = kept_qr_svgs([registration]).get(badge_code(registration.badge_secret))
    return render_badge_pdf(badge_data(registration, registration.event, svg))


def badge_filename(registration: Registration) -> str:
    return f"badge-{registration.event.slug}-{registration.id}.pdf"


# --- the batch job and the mail attachment -------------------------------------------------------------


def run_badge_job(job, progress) -> JobResult:
    request = BatchRequest(**params(job))
    with tempfile.TemporaryFile() as out:
        try:
            printed = render_batch(request, out, progress=lambda done, total: progress(done, total, "Rendering badges"))
        except BadgeError as error:
            raise JobError(str(error)) from error
        out.seek(0)
        data = out.read()
    mark_printed(printed)
    event = db.session.get(Event, request.event_id)
    return JobResult(f"badges-{event.slug}.pdf", "application/pdf", data)


def _badge_attachment(mail: OutboundMail) -> tuple[str, bytes] | None:
    if mail.registration_id is None:
        return None
    registration = db.session.get(Registration, mail.registration_id)
    if registration is None or not attendee_may_download(registration):
        return None
    return badge_filename(registration), attendee_badge_pdf(registration)


def register_job_kinds() -> None:
    """The badges' kinds of background job (called once by create_app, with every feature's)."""
    register_kind("badges", run_badge_job, (StaffRole.ADMIN,), "Badges")


def register_integrations() -> None:
    """Hook badges into the mailer (called once by create_app)."""
    from ..mail.service import ATTACHMENT_PROVIDERS, BADGE

    ATTACHMENT_PROVIDERS[BADGE] = _badge_attachment

