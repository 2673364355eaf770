"""Seed the demo conference from the brief; idempotent, so running it again changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from ..extensions import db
from ..models import (
    Event,
    EventPartner,
    EventState,
    Organisation,
    OrganisationKind,
    PartnerRole,
    Registration,
    RegistrationStatus,
    SessionPreference,
    ThemedSession,
    TimeSlot,
    utcnow,
)
from ..tokens import new_badge_secret, new_manage_secret
from . import brief
from .people import synthetic_attendee

# The demo is always in the future with registration open: eight weeks from the day it is first seeded,
# registration opened the day before and closes the evening before the conference.
DEMO_WEEKS_AHEAD = 8


@dataclass(frozen=True)
class DemoSummary:
    event: Event
    created_event: bool
    attendees_added: int
    attendees_total: int


def upsert_organisation(name: str, kind: str, country: str | None, description: str | None = None) -> Organisation:
    org = db.session.execute(
        select(Organisation).where(func.lower(Organisation.name) == name.lower())
    ).scalar_one_or_none()
    if org is None:
        org = Organisation(name=name, kind=OrganisationKind(kind), country=country, description=description)
        db.session.add(org)
        db.session.flush()
    return org


def _local(day, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), ZoneInfo(brief.EVENT_TIMEZONE)).astimezone(UTC)


def _create_event(now: datetime) -> Event:
    day = (now.astimezone(ZoneInfo(brief.EVENT_TIMEZONE)) + timedelta(weeks=DEMO_WEEKS_AHEAD)).date()
    convenors = [upsert_organisation(*c) for c in brief.CONVENORS]
    funder = upsert_organisation(*brief.FUNDER)
    event = Event(
        slug=brief.EVENT_SLUG,
        name=brief.EVENT_NAME,
        summary=brief.EVENT_SUMMARY,
        opening=brief.EVENT_OPENING,
        starts_at=_local(day, 9, 0),
        ends_at=_local(day, 17, 30),
        timezone=brief.EVENT_TIMEZONE,
        venue=brief.EVENT_VENUE,
        registration_opens_at=now - timedelta(days=1),
        registration_closes_at=_local(day - timedelta(days=1), 18, 0),
        capacity=brief.EVENT_CAPACITY,
        waitlist_offer_hours=48,
        state=EventState.PUBLISHED,
    )
    event.partner_links = [EventPartner(organisation=org, role=PartnerRole.CONVENOR, position=i)
                           for i, org in enumerate(convenors)]
    event.partner_links.append(EventPartner(organisation=funder, role=PartnerRole.FUNDER, position=len(convenors)))
    slot = TimeSlot(label=brief.THEMED_SLOT_LABEL, starts_at=_local(day, 11, 0), ends_at=_local(day, 12, 30))
    event.time_slots = [slot]
    leads = {org.name: org for org in convenors}
    event.themed_sessions = [
        ThemedSession(
            title=title,
            lead_organisation=leads[lead],
            description=description,
            room=room,
            capacity=capacity,
            time_slot=slot,
            position=i,
        )
        for i, (title, lead, description, room, capacity) in enumerate(brief.THEMED_SESSIONS)
    ]
    db.session.add(event)
    db.session.flush()
    return event


def seed_demo(attendees: int = 0, progress: Callable[[int, int], None] | None = None) -> DemoSummary:
    now = utcnow()
    event = db.session.execute(select(Event).where(Event.slug == brief.EVENT_SLUG)).scalar_one_or_none()
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
