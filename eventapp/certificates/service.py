"""Certificates from the database: who gets one (everyone checked in), what it says, its code, verifying and
revoking it, and the batch job.

The code is a long random secret (130 bits in Crockford's base32, the alphabet of the badge codes: nothing to
misread when typed from paper); the public page it leads to shows the name, the event and its date, nothing else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..jobs.service import JobError, JobResult, register_kind
from ..models import Certificate, Event, Organisation, Registration, RegistrationStatus, StaffRole, utcnow
from ..survey import service as survey
from ..templating import format_local_time
from ..tokens import BADGE_ALPHABET, BADGE_SECRET_LENGTH, new_badge_secret

_CODE = re.compile(f"[{BADGE_ALPHABET}]{{{BADGE_SECRET_LENGTH}}}", re.ASCII)
# Letters a person may type for a look-alike digit (Crockford's decoding rules).
_TYPED = str.maketrans({"O": "0", "I": "1", "L": "1"})


class CertificateError(Exception):
    """A certificate cannot be given or changed as asked; the message says why."""


def new_code() -> str:
    return new_badge_secret()


def normalise_code(typed: str) -> str | None:
    """A code as printed or typed (any case, spaces or hyphens, O for 0): ours in canonical form, or None."""
    code = re.sub(r"[\s-]", "", typed or "").upper().translate(_TYPED)
    return code if _CODE.fullmatch(code) else None


def verify_url(code: str) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/certificates/{code}"


def event_dates(event: Event) -> str:
    start = event.starts_at
    end = event.ends_at
    first = format_local_time(start, event.timezone, "%d %B %Y").lstrip("0")
    last = format_local_time(end, event.timezone, "%d %B %Y").lstrip("0")
    if first == last:
        return first
    if format_local_time(start, event.timezone, "%m %Y") == format_local_time(end, event.timezone, "%m %Y"):
        return f"{format_local_time(start, event.timezone, '%d').lstrip('0')}–{last}"
    return f"{first} – {last}"


# --- issuing ----------------------------------------------------------------------------------------------


def issue_all(event: Event) -> int:
    """A certificate row for every checked-in person who has none; commits; returns how many were made."""
    present = survey.checked_in_ids(event)
    have = set(db.session.execute(
        select(Certificate.registration_id).join(Registration, Registration.id == Certificate.registration_id)
        .where(Registration.event_id == event.id)).scalars())
    rows = [{"registration_id": rid, "code": new_code(), "issued_at": utcnow()} for rid in sorted(present - have)]
    if rows:
        try:
            db.session.execute(insert(Certificate), rows)
            db.session.commit()
        except IntegrityError:  # a batch or a download at the same moment issued some: take theirs
            db.session.rollback()
            return issue_all(event)
    return len(rows)


def certificate_for(registration: Registration) -> Certificate | None:
    """This person's certificate, issued now if they came and have none; None if they did not check in."""
    existing = db.session.execute(
        select(Certificate).where(Certificate.registration_id == registration.id)).scalar_one_or_none()
    if existing is not None or not survey.is_checked_in(registration):
        return existing
    certificate = Certificate(registration_id=registration.id, code=new_code(), issued_at=utcnow())
    db.session.add(certificate)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return db.session.execute(
            select(Certificate).where(Certificate.registration_id == registration.id)).scalar_one()
    return certificate


def revoke(event: Event, registration_id: int, reason: str, now: datetime | None = None) -> Certificate:
    certificate = db.session.execute(
        select(Certificate).join(Registration, Registration.id == Certificate.registration_id)
        .where(Certificate.registration_id == registration_id, Registration.event_id == event.id)
    ).scalar_one_or_none()
    if certificate is None:
        raise CertificateError("That registration has no certificate at this event.")
    if certificate.revoked_at is not None:
        raise CertificateError("That certificate is already revoked.")
    certificate.revoked_at = now or utcnow()
    certificate.revoked_reason = reason.strip()[:300] or None
    db.session.commit()
    return certificate


# --- what a certificate says ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CertificateSession:
    title: str
    lead: str


@dataclass(frozen=True, slots=True)
class CertificateData:
    registration_id: int
    full_name: str
    organisation: str
    event_name: str
    dates: str
    venue: str
    sessions: tuple[CertificateSession, ...]
    convenors: tuple[str, ...]
    code: str
    url: str
    issued: str


