"""Rules that no other test would notice being broken: the event's own waiting-list offer hours, and a sign-up's
letter written in the sign-up's own transaction (a letter that cannot be written leaves no registration)."""

from datetime import timedelta

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from eventapp.models import Event, OutboundMail, Registration, RegistrationStatus, utcnow

from .helpers import form_data, registration_by_email

# --- the event's offer hours -----------------------------------------------------------------------------------


def _six_hour_event(db, event):
    event.waitlist_offer_hours = 6
    event.capacity = 12  # the demo's twelve are confirmed: the next one waits
    db.session.commit()


def test_an_offer_lasts_the_events_offer_hours_when_a_place_is_cancelled(client, demo_event, db):
    _six_hour_event(db, demo_event)
    client.post(f"/events/{demo_event.slug}/register", data=form_data(demo_event, email="waiting@example.org"))
    waiting = registration_by_email("waiting@example.org")
    assert waiting.status == RegistrationStatus.WAITLISTED
    letter = db.session.query(OutboundMail).filter_by(registration_id=waiting.id, kind="waitlisted").one()
    assert "you will then\nhave 6 hours to accept it" in letter.body_text

    confirmed = db.session.query(Registration).filter_by(event_id=demo_event.id,
                                                         status=RegistrationStatus.CONFIRMED).first()
    before = utcnow()
    client.post(f"/manage/{confirmed.manage_secret}/cancel", data={"cancel-confirm": "y"})
    db.session.expire_all()
    assert waiting.offer_expires_at - waiting.offer_made_at == timedelta(hours=6)
    assert before + timedelta(hours=6) <= waiting.offer_expires_at <= utcnow() + timedelta(hours=6)


def test_an_offer_lasts_the_events_offer_hours_when_capacity_is_raised(app, demo_event, db):
    from eventapp.registration import service

    _six_hour_event(db, demo_event)
    app.test_client().post(f"/events/{demo_event.slug}/register",
                           data=form_data(demo_event, email="waiting@example.org"))
    now = utcnow()
    [offered] = service.set_capacity(db.session.get(Event, demo_event.id), 13, now=now)
    assert offered.offer_expires_at == now + timedelta(hours=6)
    assert not service.has_active_offer(offered, now + timedelta(hours=6, seconds=1))


# --- the letter in the sign-up's transaction -------------------------------------------------------------------

REFUSE_MAIL = {
    "sqlite": ["CREATE TRIGGER test_refuse_mail BEFORE INSERT ON outbound_mail "
               "BEGIN SELECT RAISE(ABORT, 'the outbox refuses this mail'); END"],
    "postgresql": ["CREATE FUNCTION test_refuse_mail() RETURNS trigger LANGUAGE plpgsql AS $$ "
                   "BEGIN RAISE EXCEPTION 'the outbox refuses this mail'; END $$",
                   "CREATE TRIGGER test_refuse_mail BEFORE INSERT ON outbound_mail "
                   "FOR EACH ROW EXECUTE FUNCTION test_refuse_mail()"],
}
ALLOW_MAIL = {
    "sqlite": ["DROP TRIGGER IF EXISTS test_refuse_mail"],
    "postgresql": ["DROP TRIGGER IF EXISTS test_refuse_mail ON outbound_mail",
                   "DROP FUNCTION IF EXISTS test_refuse_mail()"],
}


@pytest.fixture
def outbox_refuses(db):
    """The database refuses every insert into the outbox (a trigger: the code under test is not touched)."""
    dialect = db.engine.dialect.name

    def run(statements):
        with db.engine.begin() as conn:
            for statement in statements:
                conn.execute(text(statement))

    run(ALLOW_MAIL[dialect])
    run(REFUSE_MAIL[dialect])
    yield
    db.session.rollback()
    run(ALLOW_MAIL[dialect])  # PostgreSQL's test database is shared by the whole run


def _counts(url: str, event_id: int) -> dict:
    """Read through a connection of its own: what was committed, not what this session still holds."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            one = lambda sql: conn.execute(text(sql), {"event": event_id}).scalar_one()  # noqa: E731
            return {
                "registrations": one("SELECT count(*) FROM registration WHERE event_id = :event"),
                "preferences": one("SELECT count(*) FROM session_preference"),
                "mail": one("SELECT count(*) FROM outbound_mail"),
                "organisations": one("SELECT count(*) FROM organisation"),
                "confirmed_count": one("SELECT confirmed_count FROM event WHERE id = :event"),
            }
    finally:
        engine.dispose()


@pytest.mark.parametrize("capacity", [None, 12], ids=["confirmed", "waitlisted"])
def test_a_sign_up_whose_letter_cannot_be_written_leaves_nothing(app, demo_event, db, database_url, capacity,
                                                                  request):
    from eventapp.registration import service, signup

    demo_event.capacity = capacity
    db.session.commit()
    before = _counts(database_url, demo_event.id)
    request.getfixturevalue("outbox_refuses")
    details = service.AttendeeDetails(
        full_name="Ana Lúcia O'Brien", email="ana@example.org", organisation_name="A Brand New Organisation",
        organisation_kind=service.OrganisationKind.NGO, country="BR", job_title=None,
        preferences=tuple(s.id for s in demo_event.themed_sessions[:2]), accessibility_needs=None,
        dietary_needs=None, consent_listed=False)
    with pytest.raises(DBAPIError, match="the outbox refuses this mail"):
        signup.register(demo_event, details)
    assert _counts(database_url, demo_event.id) == before
