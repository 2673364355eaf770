"""The event's confirmed count, which the capacity rule reads instead of counting rows, stays equal to the
real count through everything that confirms, unconfirms, adds or removes a registration, whichever code does
it (the database's triggers keep it, so even a raw INSERT counts)."""

from datetime import timedelta

from sqlalchemy import delete, func, select, text, update

from eventapp.models import Event, Registration, RegistrationStatus, utcnow
from eventapp.registration import service, signup

from .test_sign_up_writes import _details


def _kept_and_real(db, event_id):
    kept = db.session.execute(select(Event.confirmed_count).where(Event.id == event_id)).scalar_one()
    real = db.session.execute(select(func.count()).where(
        Registration.event_id == event_id, Registration.status == RegistrationStatus.CONFIRMED)).scalar_one()
    return kept, real


def _assert_kept(db, event_id, expected):
    db.session.expire_all()
    assert _kept_and_real(db, event_id) == (expected, expected)


def test_the_count_follows_sign_ups_cancellations_offers_and_promotions(app, db, demo_event, staff):
    event_id = demo_event.id
    _assert_kept(db, event_id, 12)  # the demo's attendees, inserted by the seeding code
    demo_event.capacity = 13
    db.session.commit()

    confirmed = signup.register(demo_event, _details("one@example.org", ()))
    waiting = [signup.register(demo_event, _details(f"w{i}@example.org", ())) for i in range(3)]
    assert confirmed.status == RegistrationStatus.CONFIRMED
    assert {w.status for w in waiting} == {RegistrationStatus.WAITLISTED}
    _assert_kept(db, event_id, 13)

    service.cancel(db.session.get(Registration, confirmed.registration_id))  # frees a place: offered to w0
    _assert_kept(db, event_id, 12)
    first = db.session.get(Registration, waiting[0].registration_id)
    assert service.has_active_offer(first)
    service.accept_offer(first)
    _assert_kept(db, event_id, 13)

    service.set_capacity(demo_event, 14)  # offered to w1
    second = db.session.get(Registration, waiting[1].registration_id)
    service.promote(second, by_staff=staff("admin"))
    _assert_kept(db, event_id, 14)
    service.cancel(db.session.get(Registration, waiting[2].registration_id))  # a waiting one: no change
    _assert_kept(db, event_id, 14)


def test_the_count_follows_changes_made_outside_the_service(app, db, demo_event):
    event_id = demo_event.id
    one = db.session.execute(select(Registration).where(
        Registration.event_id == event_id, Registration.status == RegistrationStatus.CONFIRMED).limit(1)).scalar_one()
    db.session.execute(update(Registration).where(Registration.id == one.id)
                       .values(status=RegistrationStatus.CANCELLED))
    db.session.commit()
    _assert_kept(db, event_id, 11)
    db.session.execute(update(Registration).where(Registration.id == one.id)
                       .values(status=RegistrationStatus.CONFIRMED))
    db.session.execute(update(Registration).where(Registration.id == one.id)  # not a change of status: no change
                       .values(full_name="Renamed"))
    db.session.commit()
    _assert_kept(db, event_id, 12)
    now = utcnow()
    db.session.execute(text(
        "INSERT INTO registration (event_id, full_name, email, email_key, consent_privacy, consent_listed, status, "
        "badge_secret, manage_secret, badge_changed_at, created_at, updated_at) VALUES (:event, 'Raw Insert', "
        "'raw@example.org', 'raw@example.org', :yes, :no, 'confirmed', 'RAWBADGE', 'rawmanage', :now, :now, :now)"),
        {"event": event_id, "yes": True, "no": False, "now": now})
    db.session.commit()
    _assert_kept(db, event_id, 13)
    db.session.execute(delete(Registration).where(Registration.email == "raw@example.org"))
    db.session.commit()
    _assert_kept(db, event_id, 12)


def test_a_full_event_stays_full_by_the_count_and_an_open_offer_holds_a_place(app, db, demo_event):
    demo_event.capacity = 13
    db.session.commit()
    assert not service.is_full(demo_event)
    signup.register(demo_event, _details("last@example.org", ()))
    assert service.is_full(demo_event)
    # An offer not yet answered holds its place; once it has lapsed, it does not.
    waiting = signup.register(demo_event, _details("next@example.org", ()))
    db.session.execute(update(Registration).where(Registration.email == "last@example.org")
                       .values(status=RegistrationStatus.CANCELLED))
    db.session.execute(update(Registration).where(Registration.id == waiting.registration_id).values(
        offer_made_at=utcnow(), offer_expires_at=utcnow() + timedelta(hours=1)))
    db.session.commit()
    assert service.places_taken(demo_event, utcnow()) == 13
    assert service.places_taken(demo_event, utcnow() + timedelta(hours=2)) == 12


def test_deleting_an_event_with_confirmed_registrations_works(app, db, demo_event):
    event_id = demo_event.id
    db.session.execute(delete(Event).where(Event.id == event_id))
    db.session.commit()
    assert db.session.execute(select(func.count()).where(Registration.event_id == event_id)).scalar_one() == 0


def test_recount_puts_right_a_count_that_something_bypassed(app, db, demo_event):
    db.session.execute(update(Event).where(Event.id == demo_event.id).values(confirmed_count=99))  # a bad restore
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["waitlist", "recount"])
    assert result.exit_code == 0, result.output
    assert f"{demo_event.slug}: 12 confirmed (the count said 99)" in result.output
    _assert_kept(db, demo_event.id, 12)
    again = app.test_cli_runner().invoke(args=["waitlist", "recount"])
    assert f"{demo_event.slug}: 12 confirmed\n" in again.output