def certificates_data(event: Event, registration_ids: set[int] | None = None) -> list[CertificateData]:
    """The live certificates of the event (or of the given people), sorted by family name; a few queries."""
    attended = survey.sessions_attended(event, registration_ids)
    sessions = {ts.id: (i, CertificateSession(ts.title, ts.lead_organisation.name))
                for i, ts in enumerate(event.themed_sessions)}
    query = (
        select(Certificate.code, Certificate.issued_at, Registration.id, Registration.full_name,
               Registration.family_name, Organisation.name)
        .join(Registration, Registration.id == Certificate.registration_id)
        .outerjoin(Organisation, Organisation.id == Registration.organisation_id)
        .where(Registration.event_id == event.id, Certificate.revoked_at.is_(None),
               Registration.status == RegistrationStatus.CONFIRMED)
    )
    if registration_ids is not None:
        query = query.where(Registration.id.in_(registration_ids))
    common = dict(event_name=event.name, dates=event_dates(event), venue=event.venue,
                  convenors=tuple(o.name for o in event.convenors))
    rows = []
    for code, issued_at, rid, full_name, family_name, org in db.session.execute(query):
        if rid not in attended:  # a check-in undone since: no certificate to print
            continue
        mine = tuple(s for _, s in sorted(sessions[sid] for sid in attended[rid] if sid in sessions))
        rows.append(((family_name or full_name).casefold(), full_name.casefold(), rid, CertificateData(
            registration_id=rid, full_name=full_name, organisation=org or "", sessions=mine, code=code,
            url=verify_url(code), issued=format_local_time(issued_at, event.timezone, "%d %B %Y").lstrip("0"),
            **common)))
    return [data for *_, data in sorted(rows, key=lambda r: r[:3])]


def count_for_batch(event: Event) -> int:
    return len(survey.checked_in_ids(event))


# --- the public check -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    status: str  # valid, revoked, unknown
    full_name: str = ""
    event_name: str = ""
    dates: str = ""
    revoked_on: str = ""


def verify(typed: str) -> Verification:
    code = normalise_code(typed)
    if code is None:
        return Verification("unknown")
    row = db.session.execute(
        select(Certificate, Registration.full_name, Event)
        .join(Registration, Registration.id == Certificate.registration_id)
        .join(Event, Event.id == Registration.event_id)
        .where(Certificate.code == code)
    ).first()
    if row is None:
        return Verification("unknown")
    certificate, full_name, event = row
    if certificate.revoked_at is not None:
        return Verification("revoked", revoked_on=format_local_time(certificate.revoked_at, event.timezone,
                                                                    "%d %B %Y").lstrip("0"))
    return Verification("valid", full_name=full_name, event_name=event.name, dates=event_dates(event))


# --- PDFs and the batch job -------------------------------------------------------------------------------


def attendee_certificate_pdf(registration: Registration) -> bytes | None:
    """This person's certificate as PDF bytes; None if they have none (did not come, or it was revoked)."""
    from .render import render_certificates

    certificate = certificate_for(registration)
    if certificate is None or certificate.revoked_at is not None:
        return None
    data = certificates_data(registration.event, {registration.id})
    return render_certificates(data) if data else None


def render_batch(event: Event, progress=None) -> tuple[bytes, int]:
    from .render import render_certificates

    issue_all(event)
    data = certificates_data(event)
    if not data:
        raise CertificateError("No one has checked in at this event, so there are no certificates to make.")
    return render_certificates(data, progress=progress), len(data)


def filename(event: Event, registration: Registration | None = None) -> str:
    return f"certificate-{event.slug}-{registration.id}.pdf" if registration else f"certificates-{event.slug}.pdf"


def run_certificates_job(job, progress):
    event = db.session.get(Event, job.event_id) if job.event_id else None
    if event is None:
        raise JobError("The event of these certificates no longer exists.")
    try:
        data, _ = render_batch(event, progress=lambda done, total: progress(done, total, "Making certificates"))
    except CertificateError as error:
        raise JobError(str(error)) from error
    return JobResult(filename(event), "application/pdf", data)


JOB_KIND = "certificates"


def register_job_kinds() -> None:
    """The certificates' kind of background job (called once by create_app, with every feature's)."""
    register_kind(JOB_KIND, run_certificates_job, (StaffRole.ADMIN,), "Certificates of attendance")
