from eventapp.models import RegistrationStatus

from ..conftest import log_in
from .helpers import form_data, registration_by_email


def test_list_is_paged_and_searchable(app, client, demo_event, staff):
    from eventapp.demo.service import seed_demo

    seed_demo(attendees=120)
    log_in(client, staff("admin"))
    first = client.get(f"/organiser/events/{demo_event.slug}/registrations").get_data(as_text=True)
    assert "120 registrations" in first and "Page 1 of 3" in first
    assert "Page 3 of 3" in client.get(f"/organiser/events/{demo_event.slug}/registrations?page=3").get_data(as_text=True)
    waiting = client.get(f"/organiser/events/{demo_event.slug}/registrations?status=waitlisted").get_data(as_text=True)
    assert "20 registrations" in waiting
    found = client.get(f"/organiser/events/{demo_event.slug}/registrations?q=00007").get_data(as_text=True)
    assert "1 registration " in found
    odd = client.get(f"/organiser/events/{demo_event.slug}/registrations?q=%25_&status=nonsense")
    assert odd.status_code == 200 and "0 registrations" in odd.get_data(as_text=True)
    assert client.get(f"/organiser/events/{demo_event.slug}/registrations?page=abc").status_code == 400


def test_organiser_edits_and_cancels(app, client, demo_event, staff, db):
    client.post(f"/events/{demo_event.slug}/register", data=form_data(demo_event))
    registration = registration_by_email("ana@example.org")
    log_in(client, staff("admin"))
    url = f"/organiser/events/{demo_event.slug}/registrations/{registration.id}"
    assert client.post(url, data=form_data(demo_event, job_title="Minister")).status_code == 302
    client.post(url + "/cancel", data={"cancel-confirm": "y"})
    db.session.expire_all()
    assert registration.job_title == "Minister" and registration.status == RegistrationStatus.CANCELLED


def test_registration_of_another_event_is_404(app, client, demo_event, staff):
    log_in(client, staff("admin"))
    assert client.get(f"/organiser/events/{demo_event.slug}/registrations/999999").status_code == 404
