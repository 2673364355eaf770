"""The assignment rules over a real database: preview, apply, pins, moves, latecomers, publish, bad input."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from markupsafe import escape
from sqlalchemy import select

from eventapp.assignment import service
from eventapp.assignment.solver import AttendeeInput, SessionInput, solve
from eventapp.extensions import db
from eventapp.models import (
    Assignment,
    AssignmentMethod,
    Event,
    OutboundMail,
    Registration,
    RegistrationStatus,
    ThemedSession,
    TimeSlot,
)
from eventapp.registration import service as registration_service

from .. import factories


def confirmed(event) -> list[Registration]:
    return list(
        db.session.execute(
            select(Registration)
            .where(Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)
            .order_by(Registration.created_at, Registration.id)
        ).scalars()
    )


def rows(event) -> list[tuple]:
    """Every assignment row of the event, as plain values (a snapshot to compare)."""
    db.session.expire_all()
    return [
        (a.registration_id, a.themed_session_id, a.time_slot_id, a.method, a.pinned, a.assigned_by_id, a.created_at)
        for a in db.session.execute(
            select(Assignment)
            .join(Registration, Registration.id == Assignment.registration_id)
            .where(Registration.event_id == event.id)
            .order_by(Assignment.registration_id, Assignment.time_slot_id)
        ).scalars()
    ]


def seat_of(registration_id: int) -> int | None:
    db.session.expire_all()
    return db.session.execute(
        select(Assignment.themed_session_id).where(Assignment.registration_id == registration_id)
    ).scalar_one_or_none()


def row_of(registration_id: int) -> Assignment:
    db.session.expire_all()
    return db.session.execute(select(Assignment).where(Assignment.registration_id == registration_id)).scalar_one()


def set_capacities(event, *capacities: int) -> None:
    for session, capacity in zip(event.themed_sessions, capacities, strict=True):
        session.capacity = capacity
    db.session.commit()


def add_attendee(event, name: str, ranking: list[ThemedSession], status=RegistrationStatus.CONFIRMED) -> Registration:
    registration = factories.registration(event, ranking, full_name=name, status=status,
                                          email=f"{name.split()[0].lower()}@example.org")
    db.session.commit()
    return registration


def other_event() -> tuple[Event, ThemedSession, Registration]:
    """A second event with one slot, one session and one confirmed registration."""
    event = factories.event(name="Another event")
    session = factories.themed_session(event, title="Elsewhere", capacity=10)
    registration = factories.registration(event, full_name="Olga Other")
    db.session.commit()
    return event, session, registration


def totals(report: service.AssignmentReport) -> list:
    return [
        (slot.by_choice, slot.unranked, slot.none, [(line.themed_session.id, line.assigned) for line in slot.sessions])
        for slot in report.slots
    ]


# --- preview and apply ---------------------------------------------------------------------------------------


def test_preview_writes_nothing(demo_event, staff):
    plan = service.preview(demo_event)
    assert plan.report.confirmed == 12 and plan.changes == 12
    assert sum(line.assigned for line in plan.report.slots[0].sessions) == 12
    assert rows(demo_event) == []
    db.session.rollback()  # anything left unflushed in the session would show here
    assert rows(demo_event) == [] and db.session.query(OutboundMail).count() == 0

    service.apply(demo_event, by=staff("admin"))
    person = confirmed(demo_event)[0]
    service.move(demo_event, person.id, demo_event.themed_sessions[2].id, by=None)
    before = rows(demo_event)
    service.preview(demo_event)
    assert rows(demo_event) == before
    assert db.session.get(Event, demo_event.id).assignment_published_at is None


def test_apply_writes_within_capacity_and_the_database_matches_the_summary(demo_event, staff):
    set_capacities(demo_event, 5, 4, 4)  # 13 seats for 12 people, so some cannot have their favourite
    admin = staff("admin")
    plan = service.preview(demo_event)
    applied = service.apply(demo_event, by=admin, fingerprint=plan.fingerprint)
    assert applied.changes == 12

    written = rows(demo_event)
    assert len(written) == 12 and len({r[0] for r in written}) == 12
    per_session = {s.id: sum(1 for r in written if r[1] == s.id) for s in demo_event.themed_sessions}
    assert all(per_session[s.id] <= s.capacity for s in demo_event.themed_sessions)
    assert {(r[3], r[4], r[5]) for r in written} == {(AssignmentMethod.SOLVER, False, admin.id)}

    # The preview, the apply's answer and a fresh read of the database say the same.
    stored = service.overview(demo_event).report
    assert totals(plan.report) == totals(applied.report) == totals(stored)
    assert per_session == {line.themed_session.id: line.assigned for line in stored.slots[0].sessions}
    # ...and the same as the solver's own summary of the same input.
    people = confirmed(demo_event)
    result = solve(
        [AttendeeInput(r.id, tuple(p.themed_session_id for p in r.preferences), i) for i, r in enumerate(people)],
        [SessionInput(s.id, s.time_slot_id, s.capacity) for s in demo_event.themed_sessions],
    )
    [slot] = result.slots.values()
    assert dict(slot.by_choice) == stored.slots[0].by_choice and slot.unranked == stored.slots[0].unranked
    assert {r[0]: r[1] for r in written} == {rid: seats[slot.slot] for rid, seats in result.assignments.items()}


def test_applying_again_changes_nothing(demo_event):
    service.apply(demo_event)
    before = rows(demo_event)
    again = service.apply(demo_event)
    assert again.changes == 0 and rows(demo_event) == before  # same rows, same created_at: nobody is re-mailed


def test_a_stale_preview_is_not_applied(demo_event):
    plan = service.preview(demo_event)
    registration_service.cancel(confirmed(demo_event)[0])
    with pytest.raises(service.StalePreview, match="changed since this preview"):
        service.apply(demo_event, fingerprint=plan.fingerprint)
    assert rows(demo_event) == []


def test_only_confirmed_attendees_are_assigned_and_cancelling_frees_the_seat(demo_event):
    people = confirmed(demo_event)
    people[0].status = RegistrationStatus.WAITLISTED
    db.session.commit()
    service.apply(demo_event)
    assert seat_of(people[0].id) is None and len(rows(demo_event)) == 11
    registration_service.cancel(people[1])
    assert seat_of(people[1].id) is None and len(rows(demo_event)) == 10
    assert service.preview(demo_event).report.confirmed == 10


def test_two_organisers_applying_at_once_write_one_assignment(app, demo_event):
    event_id, errors, changes = demo_event.id, [], []
    barrier = threading.Barrier(2)

    def press_apply():
        with app.app_context():
            try:
                event = db.session.get(Event, event_id)
                barrier.wait()
                changes.append(service.apply(event).changes)
            except Exception as error:  # pragma: no cover - shown by the assertion below
                errors.append(error)

    threads = [threading.Thread(target=press_apply) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sorted(changes) == [0, 12]  # the second waited for the first, then found nothing to change
    assert len(rows(demo_event)) == 12


# --- pins and moves ------------------------------------------------------------------------------------------


def test_pins_survive_a_rerun(demo_event, staff):
    admin = staff("admin")
    service.apply(demo_event)
    person = next(p for p in confirmed(demo_event) if p.preferences)
    favourite = person.preferences[0].themed_session_id
    elsewhere = next(s for s in demo_event.themed_sessions if s.id != favourite)
    moved = service.move(demo_event, person.id, elsewhere.id, by=admin)
    assert moved.changed and not moved.over_capacity
    row = row_of(person.id)
    assert (row.themed_session_id, row.method, row.pinned, row.assigned_by_id) == (
        elsewhere.id, AssignmentMethod.MANUAL, True, admin.id)

    assert service.preview(demo_event).changes == 0  # the pin holds
    service.apply(demo_event)
    row = row_of(person.id)
    assert (row.themed_session_id, row.method, row.pinned) == (elsewhere.id, AssignmentMethod.MANUAL, True)

    assert service.unpin(demo_event, person.id) == 1
    assert service.preview(demo_event).changes == 1  # without the pin the run puts them back
    service.apply(demo_event)
    assert seat_of(person.id) == favourite and not row_of(person.id).pinned


def test_moving_into_a_full_session_is_refused_unless_overridden(demo_event):
    set_capacities(demo_event, 4, 4, 4)
    service.apply(demo_event)
    before = rows(demo_event)
    full = demo_event.themed_sessions[1]
    person = next(p for p in confirmed(demo_event) if seat_of(p.id) != full.id)
    with pytest.raises(service.SessionFull) as refused:
        service.move(demo_event, person.id, full.id, by=None)
    assert refused.value.message.startswith(f"“{full.title}” is full: 4 of its 4 seats are taken.")
    assert refused.value.field == "themed_session_id"
    assert rows(demo_event) == before

    moved = service.move(demo_event, person.id, full.id, by=None, allow_over_capacity=True)
    assert moved.over_capacity
    [slot] = service.overview(demo_event).report.slots
    assert {line.themed_session.id: line.over for line in slot.sessions}[full.id] == 1
    # A re-run keeps the pinned person and moves an unpinned one out to the seat they left.
    applied = service.apply(demo_event)
    assert seat_of(person.id) == full.id and applied.report.within_capacity and applied.changes >= 1


def test_pins_alone_over_a_capacity_are_all_kept(demo_event):
    service.apply(demo_event)
    small = demo_event.themed_sessions[2]
    small.capacity = 1
    db.session.commit()
    pinned = confirmed(demo_event)[:2]
    for person in pinned:
        service.move(demo_event, person.id, small.id, by=None, allow_over_capacity=True)
    applied = service.apply(demo_event)
    [slot] = applied.report.slots
    line = next(line for line in slot.sessions if line.themed_session.id == small.id)
    assert sorted(p.registration_id for p in line.people) == sorted(p.id for p in pinned)
    assert line.pinned == 2 and line.over == 1


def test_moving_someone_to_where_they_are_pins_them(demo_event):
    service.apply(demo_event)
    person = confirmed(demo_event)[0]
    created = row_of(person.id).created_at
    moved = service.move(demo_event, person.id, seat_of(person.id), by=None)
    row = row_of(person.id)
    assert not moved.changed and row.pinned and row.created_at == created  # same seat: not re-mailed


# --- latecomers ------------------------------------------------------------------------------------------------


def test_late_placement_moves_nobody(demo_event, staff):
    a, b, c = demo_event.themed_sessions
    set_capacities(demo_event, 4, 4, 6)
    service.apply(demo_event)
    before = rows(demo_event)
    fill = {s.id: sum(1 for r in before if r[1] == s.id) for s in (a, b, c)}
    full = [s for s in (a, b, c) if fill[s.id] >= s.capacity]
    assert full  # the newcomer's first choice is a full session
    newcomer = add_attendee(demo_event, "Nadia Newcomer", [full[0], c])
    admin = staff("admin")

    placed = service.place_late(demo_event, newcomer.id, by=admin)
    assert [s.id for s in placed.sessions] == [c.id]  # their best choice with a seat left
    after = rows(demo_event)
    assert [r for r in after if r[0] != newcomer.id] == before
    row = row_of(newcomer.id)
    assert (row.method, row.pinned, row.assigned_by_id) == (AssignmentMethod.LATE, False, admin.id)

    with pytest.raises(service.NothingToDo, match="already has a session"):
        service.place_late(demo_event, newcomer.id, by=None)


def test_place_all_newcomers_and_when_nothing_is_open(demo_event):
    with pytest.raises(service.NothingToDo, match="run the assignment first"):
        service.place_all_late(demo_event, by=None)
    set_capacities(demo_event, 5, 4, 4)
    service.apply(demo_event)
    before = rows(demo_event)
    first = add_attendee(demo_event, "Femi First", [])
    second = add_attendee(demo_event, "Sara Second", list(demo_event.themed_sessions))
    outcome = service.place_all_late(demo_event, by=None)
    assert [p.registration_id for p in outcome.placed] == [first.id]  # the 13th and last seat
    assert outcome.left == ("Sara Second",)
    assert [r for r in rows(demo_event) if r[0] != first.id] == before
    with pytest.raises(service.NoOpenSeat, match="There is no open seat for Sara Second"):
        service.place_late(demo_event, second.id, by=None)
    # ...so the organiser places her by hand, over a capacity.
    service.move(demo_event, second.id, demo_event.themed_sessions[0].id, by=None, allow_over_capacity=True)
    assert seat_of(second.id) == demo_event.themed_sessions[0].id


# --- bad input -------------------------------------------------------------------------------------------------


def test_bad_input_is_refused_with_a_sentence(demo_event):
    _, their_session, theirs = other_event()
    service.apply(demo_event)
    before = rows(demo_event)
    people = confirmed(demo_event)
    ours = demo_event.themed_sessions[0]

    for garbage in (theirs.id, 0, -1, 2**40, 999_999):
        with pytest.raises(service.UnknownRegistration, match="no such registration at this event"):
            service.move(demo_event, garbage, ours.id, by=None)
        with pytest.raises(service.UnknownRegistration):
            service.place_late(demo_event, garbage, by=None)
        with pytest.raises(service.UnknownRegistration):
            service.unpin(demo_event, garbage)
    for garbage in (their_session.id, 0, -5, 2**40):
        with pytest.raises(service.InvalidSession, match="Choose one of this event's sessions"):
            service.move(demo_event, people[0].id, garbage, by=None)

    registration_service.cancel(people[1])
    people[2].status = RegistrationStatus.WAITLISTED
    db.session.commit()
    with pytest.raises(service.NotConfirmed, match="is cancelled: only confirmed attendees get a session"):
        service.move(demo_event, people[1].id, ours.id, by=None)
    with pytest.raises(service.NotConfirmed, match="is waitlisted"):
        service.place_late(demo_event, people[2].id, by=None)
    assert [r for r in rows(demo_event) if r[0] not in (people[1].id, people[2].id)] == [
        r for r in before if r[0] not in (people[1].id, people[2].id)
    ]
    assert seat_of(theirs.id) is None


# --- publish ---------------------------------------------------------------------------------------------------


def assignment_mails() -> list[OutboundMail]:
    return list(
        db.session.execute(select(OutboundMail).where(OutboundMail.kind == "assignment").order_by(OutboundMail.id))
        .scalars()
    )


def test_publish_mails_everyone_then_only_the_changed(app, client, demo_event, staff):
    with pytest.raises(service.NothingToDo):
        service.publish(demo_event)
    service.apply(demo_event)
    people = confirmed(demo_event)
    first = service.publish(demo_event, by=staff("admin"))
    assert (first.mailed, first.first, first.unseated) == (12, True, 0)
    mails = assignment_mails()
    assert sorted(m.registration_id for m in mails) == sorted(p.id for p in people)
    assert all(m.attach_badge for m in mails)
    person = people[0]
    mail = next(m for m in mails if m.registration_id == person.id)
    session = db.session.get(ThemedSession, seat_of(person.id))
    assert mail.recipient == person.email and mail.subject == f"Your session at {demo_event.name}"
    assert f"Dear {person.full_name}," in mail.body_text
    assert session.title in mail.body_text and f"Room: {session.room}" in mail.body_text
    assert "11:00–12:30 (Europe/London)" in mail.body_text  # the slot, in the event's zone
    assert f"http://localhost/manage/{person.manage_secret}" in mail.body_text
    published_at = db.session.get(Event, demo_event.id).assignment_published_at
    assert published_at is not None
    assert escape(session.title) in client.get(f"/manage/{person.manage_secret}").get_data(as_text=True)

    # Nothing changed: publishing again mails nobody.
    assert service.overview(demo_event).to_mail == 0
    assert service.publish(demo_event).mailed == 0 and len(assignment_mails()) == 12

    # One moved, one newcomer placed, one cancelled: the next publish mails the first two only.
    mover = people[1]
    target = next(s for s in demo_event.themed_sessions if s.id != seat_of(mover.id))
    service.move(demo_event, mover.id, target.id, by=None)
    newcomer = add_attendee(demo_event, "Lena Late", [demo_event.themed_sessions[2]])
    service.place_late(demo_event, newcomer.id, by=None)
    registration_service.cancel(people[2])
    assert service.overview(demo_event).to_mail == 2
    again = service.publish(demo_event)
    assert (again.mailed, again.first) == (2, False)
    new_mails = assignment_mails()[12:]
    by_person = {m.registration_id: m for m in new_mails}
    assert set(by_person) == {mover.id, newcomer.id}
    assert by_person[mover.id].subject == f"Your session at {demo_event.name} has changed"
    assert target.title in by_person[mover.id].body_text and "has changed" in by_person[mover.id].body_text
    assert by_person[newcomer.id].subject == f"Your session at {demo_event.name}"  # told for the first time
    assert db.session.get(Event, demo_event.id).assignment_published_at > published_at


def test_a_rerun_after_publishing_mails_only_those_it_moved(demo_event):
    a, _, c = demo_event.themed_sessions
    set_capacities(demo_event, 4, 4, 4)
    service.apply(demo_event)
    service.publish(demo_event)
    before = {r[0]: r[1] for r in rows(demo_event)}
    registration_service.cancel(next(p for p in confirmed(demo_event) if before[p.id] == a.id))
    set_capacities(demo_event, 5, 4, 3)  # room C shrinks: someone must leave it
    service.apply(demo_event)
    after = {r[0]: r[1] for r in rows(demo_event)}
    changed = {rid for rid, sid in after.items() if before[rid] != sid}
    assert any(before[rid] == c.id for rid in changed)
    count = len(assignment_mails())
    assert service.overview(demo_event).to_mail == len(changed)
    assert service.publish(demo_event).mailed == len(changed)
    assert {m.registration_id for m in assignment_mails()[count:]} == changed


def test_an_event_with_two_slots(demo_event):
    """Each slot is assigned on its own; a latecomer is placed in every slot they lack; the mail lists both."""
    first_slot = demo_event.time_slots[0]
    afternoon = TimeSlot(event_id=demo_event.id, label="Afternoon workshops",
                         starts_at=first_slot.starts_at + timedelta(hours=3),
                         ends_at=first_slot.ends_at + timedelta(hours=3))
    lead = demo_event.themed_sessions[0].lead_organisation
    workshops = [ThemedSession(event_id=demo_event.id, time_slot=afternoon, title=f"Workshop {n}", room=f"Hall {n}",
                               lead_organisation=lead, capacity=6, position=10 + n) for n in (1, 2)]
    db.session.add_all([afternoon, *workshops])
    db.session.commit()
    db.session.expire(demo_event)

    applied = service.apply(demo_event)
    assert [s.time_slot.label for s in applied.report.slots] == [first_slot.label, "Afternoon workshops"]
    assert [(s.seated, s.none) for s in applied.report.slots] == [(12, 0), (12, 0)]
    assert len(rows(demo_event)) == 24
    person = confirmed(demo_event)[0]
    service.move(demo_event, person.id, workshops[1].id, by=None, allow_over_capacity=True)
    assert len(rows(demo_event)) == 24  # their morning session is untouched

    newcomer = add_attendee(demo_event, "Nadia Newcomer", [workshops[0]])
    placed = service.place_late(demo_event, newcomer.id, by=None)
    assert len(placed.sessions) == 2 and workshops[0] in placed.sessions
    service.publish(demo_event)
    mail = db.session.execute(select(OutboundMail).where(OutboundMail.registration_id == newcomer.id)).scalar_one()
    assert mail.subject == f"Your sessions at {demo_event.name}"
    assert "Workshop 1" in mail.body_text and "Hall 1" in mail.body_text and "14:00–15:30" in mail.body_text
