from datetime import timedelta

from eventapp.models import OutboundMail, RegistrationStatus, utcnow
from eventapp.registration import service, signup

from .helpers import form_data, registration_by_email


def fill(client, event, count, prefix="w"):
    for i in range(count):
        response = client.post(f"/events/{event.slug}/register",
                               data=form_data(event, email=f"{prefix}{i}@example.org", full_name=f"Person {prefix}{i}"))
        assert response.status_code == 303


def _set_capacity(db, event, capacity):
    event.capacity = capacity
    db.session.commit()


def test_full_event_waitlists_and_says_so_before_submitting(client, demo_event, db):
    _set_capacity(db, demo_event, 13)
    assert "The event is full" not in client.get(f"/events/{demo_event.slug}/register").get_data(as_text=True)
    fill(client, demo_event, 1, "a")
    page = client.get(f"/events/{demo_event.slug}/register").get_data(as_text=True)
    assert "The event is full" in page and "Join the waiting list" in page
    fill(client, demo_event, 2, "b")
    assert registration_by_email("a0@example.org").status == RegistrationStatus.CONFIRMED
    waiting = registration_by_email("b0@example.org")
    assert waiting.status == RegistrationStatus.WAITLISTED and waiting.waitlisted_at is not None
    assert db.session.query(OutboundMail).filter_by(registration_id=waiting.id).one().kind == "waitlisted"
    manage = client.get(f"/manage/{waiting.manage_secret}").get_data(as_text=True)
    assert "You are on the waiting list" in manage


def test_cancellation_offers_the_place_to_the_first_in_line(client, demo_event, db):
    _set_capacity(db, demo_event, 12)
    fill(client, demo_event, 3)
    first, second = registration_by_email("w0@example.org"), registration_by_email("w1@example.org")
    confirmed = demo_event_registration(db, demo_event)
    client.post(f"/manage/{confirmed.manage_secret}/cancel", data={"cancel-confirm": "y"})
    db.session.expire_all()
    assert confirmed.status == RegistrationStatus.CANCELLED
    assert service.has_active_offer(first) and not service.has_active_offer(second)
    assert first.offer_expires_at - first.offer_made_at == timedelta(hours=48)
    offer_mail = db.session.query(OutboundMail).filter_by(registration_id=first.id, kind="offer").one()
    assert first.manage_secret in offer_mail.body_text
    # the held place counts: a newcomer still goes on the list
    fill(client, demo_event, 1, "late")
    assert registration_by_email("late0@example.org").status == RegistrationStatus.WAITLISTED
    page = client.get(f"/manage/{first.manage_secret}").get_data(as_text=True)
    assert "A place is yours if you want it" in page
    client.post(f"/manage/{first.manage_secret}/accept", data={})
    db.session.expire_all()
    assert first.status == RegistrationStatus.CONFIRMED


def demo_event_registration(db, event):
    from eventapp.models import Registration

    return db.session.query(Registration).filter_by(event_id=event.id, status=RegistrationStatus.CONFIRMED).first()


def test_an_unanswered_offer_passes_to_the_next_person(client, demo_event, db):
    _set_capacity(db, demo_event, 12)
    fill(client, demo_event, 2)
    first, second = registration_by_email("w0@example.org"), registration_by_email("w1@example.org")
    service.cancel(demo_event_registration(db, demo_event))
    assert service.has_active_offer(first)
    later = utcnow() + timedelta(hours=49)
    offered = service.process_waitlist(demo_event, now=later)
    assert offered == [second]
    assert not service.has_active_offer(first, later) and service.has_active_offer(second, later)
    try:
        service.accept_offer(first, now=later)
    except service.OfferUnavailable as error:
        assert "expired" in error.message
    else:
        raise AssertionError("an expired offer was accepted")
    assert first.status == RegistrationStatus.WAITLISTED


