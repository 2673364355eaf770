"""What one sign-up writes, row by row, on whichever database the suite runs on (PostgreSQL writes it in two
statements, SQLite in several: both must leave the same rows)."""

import pytest
from sqlalchemy import select

from eventapp.models import (
    MailStatus,
    Organisation,
    OutboundMail,
    Registration,
    RegistrationStatus,
    SessionPreference,
)
from eventapp.registration import service, signup
from eventapp.tokens import BADGE_ALPHABET, BADGE_SECRET_LENGTH


def _details(email: str, preferences: tuple[int, ...], organisation: str = "Ministry of Planning"):
    return service.AttendeeDetails(
        full_name="  Ana Lúcia O'Brien ", email=f" {email} ", organisation_name=organisation,
        organisation_kind=service.OrganisationKind.GOVERNMENT, country="BR", job_title="Director",
        preferences=preferences, accessibility_needs=None, dietary_needs="Vegetarian", consent_listed=True)


def _rows(db, receipt):
    registration = db.session.get(Registration, receipt.registration_id)
    ranked = db.session.execute(
        select(SessionPreference.rank, SessionPreference.themed_session_id)
        .where(SessionPreference.registration_id == registration.id).order_by(SessionPreference.rank)).all()
    mails = db.session.execute(
        select(OutboundMail).where(OutboundMail.registration_id == registration.id)).scalars().all()
    return registration, [tuple(row) for row in ranked], mails


@pytest.mark.parametrize("ranked", [0, 1, 3])
def test_a_confirmed_sign_up_writes_the_row_its_ranking_and_one_confirmation(app, db, demo_event, ranked):
    demo_event.capacity = None
    db.session.commit()
    chosen = tuple(s.id for s in demo_event.themed_sessions[:ranked])
    receipt = signup.register(demo_event, _details(f"new{ranked}@example.org", chosen))
    db.session.expire_all()
    registration, preferences, mails = _rows(db, receipt)

    assert receipt.status == registration.status == RegistrationStatus.CONFIRMED
    assert registration.waitlisted_at is None
    assert (registration.full_name, registration.given_name, registration.family_name) == (
        "Ana Lúcia O'Brien", "Ana", "O'Brien")
    assert registration.email == f"new{ranked}@example.org"
    assert registration.organisation.name == "Ministry of Planning"
    assert (registration.country, registration.job_title, registration.dietary_needs) == ("BR", "Director",
                                                                                           "Vegetarian")
    assert registration.consent_privacy and registration.consent_listed
    assert registration.manage_secret == receipt.manage_secret and len(receipt.manage_secret) >= 43
    assert len(registration.badge_secret) == BADGE_SECRET_LENGTH
    assert set(registration.badge_secret) <= set(BADGE_ALPHABET)
    assert preferences == [(rank, sid) for rank, sid in enumerate(chosen, start=1)]

    [mail] = mails
    assert (mail.kind, mail.status, mail.attempts, mail.event_id) == ("confirmed", MailStatus.PENDING, 0,
                                                                      demo_event.id)
    assert mail.recipient == f"new{ranked}@example.org"
    assert mail.subject == f"Your place at {demo_event.name} is confirmed"
    assert "Dear Ana Lúcia O'Brien," in mail.body_text and f"/manage/{receipt.manage_secret}" in mail.body_text
    assert mail.next_attempt_at is not None and mail.created_at is not None


def test_a_sign_up_to_a_full_event_is_waitlisted_with_the_waiting_list_letter(app, db, demo_event):
    demo_event.capacity = 0
    db.session.commit()
    first_session = demo_event.themed_sessions[0].id
    receipt = signup.register(demo_event, _details("late@example.org", (first_session,), "A New Organisation"))
    db.session.expire_all()
    registration, preferences, mails = _rows(db, receipt)

    assert receipt.status == registration.status == RegistrationStatus.WAITLISTED
    assert registration.waitlisted_at is not None
    assert preferences == [(1, first_session)]
    assert db.session.execute(select(Organisation.kind).where(Organisation.name == "A New Organisation")
                              ).scalar_one() == service.OrganisationKind.GOVERNMENT
    [mail] = mails
    assert mail.kind == "waitlisted"
    assert mail.subject == f"You are on the waiting list for {demo_event.name}"
    assert "waiting list" in mail.body_text and f"/manage/{receipt.manage_secret}" in mail.body_text


def test_a_second_sign_up_with_the_same_address_writes_nothing(app, db, demo_event):
    signup.register(demo_event, _details("twice@example.org", ()))
    counts = (db.session.query(Registration).count(), db.session.query(OutboundMail).count(),
              db.session.query(SessionPreference).count())
    with pytest.raises(service.DuplicateEmail):
        signup.register(demo_event, _details("TWICE@example.org",
                                              (demo_event.themed_sessions[0].id,), "Another New Organisation"))
    assert (db.session.query(Registration).count(), db.session.query(OutboundMail).count(),
            db.session.query(SessionPreference).count()) == counts
    assert db.session.query(Organisation).filter_by(name="Another New Organisation").count() == 0


def test_making_an_organisation_that_exists_whatever_its_case_makes_none_and_fails_nothing(app, db, demo_event):
    # The path of two people registering the same new organisation at once: the second insert finds the
    # first's row through the unique index on lower(name) and does nothing, leaving the transaction usable.
    from eventapp.models import utcnow
    from eventapp.registration import statements

    connection = db.session.connection()
    row = {"name": "Twice Made Org", "kind": service.OrganisationKind.NGO, "country": None, "created_at": utcnow()}
    made = connection.execute(statements.insert_organisation_if_new(connection.dialect.name), row).scalar_one()
    again = connection.execute(statements.insert_organisation_if_new(connection.dialect.name),
                               {**row, "name": "TWICE made ORG"}).scalar_one_or_none()
    assert made is not None and again is None
    assert connection.execute(statements.organisation_by_name(), {"name": "twice MADE org"}).scalar_one() == made
