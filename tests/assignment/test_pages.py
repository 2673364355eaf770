"""The organiser's assignment pages: who may use them, preview then apply, moves, latecomers, publish, garbage."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape
from sqlalchemy import select

from eventapp.assignment import service
from eventapp.extensions import db
from eventapp.models import Assignment, OutboundMail, Registration, RegistrationStatus, StaffRole

from ..conftest import log_in
from .test_service import add_attendee, confirmed, other_event, rows, seat_of, set_capacities


@pytest.fixture
def admin_client(app, staff):
    client = app.test_client()
    assert log_in(client, staff("admin")).status_code == 302
    return client


def base(event) -> str:
    return f"/organiser/events/{event.slug}/assignment"


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.mark.parametrize("role", [StaffRole.CHECKIN, StaffRole.REPORT_EDITOR], ids=lambda r: r.value)
def test_only_admins_get_in(app, client, staff, demo_event, role):
    person = confirmed(demo_event)[0]
    url = base(demo_event)
    assert client.get(url).headers["Location"].startswith("/login")
    organisation = demo_event.themed_sessions[0].lead_organisation if role == StaffRole.REPORT_EDITOR else None
    log_in(client, staff(role.value, organisation=organisation))
    for path in ("", "/preview", f"/people/{person.id}"):
        assert client.get(url + path).status_code == 403, path
    for path in ("/apply", "/publish", "/place-all", f"/people/{person.id}", f"/people/{person.id}/place",
                 f"/people/{person.id}/unpin"):
        assert client.post(url + path).status_code == 403, path
    assert rows(demo_event) == []


def test_preview_then_apply(admin_client, demo_event):
    page = admin_client.get(base(demo_event))
    assert page.status_code == 200 and "Nobody has a session yet." in text(page)
    assert f'href="{base(demo_event)}">Assignment</a>' in text(admin_client.get(f"/organiser/events/{demo_event.slug}"))

    preview = admin_client.get(base(demo_event) + "/preview")
    html = text(preview)
    assert preview.status_code == 200 and "Preview: nothing is saved yet" in html
    assert "Applying gives 12 of them a new or different session." in html
    assert "1st choice" in html and escape(demo_event.themed_sessions[0].title) in html
    assert rows(demo_event) == []
    fingerprint = re.search(r'name="fingerprint" type="hidden" value="([0-9a-f]+)"', html).group(1)

    applied = admin_client.post(base(demo_event) + "/apply", data={"fingerprint": fingerprint})
    assert applied.status_code == 303 and applied.headers["Location"].endswith(base(demo_event))
    assert len(rows(demo_event)) == 12
    page = text(admin_client.get(base(demo_event)))
    assert "Assignment applied: 12 attendees got a new or different session" in page
    assert "Who is in each session" in page and "Publish" in page
    summary = service.overview(demo_event).report.slots[0]
    for line in summary.sessions:
        assert f'<td class="num">{line.assigned}</td>' in page


def test_apply_refuses_a_stale_or_missing_preview(admin_client, demo_event):
    html = text(admin_client.get(base(demo_event) + "/preview"))
    fingerprint = re.search(r'name="fingerprint" type="hidden" value="([0-9a-f]+)"', html).group(1)
    add_attendee(demo_event, "Nadia Newcomer", [])
    stale = admin_client.post(base(demo_event) + "/apply", data={"fingerprint": fingerprint})
    assert stale.status_code == 409 and "changed since this preview was made" in text(stale)
    for data in ({}, {"fingerprint": "not hex <script>"}, {"fingerprint": "ab" * 100}):
        refused = admin_client.post(base(demo_event) + "/apply", data=data)
        assert refused.status_code == 400 and "Make a preview first" in text(refused)
    assert rows(demo_event) == []


def test_moving_by_hand_and_its_refusals(admin_client, demo_event):
    set_capacities(demo_event, 4, 4, 4)
    service.apply(demo_event)
    full = demo_event.themed_sessions[1]
    person = next(p for p in confirmed(demo_event) if seat_of(p.id) != full.id)
    url = f"{base(demo_event)}/people/{person.id}"
    page = admin_client.get(url)
    assert page.status_code == 200 and "Move by hand" in text(page)

    refused = admin_client.post(url, data={"themed_session_id": str(full.id)})
    html = text(refused)
    assert refused.status_code == 409
    assert re.search(r'class="field-error"[^>]*>“[^”]+” is full: 4 of its 4 seats are taken\.', html)
    assert seat_of(person.id) != full.id

    moved = admin_client.post(url, data={"themed_session_id": str(full.id), "over_capacity": "y"})
    assert moved.status_code == 303
    assert seat_of(person.id) == full.id
    page = text(admin_client.get(base(demo_event)))
    assert "over its capacity, as you chose" in page and "over capacity by 1" in page and "pinned" in page

    unpinned = admin_client.post(url + "/unpin")
    assert unpinned.status_code == 303 and "Unpinned" in text(admin_client.get(url))


def test_garbage_and_other_events_get_a_clear_4xx(admin_client, demo_event):
    _, their_session, theirs = other_event()
    service.apply(demo_event)
    person = confirmed(demo_event)[0]
    url = f"{base(demo_event)}/people/{person.id}"
    before = rows(demo_event)
    for value in ("abc", str(their_session.id), "-1", "9" * 30, "1 OR 1=1", ""):
        response = admin_client.post(url, data={"themed_session_id": value})
        assert response.status_code == 400, value
        assert "Choose one of this event" in text(response) or "Choose a session." in text(response)
    for path in (f"/people/{theirs.id}", "/people/abc", "/people/999999", "/people/-1", "/people/" + "9" * 30):
        assert admin_client.get(base(demo_event) + path).status_code == 404, path
        assert admin_client.post(base(demo_event) + path, data={"themed_session_id": "1"}).status_code == 404
        assert admin_client.post(base(demo_event) + path + "/place").status_code == 404
        assert admin_client.post(base(demo_event) + path + "/unpin").status_code == 404
    assert admin_client.get("/organiser/events/no-such-event/assignment").status_code == 404
    assert rows(demo_event) == before
    assert seat_of(theirs.id) is None


def test_cancelled_and_waitlisted_people_cannot_be_seated(admin_client, demo_event):
    service.apply(demo_event)
    people = confirmed(demo_event)
    cancelled, waiting = people[0], people[1]
    admin_client.post(f"/organiser/events/{demo_event.slug}/registrations/{cancelled.id}/cancel",
                      data={"cancel-confirm": "y"})
    waiting.status = RegistrationStatus.WAITLISTED
    db.session.commit()
    assert seat_of(cancelled.id) is None
    for person, status in ((cancelled, "cancelled"), (waiting, "waitlisted")):
        url = f"{base(demo_event)}/people/{person.id}"
        assert "Only confirmed attendees get a session" in text(admin_client.get(url))
        response = admin_client.post(url, data={"themed_session_id": str(demo_event.themed_sessions[0].id)})
        assert response.status_code == 409
        assert f"is {status}: only confirmed attendees get a session." in text(response)
        placed = admin_client.post(url + "/place")
        assert placed.status_code == 409 and f"is {status}" in text(placed)


def test_newcomers_are_placed_without_moving_anyone(admin_client, demo_event):
    refused = admin_client.post(base(demo_event) + "/place-all")
    assert refused.status_code == 409 and "run the assignment first" in text(refused)
    service.apply(demo_event)
    before = rows(demo_event)
    one = add_attendee(demo_event, "Nadia Newcomer", [demo_event.themed_sessions[2]])
    two = add_attendee(demo_event, "Omar Latecomer", [])
    page = text(admin_client.get(base(demo_event)))
    assert "Confirmed attendees without a session" in page and "Place all 2 newcomers" in page

    response = admin_client.post(f"{base(demo_event)}/people/{one.id}/place")
    assert response.status_code == 303
    assert seat_of(one.id) == demo_event.themed_sessions[2].id
    response = admin_client.post(base(demo_event) + "/place-all")
    assert response.status_code == 303 and seat_of(two.id) is not None
    assert "1 newcomer(s) placed" in text(admin_client.get(base(demo_event)))
    assert [r for r in rows(demo_event) if r[0] not in (one.id, two.id)] == before
    again = admin_client.post(base(demo_event) + "/place-all")
    assert again.status_code == 409 and "Every confirmed attendee already has a session." in text(again)


def test_publish_button_queues_one_mail_each(app, admin_client, demo_event):
    app.config["MAIL_DELIVERY"] = "off"  # queued is what this tests; rendering twelve badges is the badges' test
    refused = admin_client.post(base(demo_event) + "/publish")
    assert refused.status_code == 409 and "Nobody has a session yet" in text(refused)
    service.apply(demo_event)
    assert "the 12 with a session get an e-mail" in text(admin_client.get(base(demo_event)))
    response = admin_client.post(base(demo_event) + "/publish", data={"expected": "12"})
    assert response.status_code == 303
    assert "Published. 12 e-mails queued to everyone with a session." in text(admin_client.get(base(demo_event)))
    mails = db.session.execute(select(OutboundMail).where(OutboundMail.kind == "assignment")).scalars().all()
    assert len(mails) == 12 and all(m.attach_badge for m in mails)
    again = admin_client.post(base(demo_event) + "/publish", data={"expected": "0"})
    assert again.status_code == 303
    assert "Nobody's sessions changed since the last publish" in text(admin_client.get(base(demo_event)))


def test_the_forms_carry_their_csrf_tokens(make_app, demo_event):
    app = make_app(WTF_CSRF_ENABLED=True, MAIL_DELIVERY="off")
    with app.app_context():
        from eventapp.auth.service import create_staff_user

        create_staff_user("boss@example.org", "correct horse battery", StaffRole.ADMIN)
        db.session.commit()
        client = app.test_client()

        def token(html: str) -> str:
            return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)

        login = text(client.get("/login"))
        client.post("/login", data={"email": "boss@example.org", "password": "correct horse battery",
                                    "csrf_token": token(login)})
        html = text(client.get(base(demo_event) + "/preview"))
        fingerprint = re.search(r'name="fingerprint" type="hidden" value="([0-9a-f]+)"', html).group(1)
        assert client.post(base(demo_event) + "/apply", data={"fingerprint": fingerprint}).status_code == 400
        response = client.post(base(demo_event) + "/apply", data={"fingerprint": fingerprint, "csrf_token": token(html)})
        assert response.status_code == 303
        person = db.session.execute(select(Registration).order_by(Registration.id)).scalars().first()
        html = text(client.get(f"{base(demo_event)}/people/{person.id}"))
        target = demo_event.themed_sessions[2].id
        response = client.post(f"{base(demo_event)}/people/{person.id}",
                               data={"themed_session_id": str(target), "csrf_token": token(html)})
        assert response.status_code == 303
        html = text(client.get(base(demo_event) + "/publish"))
        expected = re.search(r'name="expected" type="hidden" value="([0-9]+)"', html).group(1)
        assert client.post(base(demo_event) + "/publish", data={"expected": expected}).status_code == 400
        assert client.post(base(demo_event) + "/publish",
                           data={"csrf_token": token(html), "expected": expected}).status_code == 303
        db.session.expire_all()
        assert db.session.execute(
            select(Assignment.themed_session_id).where(Assignment.registration_id == person.id)
        ).scalar_one() == target


def test_publishing_asks_first_saying_how_many_it_mails(app, admin_client, demo_event):
    app.config["MAIL_DELIVERY"] = "off"
    service.apply(demo_event)
    index = text(admin_client.get(base(demo_event)))
    assert f'href="{base(demo_event)}/publish"' in index  # a link to the confirmation, not a button that mails

    def assignment_mails() -> int:
        return len(db.session.execute(select(OutboundMail).where(OutboundMail.kind == "assignment")).all())

    # Reaching the publish address without confirming a number shows the question and mails nobody.
    for asked in (admin_client.get(base(demo_event) + "/publish"), admin_client.post(base(demo_event) + "/publish")):
        assert asked.status_code == 200
        assert "This e-mails <strong>12 people</strong>." in text(asked)
        assert 'name="expected" type="hidden" value="12"' in text(asked)
    assert assignment_mails() == 0 and db.session.get(type(demo_event), demo_event.id).assignment_published_at is None

    # A number that is no longer true (the assignment changed meanwhile) asks again with the new one.
    stale = admin_client.post(base(demo_event) + "/publish", data={"expected": "11"})
    assert stale.status_code == 409 and "The assignment changed since you opened this page" in text(stale)
    assert assignment_mails() == 0

    assert admin_client.post(base(demo_event) + "/publish", data={"expected": "12"}).status_code == 303
    assert assignment_mails() == 12
    # After that, only the changed would be mailed: the question says nobody.
    assert "This e-mails <strong>nobody</strong>" in text(admin_client.get(base(demo_event) + "/publish"))
