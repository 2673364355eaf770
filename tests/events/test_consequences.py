"""Edits that have consequences are handled, not just saved: capacity below who holds it, sessions people depend
on, room and time changes after publishing, offers that follow new dates."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from eventapp.assignment import service as assignment
from eventapp.events import changes, editing
from eventapp.events.programme import SetupRefused
from eventapp.models import (
    EventState,
    OutboundMail,
    ProgrammeChange,
    Registration,
    RegistrationStatus,
    utcnow,
)
from eventapp.registration import service as registration
from eventapp.registration import signup

from .conftest import import_text


@pytest.fixture
def published(app, db, demo_event):
    """The demo with 12 attendees assigned and told (sessions published)."""
    assignment.apply(demo_event)
    assignment.publish(demo_event)
    return demo_event


def _settings(event, **changes):
    values = {name: getattr(event, name) for name in (
        "name", "short_name", "tagline", "summary", "opening", "timezone", "venue", "venue_address", "capacity",
        "waitlist_offer_hours", "privacy_controller", "privacy_contact", "privacy_retention_months",
        "registration_opens_at", "registration_closes_at")}
    values.update(slug=event.slug, starts_at=event.starts_at, ends_at=event.ends_at)
    values.update(changes)
    return values


def test_capacity_below_the_confirmed_is_refused_with_the_numbers(app, db, demo_event):
    with pytest.raises(SetupRefused) as refused:
        editing.save_settings(demo_event, _settings(demo_event, capacity=5))
    assert refused.value.message.startswith("12 people are confirmed, so the capacity cannot go down to 5.")
    assert refused.value.field == "capacity"
    db.session.refresh(demo_event)
    assert demo_event.capacity == 100


def test_or_the_organiser_stops_offers_without_cancelling_anyone(app, db, demo_event):
    editing.save_settings(demo_event, _settings(demo_event, capacity=5), stop_offers=True)
    assert demo_event.capacity == 5
    statuses = db.session.execute(select(Registration.status)).scalars().all()
    assert statuses.count(RegistrationStatus.CONFIRMED) == 12
    # a newcomer waits, and cancelling one of the twelve offers nothing (still above the capacity)
    from eventapp.registration.forms import RegistrationForm
    from tests.registration.helpers import form_data

    with app.test_request_context(method="POST", data=form_data(demo_event, email="late@example.org")):
        form = RegistrationForm(demo_event)
        assert form.validate(), form.errors
        receipt = signup.register(demo_event, form.details())
    assert receipt.status == RegistrationStatus.WAITLISTED
    registration.cancel(db.session.execute(select(Registration).where(
        Registration.status == RegistrationStatus.CONFIRMED)).scalars().first())
    assert db.session.execute(select(Registration.offer_expires_at).where(
        Registration.email == "late@example.org")).scalar_one() is None


def test_session_capacity_below_its_assigned_is_refused(app, db, published):
    session = published.themed_sessions[0]
    assigned = len(db.session.execute(select(Registration.id).join(Registration.assignments).where(
        Registration.assignments.any(themed_session_id=session.id))).all())
    assert assigned > 0
    with pytest.raises(SetupRefused) as refused:
        editing.save_session(published, session.id, session.title, session.lead_organisation_id,
                             session.time_slot_id, assigned - 1, session.room, session.description)
    assert f"{assigned} people are assigned to" in refused.value.message
    assert f"cannot go down to {assigned - 1}" in refused.value.message
    db.session.refresh(session)
    assert session.capacity == 35


def test_removing_a_session_people_depend_on_is_refused_with_what_depends(app, db, published):
    session = published.themed_sessions[0]
    with pytest.raises(SetupRefused) as refused:
        editing.remove_session(published, session.id)
    assert "cannot be removed:" in refused.value.message and "ranked it" in refused.value.message
    assert "are assigned to it" in refused.value.message
    db.session.expire_all()
    assert len(published.themed_sessions) == 3


def test_an_event_file_dropping_a_session_people_ranked_is_refused_whole(app, db, demo_event):
    from eventapp.events.dump import dump_event_file
    from eventapp.events.setup import export_spec

    text = dump_event_file(export_spec(demo_event))
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if "title: Enabling" in line)
    trimmed = "\n".join(lines[:start] + lines[start + 5:]).replace("venue: Central London", "venue: Somewhere else")
    with pytest.raises(SetupRefused) as refused:
        import_text(trimmed)
    assert "“Enabling 'sticky' behaviour change through peer-to-peer support” cannot be removed: 11 people ranked " \
           "it." in refused.value.message
    db.session.expire_all()
    assert demo_event.venue == "Central London" and len(demo_event.themed_sessions) == 3  # nothing written


def test_a_room_change_after_publishing_lists_marks_and_mails_the_affected(app, db, published):
    session = published.themed_sessions[1]
    assigned = {r.id for r in db.session.execute(select(Registration).where(
        Registration.assignments.any(themed_session_id=session.id))).scalars()}
    before = utcnow()
    editing.save_session(published, session.id, session.title, session.lead_organisation_id, session.time_slot_id,
                         session.capacity, "The Library", session.description)
    change = db.session.execute(select(ProgrammeChange)).scalar_one()
    assert change.description == "Room: Room B → The Library" and change.themed_session_id == session.id
    [line] = changes.changes(published)
    assert {r.id for r in line.affected} == assigned
    for registration_row in db.session.execute(select(Registration).where(Registration.id.in_(assigned))).scalars():
        assert registration_row.badge_changed_at >= before  # "changed since last print"
    count = changes.mail_change(published, change.id)
    assert count == len(assigned)
    mails = db.session.execute(select(OutboundMail).where(OutboundMail.kind == "programme_change")).scalars().all()
    assert len(mails) == len(assigned)
    assert "Room: Room B → The Library" in mails[0].body_text and "/manage/" in mails[0].body_text
    with pytest.raises(SetupRefused, match="already mailed"):
        changes.mail_change(published, change.id)


def test_a_slot_time_change_after_publishing_affects_everyone_in_the_slot(app, db, published):
    slot = published.time_slots[0]
    editing.save_slot(published, slot.id, slot.label, slot.starts_at + timedelta(minutes=30),
                      slot.ends_at + timedelta(minutes=30))
    change = db.session.execute(select(ProgrammeChange)).scalar_one()
    assert change.time_slot_id == slot.id and change.description.startswith("Time: ")
    seated = db.session.execute(select(Registration.id).where(Registration.assignments.any())).all()
    assert len(changes.changes(published)[0].affected) == len(seated) > 0


def test_a_room_change_before_publishing_is_just_saved(app, db, demo_event):
    session = demo_event.themed_sessions[0]
    editing.save_session(demo_event, session.id, session.title, session.lead_organisation_id,
                         session.time_slot_id, session.capacity, "Room Z", None)
    assert db.session.execute(select(ProgrammeChange)).first() is None


def test_two_sessions_in_one_room_at_once_are_refused(app, db, demo_event):
    first, second = demo_event.themed_sessions[:2]
    with pytest.raises(SetupRefused, match="would both be in “room a” at the same time"):
        editing.save_session(demo_event, second.id, second.title, second.lead_organisation_id,
                             second.time_slot_id, second.capacity, "room a", None)


def test_open_offers_follow_new_dates_and_offer_hours(app, db, demo_event):
    editing.save_settings(demo_event, _settings(demo_event, capacity=12))
    from eventapp.registration.forms import RegistrationForm
    from tests.registration.helpers import form_data

    with app.test_request_context(method="POST", data=form_data(demo_event, email="waiting@example.org")):
        form = RegistrationForm(demo_event)
        assert form.validate()
        signup.register(demo_event, form.details())
    registration.cancel(db.session.execute(select(Registration).where(
        Registration.status == RegistrationStatus.CONFIRMED)).scalars().first())
    waiting = db.session.execute(select(Registration).where(Registration.email == "waiting@example.org")).scalar_one()
    assert waiting.offer_expires_at - waiting.offer_made_at == timedelta(hours=48)
    editing.save_settings(demo_event, _settings(demo_event, waitlist_offer_hours=24))
    db.session.refresh(waiting)
    assert waiting.offer_expires_at - waiting.offer_made_at == timedelta(hours=24)
    mail = db.session.execute(select(OutboundMail).where(OutboundMail.kind == "offer_moved")).scalar_one()
    assert mail.recipient == "waiting@example.org" and "now held for you until" in mail.body_text
    # the event moved to twelve hours from now: the offer cannot run past its start
    soon = utcnow() + timedelta(hours=12)
    editing.save_settings(demo_event, _settings(
        demo_event, starts_at=soon, ends_at=soon + timedelta(hours=8), registration_closes_at=None))
    db.session.refresh(waiting)
    assert waiting.offer_expires_at == soon
    # the programme moved with the start, and everyone registered has a change to be told of
    assert demo_event.time_slots[0].starts_at == soon + timedelta(hours=2)
    assert db.session.execute(select(ProgrammeChange.description)).scalar_one().startswith("Date and time: ")


def test_an_archived_event_is_read_only(app, db, client, staff, demo_event):
    from tests.conftest import log_in

    demo_event.state = EventState.ARCHIVED
    db.session.commit()
    with pytest.raises(SetupRefused, match="archived"):
        editing.save_slot(demo_event, None, "Another", demo_event.starts_at, demo_event.ends_at)
    log_in(client, staff("admin"))
    answer = client.post(f"/organiser/events/{demo_event.slug}/waitlist", data={"capacity-capacity": "500"})
    assert answer.status_code == 409 and "archived" in answer.get_data(as_text=True)
    assert client.get(f"/organiser/events/{demo_event.slug}/registrations").status_code == 200
    db.session.refresh(demo_event)
    assert demo_event.capacity == 100
