"""An event's whole description (EventSpec) applied to the database, and read back from it: the one path by which
`flask events import`, `flask demo` and a clone make or update an event. Importing the same file twice changes
nothing; a file the event cannot take is refused whole, with every problem, and nothing is written."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..locking import holding_event_lock
from ..models import Event, EventState, Organisation, StaffUser, ThemedSession, TimeSlot, utcnow
from . import lifecycle, programme
from .programme import SessionValues, SetupRefused
from .service import get_event
from .spec import EventSpec, OrganisationSpec, SessionSpec, SlotSpec


@dataclass
class Imported:
    event: Event
    created: bool
    changed: list[str] = field(default_factory=list)  # what changed, for the command's output


def import_event(spec: EventSpec, by: StaffUser | None = None, now: datetime | None = None) -> Imported:
    """Create the event the spec describes, or bring the one with its slug in line with it. Commits."""
    from ..registration.service import process_waitlist

    now = now or utcnow()
    event = get_event(spec.slug)
    if event is None:
        return _create(spec, by, now)
    if event.state == EventState.ARCHIVED:
        raise SetupRefused([f"{event.name} is archived, so it is read-only."])
    with holding_event_lock(event):
        changed = _update(event, spec, by, now)
    process_waitlist(event)  # a raised capacity offers its new places
    return Imported(event, created=False, changed=changed)


def _create(spec: EventSpec, by: StaffUser | None, now: datetime) -> Imported:
    event = Event(slug=spec.slug, name=spec.name, venue=spec.venue, timezone=spec.timezone, created_at=now,
                  state=spec.state or EventState.DRAFT, starts_at=spec.starts, ends_at=spec.ends,
                  waitlist_offer_hours=spec.offer_hours)
    db.session.add(event)
    try:
        problems = _apply(event, spec, by, now)
        if problems:
            raise SetupRefused(problems)
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        if get_event(spec.slug) is None:
            raise
        raise SetupRefused([f"An event with the slug “{spec.slug}” already exists."]) from error
    except BaseException:
        db.session.rollback()
        raise
    return Imported(event, created=True, changed=["created"])


def _update(event: Event, spec: EventSpec, by: StaffUser | None, now: datetime) -> list[str]:
    before = export_spec(event)
    problems = _apply(event, spec, by, now)
    if problems:
        raise SetupRefused(problems)
    db.session.flush()
    after = export_spec(event)
    return [name for name in EventSpec.__dataclass_fields__ if getattr(before, name) != getattr(after, name)]


def _apply(event: Event, spec: EventSpec, by: StaffUser | None, now: datetime) -> list[str]:
    """Every change the spec asks for, and the problems of those the event cannot take (then nothing is kept:
    the caller rolls back)."""
    problems = []
    organisations = {o.name: _organisation(o) for o in spec.organisations}
    _set(event, name=spec.name, short_name=spec.short_name, tagline=spec.tagline, summary=spec.description,
         opening=spec.programme_notes, timezone=spec.timezone, venue=spec.venue, venue_address=spec.venue_address,
         registration_opens_at=spec.registration_opens, registration_closes_at=spec.registration_closes,
         edit_deadline=spec.edit_deadline, privacy_controller=spec.privacy_controller,
         privacy_contact=spec.privacy_contact, privacy_retention_months=spec.privacy_retention_months,
         reminder_days=spec.reminder_days)
    problem = programme.capacity_problem(event, spec.capacity)
    if problem:
        problems.append(problem)
    else:
        event.capacity = spec.capacity
    hours_changed = event.waitlist_offer_hours != spec.offer_hours
    event.waitlist_offer_hours = spec.offer_hours
    if event.id is None:
        db.session.flush()
    # The file's partners first (a session's lead must be a partner), those it drops only once their sessions
    # have new leads or are gone.
    wanted = [(organisations[o.name], o.role) for o in spec.organisations]
    problems += programme.set_partners(event, wanted + [(link.organisation, link.role) for link in event.partner_links
                                                        if link.organisation.name not in organisations])
    # The file gives each slot's time itself: the programme is not moved with the event.
    problems += programme.set_event_times(event, spec.starts, spec.ends, by, now, move_programme=False)
    if hours_changed:
        programme.offers_follow(event, now)
    problems += _apply_programme(event, spec, organisations, by, now)
    if not problems:
        problems += programme.set_partners(event, wanted)
    if spec.state is not None and spec.state != event.state and not problems:
        problems += lifecycle.problems_entering(event, spec.state, now)
        event.state = spec.state
    return problems


def _set(target, **values) -> None:
    """Only what differs, so that an unchanged import writes nothing."""
    for name, value in values.items():
        if getattr(target, name) != value:
            setattr(target, name, value)


def _organisation(spec: OrganisationSpec) -> Organisation:
    organisation = programme.find_or_create_organisation(spec.name, spec.kind)
    _set(organisation, name=spec.name)
    for name in ("kind", "short_name", "country", "description", "website"):
        value = getattr(spec, name)
        if value is not None:
            _set(organisation, **{name: value})
    return organisation


def _apply_programme(event: Event, spec: EventSpec, organisations: dict[str, Organisation],
                     by: StaffUser | None, now: datetime) -> list[str]:
    problems = []
    slots = {s.label.lower(): s for s in event.time_slots}
    sessions = {s.title.lower(): s for s in event.themed_sessions}
    wanted_titles = {t.title.lower() for s in spec.slots for t in s.sessions}
    # Sessions the file no longer lists go first, so that their rooms and titles are free for the rest.
    for title, session in list(sessions.items()):
        if title not in wanted_titles:
            problem = programme.removal_problem(session)
            if problem:
                problems.append(problem)
            else:
                programme.remove_session(session)
    slot_problems = []
    for slot_spec in spec.slots:
        slot = slots.get(slot_spec.name.lower()) or TimeSlot()
        slot_problems += programme.set_slot(event, slot, slot_spec.name, slot_spec.starts, slot_spec.ends, by, now)
        slots[slot_spec.name.lower()] = slot
    if slot_problems:
        return problems + slot_problems
    db.session.flush()
    position = 0
    for slot_spec in spec.slots:
        slot = slots[slot_spec.name.lower()]
        for session_spec in slot_spec.sessions:
            session = sessions.get(session_spec.title.lower()) or ThemedSession()
            problems += programme.set_session(event, session, _values(session_spec, slot, organisations), by, now)
            if session.position != position:
                session.position = position
            position += 1
    wanted_slots = {s.name.lower() for s in spec.slots}
    for name, slot in slots.items():
        if name not in wanted_slots:
            try:
                programme.remove_slot(slot)
            except SetupRefused as refused:
                problems += refused.problems
    return problems


def _values(spec: SessionSpec, slot: TimeSlot, organisations: dict[str, Organisation]) -> SessionValues:
    return SessionValues(title=spec.title, lead=organisations[spec.lead], slot=slot, capacity=spec.capacity,
                         room=spec.room, description=spec.description)


def export_spec(event: Event) -> EventSpec:
    """The event as a spec: what `flask events export` writes and a clone copies."""
    from .spec import OrganisationSpec as Org

    organisations = tuple(
        Org(name=link.organisation.name, role=link.role, kind=link.organisation.kind,
            short_name=link.organisation.short_name, country=link.organisation.country,
            description=link.organisation.description, website=link.organisation.website)
        for link in event.partner_links)
    slots = tuple(
        SlotSpec(name=slot.label, starts=slot.starts_at, ends=slot.ends_at, sessions=tuple(
            SessionSpec(title=s.title, lead=s.lead_organisation.name, capacity=s.capacity, room=s.room,
                        description=s.description)
            for s in event.themed_sessions if s.time_slot_id == slot.id))
        for slot in sorted(event.time_slots, key=lambda s: s.starts_at))
    return EventSpec(
        name=event.name, slug=event.slug, starts=event.starts_at, ends=event.ends_at, timezone=event.timezone,
        venue=event.venue, short_name=event.short_name, tagline=event.tagline, description=event.summary,
        programme_notes=event.opening, venue_address=event.venue_address, capacity=event.capacity,
        state=event.state, registration_opens=event.registration_opens_at,
        registration_closes=event.registration_closes_at, offer_hours=event.waitlist_offer_hours,
        edit_deadline=event.edit_deadline, organisations=organisations, slots=slots,
        privacy_controller=event.privacy_controller, privacy_contact=event.privacy_contact,
        privacy_retention_months=event.privacy_retention_months, reminder_days=event.reminder_days)

