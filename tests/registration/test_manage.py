from datetime import timedelta

from eventapp.models import RegistrationStatus, utcnow

from .helpers import form_data, registration_by_email


def _registered(client, event):
    client.post(f"/events/{event.slug}/register", data=form_data(event))
    return registration_by_email("ana@example.org")


def test_edit_details_and_preferences(client, demo_event, db):
    registration = _registered(client, demo_event)
    changed = form_data(demo_event, full_name="Ana Lúcia Souza", choice_1=str(demo_event.themed_sessions[2].id),
                        choice_2="", organisation="Brand New Org", organisation_kind="academic")
    response = client.post(f"/manage/{registration.manage_secret}", data=changed)
    assert response.status_code == 302
    db.session.expire_all()
    assert registration.full_name == "Ana Lúcia Souza"
    assert [p.themed_session_id for p in registration.preferences] == [demo_event.themed_sessions[2].id]
    assert registration.organisation.name == "Brand New Org"
    assert "Your changes are saved." in client.get(response.headers["Location"]).get_data(as_text=True)


def test_edit_error_keeps_input_and_saves_nothing(client, demo_event, db):
    registration = _registered(client, demo_event)
    response = client.post(f"/manage/{registration.manage_secret}",
                           data=form_data(demo_event, full_name="Changed", email="bad"))
    assert response.status_code == 400
    assert 'value="Changed"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert registration.full_name == "Ana Lúcia O'Brien"


def test_cannot_take_another_registrations_email(client, demo_event, db):
    registration = _registered(client, demo_event)
    client.post(f"/events/{demo_event.slug}/register", data=form_data(demo_event, email="other@example.org"))
    response = client.post(f"/manage/{registration.manage_secret}", data=form_data(demo_event, email="OTHER@example.org"))
    assert response.status_code == 400
    assert "already uses this e-mail address" in response.get_data(as_text=True)


def test_forged_secret_is_a_404(client, demo_event):
    _registered(client, demo_event)
    assert client.get("/manage/not-a-real-secret").status_code == 404
    assert client.get("/manage/" + "A" * 5000).status_code == 404
    assert client.post("/manage/forged/cancel", data={"cancel-confirm": "y"}).status_code == 404


def test_edits_close_at_the_deadline(client, demo_event, db):
    registration = _registered(client, demo_event)
    demo_event.edit_deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
    page = client.get(f"/manage/{registration.manage_secret}").get_data(as_text=True)
    assert "Changes can no longer be made online" in page
    response = client.post(f"/manage/{registration.manage_secret}", data=form_data(demo_event, full_name="Late"))
    assert response.status_code == 303
    db.session.expire_all()
    assert registration.full_name != "Late"


def test_cancel_needs_the_box_ticked(client, demo_event, db):
    registration = _registered(client, demo_event)
    client.post(f"/manage/{registration.manage_secret}/cancel", data={})
    db.session.expire_all()
    assert registration.status == RegistrationStatus.CONFIRMED
    client.post(f"/manage/{registration.manage_secret}/cancel", data={"cancel-confirm": "y"})
    db.session.expire_all()
    assert registration.status == RegistrationStatus.CANCELLED
    assert "This registration is cancelled" in client.get(f"/manage/{registration.manage_secret}").get_data(as_text=True)
