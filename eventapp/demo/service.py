"""Seed the demo conference from the brief: its event file imported (the same path as `flask events import`), then
synthetic attendees; idempotent, so running it again changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from ..events.setup import import_event
from ..events.spec import EventSpec, parse_event_file
from ..extensions import db
from ..models import (
    Event,
    Organisation,
    OrganisationKind,
    Registration,
    RegistrationStatus,
    SessionPreference,
    utcnow,
)
from ..tokens import new_badge_secret, new_manage_secret
from .people import synthetic_attendee

# The demo is always in the future with registration open: eight weeks from the day it is first seeded,
# registration opened the day before and closes the evening before the conference (as its file says).
DEMO_WEEKS_AHEAD = 8
DEMO_FILE = Path(__file__).with_name("london-p2p-2018.yaml")
DEMO_SLUG = "london-p2p-2018"


@dataclass(frozen=True)
class DemoSummary:
    event: Event
    created_event: bool
    attendees_added: int
    attendees_total: int


def upsert_organisation(name: str, kind: str, country: str | None) -> Organisation:
    org = db.session.execute(
        select(Organisation).where(func.lower(Organisation.name) == name.lower())
    ).scalar_one_or_none()
    if org is None:
        org = Organisation(name=name, kind=OrganisationKind(kind), country=country)
        db.session.add(org)
        db.session.flush()
    return org


def demo_spec(now: datetime) -> EventSpec:
    """The demo's file, moved to DEMO_WEEKS_AHEAD from today, registration open since the day before."""
    spec = parse_event_file(DEMO_FILE.read_text(encoding="utf-8"))
    zone = ZoneInfo(spec.timezone)
    day = (now.astimezone(zone) + timedelta(weeks=DEMO_WEEKS_AHEAD)).date()
    spec = spec.shifted(timedelta(days=(day - spec.starts.astimezone(zone).date()).days))
    return replace(spec, registration_opens=(now - timedelta(days=1)).replace(second=0, microsecond=0))


def _create_event(now: datetime) -> Event:
    return import_event(demo_spec(now), now=now).event


def seed_demo(attendees: int = 0, progress: Callable[[int, int], None] | None = None) -> DemoSummary:
    now = utcnow()
    event = db.session.execute(select(Event).where(Event.slug == DEMO_SLUG)).scalar_one_or_none()
    created = event is None
    if event is None:
        event = _create_event(now)

    existing = set(
        db.session.execute(
            select(func.lower(Registration.email)).where(Registration.event_id == event.id)
        ).scalars()
    )
    confirmed = db.session.execute(
        select(func.count()).where(
            Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED
        )
    ).scalar_one()
    sessions = list(event.themed_sessions)
    organisations: dict[str, Organisation] = {}
    added = 0
    for index in range(attendees):
        person = synthetic_attendee(index, len(sessions))
        if person.email.lower() in existing:
            continue
        name, kind, country = person.organisation
        if name not in organisations:
            organisations[name] = upsert_organisation(name, kind, country)
        full = event.capacity is not None and confirmed >= event.capacity
        registered_at = min(event.registration_opens_at + timedelta(minutes=7 * index + 3), now)
        registration = Registration(
            event=event,
            full_name=person.full_name,
            given_name=person.given_name,
            family_name=person.family_name,
            email=person.email,
            organisation=organisations[name],
            job_title=person.job_title,
            country=country,
            dietary_needs=person.dietary_needs or None,
            accessibility_needs=person.accessibility_needs or None,
            consent_privacy=True,
            consent_listed=person.consent_listed,
            status=RegistrationStatus.WAITLISTED if full else RegistrationStatus.CONFIRMED,
            waitlisted_at=registered_at if full else None,
            badge_secret=new_badge_secret(),
            manage_secret=new_manage_secret(),
            created_at=registered_at,
        )
        registration.preferences = [
            SessionPreference(themed_session=sessions[i], rank=rank)
            for rank, i in enumerate(person.ranking, start=1)
        ]
        db.session.add(registration)
        confirmed += 0 if full else 1
        added += 1
        if progress and added % 50 == 0:
            progress(index + 1, attendees)
    db.session.commit()
    if progress:
        progress(attendees, attendees)
    total = db.session.execute(
        select(func.count()).where(Registration.event_id == event.id)
    ).scalar_one()
    return DemoSummary(event=event, created_event=created, attendees_added=added, attendees_total=total)