def test_organiser_promotes_by_hand_only_into_a_free_place(app, client, demo_event, db, staff):
    from ..conftest import log_in

    _set_capacity(db, demo_event, 12)
    fill(client, demo_event, 2)
    second = registration_by_email("w1@example.org")
    log_in(client, staff("admin"))
    response = client.post(f"/organiser/events/{demo_event.slug}/registrations/{second.id}/promote", data={})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The event is full: raise its capacity" in page
    client.post(f"/organiser/events/{demo_event.slug}/waitlist", data={"capacity-capacity": "13"})
    db.session.expire_all()
    first = registration_by_email("w0@example.org")
    assert service.has_active_offer(first)  # raising capacity offered the new place to the first in line
    client.post(f"/organiser/events/{demo_event.slug}/waitlist", data={"capacity-capacity": "14"})
    client.post(f"/organiser/events/{demo_event.slug}/registrations/{second.id}/promote", data={})
    db.session.expire_all()
    # second already holds the offer made by the raise, so promoting confirms them
    assert second.status == RegistrationStatus.CONFIRMED


def test_waitlist_page_lists_in_order(app, client, demo_event, db, staff):
    from ..conftest import log_in

    _set_capacity(db, demo_event, 12)
    fill(client, demo_event, 3)
    log_in(client, staff("admin"))
    page = client.get(f"/organiser/events/{demo_event.slug}/waitlist").get_data(as_text=True)
    assert page.index("Person w0") < page.index("Person w1") < page.index("Person w2")


def test_capacity_form_rejects_nonsense(app, client, demo_event, staff):
    from ..conftest import log_in

    log_in(client, staff("admin"))
    response = client.post(f"/organiser/events/{demo_event.slug}/waitlist", data={"capacity-capacity": "-3"})
    assert response.status_code == 400
    assert "Enter a whole number of places" in response.get_data(as_text=True)
    response = client.post(f"/organiser/events/{demo_event.slug}/waitlist", data={"capacity-capacity": "lots"})
    assert response.status_code == 400


def test_waitlist_process_command_offers_after_a_lapse(app, client, demo_event, db):
    _set_capacity(db, demo_event, 12)
    fill(client, demo_event, 1)
    demo_event.capacity = 13  # raised behind the service's back: only processing makes the offer
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["waitlist", "process", demo_event.slug])
    assert result.exit_code == 0 and f"{demo_event.slug}: 1 offer(s) made." in result.output
    assert service.has_active_offer(registration_by_email("w0@example.org"))
    assert app.test_cli_runner().invoke(args=["waitlist", "process", "nope"]).exit_code != 0


def test_a_long_waiting_list_is_paged_with_places_in_the_queue(app, client, demo_event, db, staff):
    import re

    from ..conftest import log_in

    _set_capacity(db, demo_event, 0)
    with app.app_context():
        for i in range(130):  # straight through the service: the form's rate limit is not the point here
            signup.register(demo_event, service.AttendeeDetails(
                full_name=f"Queued Person {i:03d}", email=f"q{i}@example.org", organisation_name="Queue Org",
                organisation_kind=service.OrganisationKind.NGO, country="KE", job_title=None, preferences=(),
                accessibility_needs=None, dietary_needs=None, consent_listed=False))
    log_in(client, staff("admin"))
    url = f"/organiser/events/{demo_event.slug}/waitlist"
    first = client.get(url).get_data(as_text=True)
    assert "130 waiting." in first
    rows = re.findall(r"<td>(\d+)</td>\s*<td><a [^>]*>([^<]+)</a>", first)
    assert [int(n) for n, _ in rows] == list(range(1, 101))
    assert [name for _, name in rows[:2]] == ["Queued Person 000", "Queued Person 001"]
    assert "Page 1 of 2" in first and "page=2" in first
    second = client.get(url + "?page=2").get_data(as_text=True)
    rows = re.findall(r"<td>(\d+)</td>\s*<td><a [^>]*>([^<]+)</a>", second)
    assert [int(n) for n, _ in rows] == list(range(101, 131))
    assert rows[-1][1] == "Queued Person 129"
    assert client.get(url + "?page=nonsense").status_code == 400  # a plain sentence, not a guess (url_numbers)
