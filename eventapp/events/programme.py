"""The rules of changing an event that is under way, shared by the event file's import and the organiser's pages:
what may not change (capacity below who holds it, a session people depend on), and what a change sets off
(badges to reprint, a "what changed" record to mail, waiting-list offers that follow the new dates).

Every function here runs inside the caller's transaction, holding the event's lock; none commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, update

from ..extensions import db
from ..models import (
    Assignment,
    Event,
    EventPartner,
    Organisation,
    OrganisationKind,
    PartnerRole,
    ProgrammeChange,
    Registration,
    RegistrationStatus,
    SessionPreference,
    StaffUser,
    ThemedSession,
    TimeSlot,
)
from ..rules import RuleBroken
from ..templating import format_local_time

# An open offer that follows new dates is never cut to end sooner than this from the change.
OFFER_NOTICE = timedelta(hours=1)


class SetupRefused(RuleBroken):
    """One or more changes the event cannot take; nothing of the request is saved."""

    def __init__(self, problems: list[str], field: str | None = None):
        super().__init__(" ".join(problems), field=field)
        self.problems = problems


def _live():
    return Registration.status != RegistrationStatus.CANCELLED


def confirmed_count(event: Event) -> int:
    return db.session.execute(select(func.count()).where(
        Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)).scalar_one()


@dataclass(frozen=True)
class Dependents:
    ranked_by: int
    assigned: int

    def __bool__(self) -> bool:
        return bool(self.ranked_by or self.assigned)


def dependents(session: ThemedSession) -> Dependents:
    ranked = db.session.execute(select(func.count()).select_from(SessionPreference).join(Registration).where(
        SessionPreference.themed_session_id == session.id, _live())).scalar_one()
    return Dependents(ranked_by=ranked, assigned=assigned_count(session))


def assigned_count(session: ThemedSession) -> int:
    return db.session.execute(select(func.count()).select_from(Assignment).join(Registration).where(
        Assignment.themed_session_id == session.id, _live())).scalar_one()


def _people(n: int) -> str:
    return f"{n} {'person' if n == 1 else 'people'}"


# --- the event ------------------------------------------------------------------------------------------------


def capacity_problem(event: Event, capacity: int | None, stop_offers: bool = False) -> str | None:
    """Lowering the capacity below those confirmed is refused, unless the organiser chose to stop offers (then
    nobody is cancelled and no place is offered until enough cancel)."""
    if capacity is None or stop_offers or capacity == event.capacity:
        return None
    confirmed = confirmed_count(event)
    if capacity < confirmed:
        return (f"{_people(confirmed)} are confirmed, so the capacity cannot go down to {capacity}. Keep it at "
                f"{confirmed} or more, or lower it anyway and stop offering places (nobody is cancelled).")
    return None


def set_event_times(event: Event, starts: datetime, ends: datetime, by: StaffUser | None, now: datetime,
                    move_programme: bool = True) -> list[str]:
    """New dates for the event. The programme moves with its start, unless told not to (an event file gives each
    slot's time itself, and is checked against its own dates); attendees already told get a change to mail, and
    badges (which print the date) are marked for reprinting."""
    old_starts, old_ends = event.starts_at, event.ends_at
    if (starts, ends) == (old_starts, old_ends):
        return []
    problems = []
    if ends <= starts:
        return ["The event must end after it starts."]
    shift = starts - old_starts
    if move_programme and shift:
        # One at a time, the slot furthest in the direction of travel first: a slot's start is unique in its event,
        # and moving an earlier one first could land it on a later one's start.
        for slot in sorted(event.time_slots, key=lambda s: s.starts_at, reverse=shift > timedelta(0)):
            slot.starts_at, slot.ends_at = slot.starts_at + shift, slot.ends_at + shift
            db.session.flush()
    for slot in event.time_slots if move_programme else ():
        if slot.starts_at < starts or slot.ends_at > ends:
            problems.append(f"The slot “{slot.label}” would fall outside the new dates: change its time first.")
    if problems:
        return problems
    event.starts_at, event.ends_at = starts, ends
    if _has_live_registrations(event):
        tz = event.timezone
        record_change(event, by, now, description=(
            f"Date and time: {format_local_time(old_starts, tz, '%A %d %B %Y, %H:%M')}–"
            f"{format_local_time(old_ends, tz, '%H:%M')} → {format_local_time(starts, tz, '%A %d %B %Y, %H:%M')}–"
            f"{format_local_time(ends, tz, '%H:%M')}"))
        mark_badges_changed(select(Registration.id).where(Registration.event_id == event.id, _live()), now)
    offers_follow(event, now)
    return []


def offers_follow(event: Event, now: datetime) -> int:
    """Open waiting-list offers follow the event's offer hours and dates: each runs for the offer hours from when
    it was made, never past the event's start, and never ends sooner than OFFER_NOTICE from now. Those whose
    deadline moved are told the new one. Returns how many moved."""
    from ..mail.service import queue_mail
    from ..registration.service import manage_url

    moved = 0
    open_offers = select(Registration).where(
        Registration.event_id == event.id, Registration.status == RegistrationStatus.WAITLISTED,
        Registration.offer_expires_at > now)
    for registration in db.session.execute(open_offers).scalars():
        deadline = min(registration.offer_made_at + timedelta(hours=event.waitlist_offer_hours), event.starts_at)
        deadline = max(deadline, now + OFFER_NOTICE)
        if deadline == registration.offer_expires_at:
            continue
        registration.offer_expires_at = deadline
        moved += 1
        body = current_app.jinja_env.get_template("events/mail/offer_moved.txt").render(
            registration=registration, event=event, manage_url=manage_url(registration.manage_secret),
            deadline=format_local_time(deadline, event.timezone, "%A %d %B %Y, %H:%M"))
        queue_mail("offer_moved", registration.email, f"Your offer for {event.name}: new deadline", body,
                   event=event, registration=registration)
    return moved


def _has_live_registrations(event: Event) -> bool:
    return db.session.execute(select(Registration.id).where(Registration.event_id == event.id, _live())
                              .limit(1)).first() is not None


# --- partners -------------------------------------------------------------------------------------------------


def find_or_create_organisation(name: str, kind: OrganisationKind | None = None) -> Organisation:
    name = " ".join(name.split())
    organisation = db.session.execute(
        select(Organisation).where(func.lower(Organisation.name) == name.lower())).scalar_one_or_none()
    if organisation is None:
        organisation = Organisation(name=name, kind=kind or OrganisationKind.OTHER)
        db.session.add(organisation)
        db.session.flush()
    return organisation


def set_partners(event: Event, partners: list[tuple[Organisation, PartnerRole]]) -> list[str]:
    """The event's partners become exactly these, in this order; a partner who leads a session stays."""
    wanted = {org.id for org, _ in partners}
    problems = [f"{s.lead_organisation.name} leads “{s.title}”: choose another lead for it first."
                for s in event.themed_sessions if s.lead_organisation.id not in wanted]
    if problems:
        return problems
    links = {link.organisation_id: link for link in event.partner_links}
    kept = []
    for position, (organisation, role) in enumerate(partners):
        link = links.get(organisation.id) or EventPartner(organisation=organisation, organisation_id=organisation.id)
        link.role, link.position = role, position
        kept.append(link)
    event.partner_links = kept
    return []


# --- slots and sessions ---------------------------------------------------------------------------------------


def _slot_text(slot: TimeSlot, tz: str) -> str:
    return (f"{format_local_time(slot.starts_at, tz, '%a %d %b, %H:%M')}–"
            f"{format_local_time(slot.ends_at, tz, '%H:%M')}")


def set_slot(event: Event, slot: TimeSlot, label: str, starts: datetime, ends: datetime, by: StaffUser | None,
             now: datetime) -> list[str]:
    """Name and time a slot (new or not); a time change after sessions were published is a change to mail."""
    if ends <= starts:
        return [f"The slot “{label}” must end after it starts."]
    if starts < event.starts_at or ends > event.ends_at:
        return [f"The slot “{label}” must be within the event's times "
                f"({_slot_text(TimeSlot(starts_at=event.starts_at, ends_at=event.ends_at), event.timezone)})."]
    others = [s for s in event.time_slots if s is not slot]
    if any(s.label.lower() == label.lower() for s in others):
        return [f"Another slot is already called “{label}”."]
    if any(s.starts_at == starts for s in others):
        return [f"Another slot starts at the same time as “{label}”: put the sessions in one slot."]
    problems = [_clash(session, other, session.room, starts, ends)
                for session in event.themed_sessions if session.time_slot is slot
                for other in event.themed_sessions if other.time_slot is not slot]
    problems = [p for p in problems if p]
    if problems:
        return problems
    before = _slot_text(slot, event.timezone) if slot.id is not None else None
    slot.label, slot.starts_at, slot.ends_at = label, starts, ends
    if slot.id is None:
        event.time_slots.append(slot)
        return []
    after = _slot_text(slot, event.timezone)
    if before != after and event.assignment_published_at is not None:
        record_change(event, by, now, description=f"Time: {before} → {after}", time_slot=slot)
        session_ids = [s.id for s in event.themed_sessions if s.time_slot_id == slot.id]
        mark_badges_changed(select(Assignment.registration_id).where(Assignment.themed_session_id.in_(session_ids)),
                            now)
    return []


def remove_slot(slot: TimeSlot) -> None:
    sessions = [s.title for s in slot.event.themed_sessions if s.time_slot_id == slot.id]
    if sessions:
        raise SetupRefused([f"The slot “{slot.label}” still holds {', '.join(map(repr, sessions))}: move or "
                            "remove them first."])
    slot.event.time_slots.remove(slot)


@dataclass
class SessionValues:
    title: str
    lead: Organisation
    slot: TimeSlot
    capacity: int
    room: str | None = None
    description: str | None = None


def set_session(event: Event, session: ThemedSession, values: SessionValues, by: StaffUser | None,
                now: datetime) -> list[str]:
    """Write a session's values (new or not), refusing what would strand people; a room change after sessions
    were published is a change to mail."""
    problems = []
    title = values.title
    if any(s.title.lower() == title.lower() for s in event.themed_sessions if s is not session):
        problems.append(f"Another session is already called “{title}”.")
    if values.lead.id not in {link.organisation_id for link in event.partner_links}:
        problems.append(f"{values.lead.name} is not a partner of this event: add it as a partner first.")
    if session.id is not None:
        assigned = assigned_count(session)
        if values.capacity < assigned:
            problems.append(f"{_people(assigned)} are assigned to “{title}”, so its capacity cannot go down to "
                            f"{values.capacity}. Move people to other sessions first (Session assignment), or keep "
                            f"it at {assigned} or more.")
        if session.time_slot_id is not None and values.slot.id != session.time_slot_id and assigned:
            problems.append(f"{_people(assigned)} are assigned to “{title}” in “{session.time_slot.label}”: move "
                            "them to other sessions before moving it to another slot.")
    slot = values.slot
    problems += [p for p in (_clash(session, other, values.room, slot.starts_at, slot.ends_at, title)
                             for other in event.themed_sessions if other is not session) if p]
    if problems:
        return problems
    old_room = session.room if session.id is not None else None
    session.title, session.lead_organisation, session.capacity = title, values.lead, values.capacity
    session.room, session.description, session.time_slot = values.room, values.description, values.slot
    if session.id is None:
        session.position = max((s.position for s in event.themed_sessions), default=-1) + 1
        event.themed_sessions.append(session)
        return []
    if (old_room or "") != (values.room or "") and event.assignment_published_at is not None:
        record_change(event, by, now, themed_session=session,
                      description=f"Room: {old_room or 'to be announced'} → {values.room or 'to be announced'}")
        mark_badges_changed(select(Assignment.registration_id).where(Assignment.themed_session_id == session.id),
                            now)
    return []


def _clash(session: ThemedSession, other: ThemedSession, room: str | None, starts: datetime, ends: datetime,
           title: str | None = None) -> str | None:
    """`session`, in `room` from `starts` to `ends`, and `other` as saved: one room at overlapping times?"""
    if not room or not other.room or room.lower() != other.room.lower():
        return None
    if not (starts < other.time_slot.ends_at and other.time_slot.starts_at < ends):
        return None
    return f"“{title or session.title}” and “{other.title}” would both be in “{room}” at the same time."


def removal_problem(session: ThemedSession) -> str | None:
    found = dependents(session)
    if not found:
        return None
    parts = []
    if found.ranked_by:
        parts.append(f"{_people(found.ranked_by)} ranked it")
    if found.assigned:
        parts.append(f"{_people(found.assigned)} are assigned to it")
    return (f"“{session.title}” cannot be removed: {' and '.join(parts)}. Move those people to other sessions "
            "first (Session assignment), and ask those who ranked it to choose again.")


def remove_session(session: ThemedSession) -> None:
    problem = removal_problem(session)
    if problem:
        raise SetupRefused([problem])
    session.event.themed_sessions.remove(session)


# --- what a change sets off -----------------------------------------------------------------------------------


def record_change(event: Event, by: StaffUser | None, now: datetime, description: str,
                  themed_session: ThemedSession | None = None, time_slot: TimeSlot | None = None) -> ProgrammeChange:
    change = ProgrammeChange(event_id=event.id, themed_session=themed_session, time_slot=time_slot,
                             description=description, created_at=now, created_by_id=by.id if by else None,
                             mailed_count=0)
    db.session.add(change)
    return change


def mark_badges_changed(registration_ids, now: datetime) -> None:
    """Badges print the date and each session's time and room: those of these people need printing again."""
    db.session.execute(update(Registration).where(Registration.id.in_(registration_ids))
                       .values(badge_changed_at=now).execution_options(synchronize_session=False))
