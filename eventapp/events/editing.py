"""The organiser's edits to an event from its pages: each a transaction under the event's lock, through the same
rules as the event file's import (programme.py); refused whole, with a sentence, when a rule says no."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..locking import holding_event_lock
from ..models import (
    Event,
    EventState,
    OrganisationKind,
    PartnerRole,
    StaffUser,
    ThemedSession,
    TimeSlot,
    utcnow,
)
from . import programme
from .programme import SessionValues, SetupRefused
from .spec import slugify


@contextmanager
def _editing(event: Event) -> Iterator[None]:
    """The event's lock for one edit, committed at the end; refused for an archived event."""
    if event.state == EventState.ARCHIVED:
        raise SetupRefused(["The event is archived, so it is read-only."])
    with holding_event_lock(event):
        yield


def _refuse_if(problems: list[str], field: str | None = None) -> None:
    if problems:
        raise SetupRefused(problems, field=field)


def _slug_taken(slug: str, event: Event | None = None) -> bool:
    query = select(Event.id).where(Event.slug == slug)
    if event is not None:
        query = query.where(Event.id != event.id)
    return db.session.execute(query).first() is not None


# --- the event ------------------------------------------------------------------------------------------------


def create_event(values: dict, by: StaffUser | None = None, now: datetime | None = None) -> Event:
    """A new event, as a draft. Commits."""
    now = now or utcnow()
    values = dict(values)
    values["slug"] = values.get("slug") or slugify(values["name"])
    if not values["slug"]:
        raise SetupRefused(["Give the event a web address (slug) of letters and digits."], field="slug")
    if _slug_taken(values["slug"]):
        raise SetupRefused([f"Another event already uses the address “{values['slug']}”."], field="slug")
    event = Event(**values, state=EventState.DRAFT, created_at=now)
    db.session.add(event)
    try:
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise SetupRefused([f"Another event already uses the address “{values['slug']}”."], field="slug") from error
    return event


def save_settings(event: Event, values: dict, by: StaffUser | None = None, stop_offers: bool = False,
                  move_programme: bool = True, now: datetime | None = None) -> None:
    """The event's details; capacity and dates through their rules. Commits, then offers any new places."""
    from ..registration.service import process_waitlist

    now = now or utcnow()
    values = dict(values)
    starts, ends = values.pop("starts_at"), values.pop("ends_at")
    capacity = values.pop("capacity")
    slug = values.pop("slug") or event.slug
    with _editing(event):
        if slug != event.slug:
            if event.state != EventState.DRAFT:
                raise SetupRefused(["The web address cannot change once the event is published: links to it "
                                    "have been given out."], field="slug")
            if _slug_taken(slug, event):
                raise SetupRefused([f"Another event already uses the address “{slug}”."], field="slug")
            event.slug = slug
        _refuse_if([p for p in [programme.capacity_problem(event, capacity, stop_offers)] if p], field="capacity")
        event.capacity = capacity
        hours_changed = values["waitlist_offer_hours"] != event.waitlist_offer_hours
        for name, value in values.items():
            if getattr(event, name) != value:
                setattr(event, name, value)
        _refuse_if(programme.set_event_times(event, starts, ends, by, now, move_programme=move_programme),
                   field="starts")
        if hours_changed:
            programme.offers_follow(event, now)
    process_waitlist(event)


# --- partners -------------------------------------------------------------------------------------------------


def save_partner(event: Event, name: str, role: PartnerRole, kind: OrganisationKind, short_name: str | None = None,
                 country: str | None = None, description: str | None = None) -> None:
    """Add a partner, or change the role and details of one already there. Commits."""
    with _editing(event):
        organisation = programme.find_or_create_organisation(name, kind)
        organisation.kind = kind
        for attribute, value in (("short_name", short_name), ("country", country), ("description", description)):
            setattr(organisation, attribute, value or None)
        partners = [(link.organisation, link.role) for link in event.partner_links]
        if organisation.id in {o.id for o, _ in partners}:
            partners = [(o, role if o.id == organisation.id else r) for o, r in partners]
        else:
            partners.append((organisation, role))
        _refuse_if(programme.set_partners(event, partners))


def remove_partner(event: Event, organisation_id: int) -> None:
    with _editing(event):
        _refuse_if(programme.set_partners(event, [(link.organisation, link.role) for link in event.partner_links
                                                  if link.organisation_id != organisation_id]))


def move_partner(event: Event, organisation_id: int, step: int) -> None:
    with _editing(event):
        links = list(event.partner_links)
        _refuse_if(programme.set_partners(event, [(link.organisation, link.role)
                                                  for link in _moved(links, organisation_id, step, "organisation_id")]))


def _moved(items: list, item_id: int, step: int, key: str = "id") -> list:
    index = next((i for i, item in enumerate(items) if getattr(item, key) == item_id), None)
    if index is None:
        raise SetupRefused(["That is no longer part of the event: reload the page."])
    target = min(max(index + step, 0), len(items) - 1)
    items.insert(target, items.pop(index))
    return items


# --- slots and sessions ---------------------------------------------------------------------------------------


def _slot(event: Event, slot_id: int | None) -> TimeSlot:
    if slot_id is None:
        return TimeSlot()
    slot = next((s for s in event.time_slots if s.id == slot_id), None)
    if slot is None:
        raise SetupRefused(["That slot is no longer part of the event: reload the page."])
    return slot


def _session(event: Event, session_id: int | None) -> ThemedSession:
    if session_id is None:
        return ThemedSession()
    session = next((s for s in event.themed_sessions if s.id == session_id), None)
    if session is None:
        raise SetupRefused(["That session is no longer part of the event: reload the page."])
    return session


def save_slot(event: Event, slot_id: int | None, label: str, starts: datetime, ends: datetime,
              by: StaffUser | None = None, now: datetime | None = None) -> TimeSlot:
    now = now or utcnow()
    with _editing(event):
        slot = _slot(event, slot_id)
        _refuse_if(programme.set_slot(event, slot, label, starts, ends, by, now))
    return slot


def remove_slot(event: Event, slot_id: int) -> None:
    with _editing(event):
        programme.remove_slot(_slot(event, slot_id))


def save_session(event: Event, session_id: int | None, title: str, lead_id: int, slot_id: int, capacity: int,
                 room: str | None, description: str | None, by: StaffUser | None = None,
                 now: datetime | None = None) -> ThemedSession:
    now = now or utcnow()
    with _editing(event):
        session = _session(event, session_id)
        lead = next((o for o in event.partners if o.id == lead_id), None)
        if lead is None:
            raise SetupRefused(["Choose one of the event's partners as the lead."], field="lead")
        values = SessionValues(title=title, lead=lead, slot=_slot(event, slot_id), capacity=capacity, room=room,
                               description=description)
        _refuse_if(programme.set_session(event, session, values, by, now))
    return session


def remove_session(event: Event, session_id: int) -> None:
    with _editing(event):
        programme.remove_session(_session(event, session_id))


def move_session(event: Event, session_id: int, step: int) -> None:
    """Up or down the programme's order (the public page and the form list sessions in it)."""
    with _editing(event):
        for position, session in enumerate(_moved(list(event.themed_sessions), session_id, step)):
            if session.position != position:
                session.position = position
