"""The rules the database itself enforces, whatever the Python code does."""

from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from eventapp.models import (
    Assignment,
    AssignmentMethod,
    CheckIn,
    Registration,
    RegistrationStatus,
    ThemedSession,
    TimeSlot,
    utcnow,
)
from eventapp.tokens import new_badge_secret, new_manage_secret


def _registration(event, email):
    return Registration(
        event=event, full_name="Test Person", email=email, consent_privacy=True,
        status=RegistrationStatus.CONFIRMED, badge_secret=new_badge_secret(), manage_secret=new_manage_secret(),
    )


def test_email_unique_per_event_whatever_the_case(app, db, demo_event):
    db.session.add(_registration(demo_event, "Ana@Example.org"))
    db.session.commit()
    db.session.add(_registration(demo_event, "ana@example.ORG"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_one_live_door_check_in(app, db, demo_event):
    reg = _registration(demo_event, "door@example.org")
    db.session.add(reg)
    db.session.commit()
    first = CheckIn(event_id=demo_event.id, registration_id=reg.id)
    db.session.add(first)
    db.session.commit()
    db.session.add(CheckIn(event_id=demo_event.id, registration_id=reg.id))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    # once undone, a new door check-in is allowed, and the undone one is kept
    first.undone_at = utcnow()
    db.session.commit()
    db.session.add(CheckIn(event_id=demo_event.id, registration_id=reg.id))
    db.session.commit()
    assert db.session.query(CheckIn).filter_by(registration_id=reg.id).count() == 2


def test_one_assignment_per_slot(app, db, demo_event):
    reg = _registration(demo_event, "slot@example.org")
    db.session.add(reg)
    db.session.commit()
    a, b = demo_event.themed_sessions[:2]
    db.session.add(Assignment(registration_id=reg.id, themed_session_id=a.id, time_slot_id=a.time_slot_id,
                              method=AssignmentMethod.SOLVER))
    db.session.commit()
    db.session.add(Assignment(registration_id=reg.id, themed_session_id=b.id, time_slot_id=b.time_slot_id,
                              method=AssignmentMethod.SOLVER))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_assignment_slot_must_be_its_sessions_slot(app, db, demo_event):
    reg = _registration(demo_event, "wrongslot@example.org")
    first = demo_event.themed_sessions[0]
    other_slot = TimeSlot(event=demo_event, label="Afternoon", starts_at=first.time_slot.ends_at + timedelta(hours=1),
                          ends_at=first.time_slot.ends_at + timedelta(hours=2))
    db.session.add_all([reg, other_slot])
    db.session.commit()
    db.session.add(Assignment(registration_id=reg.id, themed_session_id=first.id, time_slot_id=other_slot.id,
                              method=AssignmentMethod.MANUAL))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_privacy_consent_is_required(app, db, demo_event):
    reg = _registration(demo_event, "noconsent@example.org")
    reg.consent_privacy = False
    db.session.add(reg)
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_capacity_cannot_be_negative(app, db, demo_event):
    session = db.session.get(ThemedSession, demo_event.themed_sessions[0].id)
    session.capacity = -1
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_report_editor_must_have_an_organisation(app, db):
    from eventapp.models import StaffRole, StaffUser

    db.session.add(StaffUser(email="x@example.org", password_hash="x", role=StaffRole.REPORT_EDITOR))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
