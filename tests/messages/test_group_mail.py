"""Group messages through the real SMTP test server: each group gets exactly its people, the placeholders filled
with each one's own data, the calendar file parsed by icalendar in the event's zone; preview, a test to oneself,
the confirmation of how many it reaches, and the per-attendee log."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import select

from eventapp.assignment import service as assignment
from eventapp.extensions import db
from eventapp.mail.service import deliver_pending
from eventapp.models import CheckIn, GroupMessage, MailStatus, OutboundMail, Registration, RegistrationStatus, utcnow

from ..conftest import log_in
from ..smtp import SMTPServer

ZONE = "Asia/Kolkata"
BODY = "Dear {{ name }},\nYour link: {{ manage_link }}\nSee you at {{ venue }}."


@pytest.fixture
def setting(make_app, smtp, staff):
    """An event with confirmed people (two checked in, sessions assigned and published), two waiting; an admin."""
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, JOBS_INLINE=True,
                   PUBLIC_BASE_URL="https://events.example.org")
    with app.app_context():
        from eventapp.demo.service import seed_demo

        event = seed_demo(attendees=10).event
        event.timezone = ZONE
        people = db.session.execute(select(Registration).where(Registration.event_id == event.id)
                                    .order_by(Registration.id)).scalars().all()
        for person in people[-2:]:
            person.status, person.waitlisted_at = RegistrationStatus.WAITLISTED, utcnow()
        db.session.commit()
        assignment.apply(event)
        assignment.publish(event)
        for person in people[:2]:
            db.session.add(CheckIn(event_id=event.id, registration_id=person.id, method="typed"))
        db.session.commit()
        deliver_pending()
        smtp.received.clear()
        admin = staff("admin")
        client = app.test_client()
        log_in(client, admin)
        yield app, client, event, admin


def _expected(event, audience: str) -> set[str]:
    people = db.session.execute(select(Registration).where(Registration.event_id == event.id)
                                .order_by(Registration.id)).scalars().all()
    confirmed = [p for p in people if p.status == RegistrationStatus.CONFIRMED]
    if audience == "confirmed":
        return {p.email for p in confirmed}
    if audience == "waitlisted":
        return {p.email for p in people if p.status == RegistrationStatus.WAITLISTED}
    if audience == "session":
        session = event.themed_sessions[0]
        return {p.email for p in confirmed if any(a.themed_session_id == session.id for a in p.assignments)}
    if audience == "checked_in":
        return {p.email for p in people[:2]}
    if audience == "not_checked_in":
        return {p.email for p in confirmed[2:]}
    raise AssertionError(audience)


def _send(client, event, **fields):
    data = {"audience": "confirmed", "subject": "News for {{ name }}", "body": BODY, "review": "Continue", **fields}
    confirm = client.post(f"/organiser/events/{event.slug}/messages/new", data=data)
    assert confirm.status_code == 200, confirm.get_data(as_text=True)
    text = confirm.get_data(as_text=True)
    reach = int(re.search(r'name="reach" value="(\d+)"', text).group(1))
    assert f"Send to {reach} " in text
    data.pop("review")
    sent = client.post(f"/organiser/events/{event.slug}/messages/send", data={**data, "reach": reach, "send": "Send"})
    assert sent.status_code == 303, sent.get_data(as_text=True)
    return reach


@pytest.mark.parametrize("audience", ["confirmed", "waitlisted", "session", "checked_in", "not_checked_in"])
def test_each_group_gets_exactly_its_people(setting, smtp, audience):
    app, client, event, _ = setting
    expected = _expected(event, audience)
    assert expected
    extra = {"themed_session": str(event.themed_sessions[0].id)} if audience == "session" else {}
    reach = _send(client, event, audience=audience, **extra)
    assert reach == len(expected)
    assert {r.rcpt_tos[0] for r in smtp.received} == expected and len(smtp.received) == len(expected)
    for received in smtp.received:
        person = db.session.execute(select(Registration).where(Registration.email == received.rcpt_tos[0])).scalar_one()
        message = received.message
        assert message["Subject"] == f"News for {person.full_name}"
        body = message.get_body(("plain",)).get_content()
        assert f"Dear {person.full_name}," in body
        assert f"https://events.example.org/manage/{person.manage_secret}" in body
        assert list(message.iter_attachments()) == []  # no calendar asked for
    [log] = db.session.execute(select(GroupMessage)).scalars().all()
    assert log.recipients == len(expected)
    copies = db.session.execute(select(OutboundMail).where(OutboundMail.group_message_id == log.id)).scalars().all()
    assert {c.status for c in copies} == {MailStatus.SENT} and all(c.sent_at for c in copies)
    history = client.get(f"/organiser/events/{event.slug}/messages").get_data(as_text=True)
    assert "News for {{ name }}" in history and f">{len(expected)}<" in history
    detail = client.get(f"/organiser/events/{event.slug}/messages/{log.id}").get_data(as_text=True)
    assert all(address in detail for address in expected) and "delivered" in detail


def test_the_calendar_file_when_asked_for(setting, smtp):
    app, client, event, _ = setting
    _send(client, event, audience="checked_in", attach_calendar="y")
    assert len(smtp.received) == 2
    for received in smtp.received:
        [part] = [p for p in received.message.iter_attachments() if p.get_content_type() == "text/calendar"]
        calendar = Calendar.from_ical(part.get_content())
        person = db.session.execute(select(Registration).where(Registration.email == received.rcpt_tos[0])).scalar_one()
        entries = {str(v["UID"]): v for v in calendar.walk("VEVENT")}
        event_entry = entries[f"eventapp-event{event.id}@events.example.org"]
        assert event_entry["DTSTART"].params["TZID"] == ZONE
        assert event_entry["DTSTART"].dt == event.starts_at.astimezone(ZoneInfo(ZONE))
        [seat] = person.assignments
        slot_entry = entries[f"eventapp-registration{person.id}-slot{seat.time_slot_id}@events.example.org"]
        assert slot_entry["DTSTART"].dt == seat.themed_session.time_slot.starts_at
        assert seat.themed_session.room in str(slot_entry["LOCATION"])


def test_a_selection_from_the_registrations_list(setting, smtp):
    app, client, event, _ = setting
    people = db.session.execute(select(Registration).where(Registration.event_id == event.id)
                                .order_by(Registration.id)).scalars().all()
    picked = [people[1].id, people[3].id, people[-1].id]
    other_event_or_junk = ["999999", "abc"]
    page = client.post(f"/organiser/events/{event.slug}/messages/new",
                       data={"registration_id": [str(i) for i in picked] + other_event_or_junk})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "3 people are picked" in text
    assert re.search(r'<input[^>]*checked[^>]*value="selection"|<input[^>]*value="selection"[^>]*checked', text)
    selection = re.search(r'name="selection" type="hidden" value="([0-9,]+)"', text).group(1)
    assert reach_of(client, event, selection) == 3
    _send(client, event, audience="selection", selection=selection)
    assert {r.rcpt_tos[0] for r in smtp.received} == {people[1].email, people[3].email, people[-1].email}


def reach_of(client, event, selection):
    page = client.post(f"/organiser/events/{event.slug}/messages/new",
                       data={"audience": "selection", "selection": selection, "subject": "s", "body": "b",
                             "review": "Continue"}).get_data(as_text=True)
    return int(re.search(r'name="reach" value="(\d+)"', page).group(1))


def test_preview_with_a_real_attendee_and_a_test_to_oneself(setting, smtp):
    app, client, event, admin = setting
    data = {"audience": "waitlisted", "subject": "Hello {{ name }}", "body": BODY}
    first_waiting = db.session.execute(select(Registration).where(
        Registration.event_id == event.id, Registration.status == RegistrationStatus.WAITLISTED)
        .order_by(Registration.id)).scalars().first()
    preview = client.post(f"/organiser/events/{event.slug}/messages/new", data={**data, "preview": "Preview"})
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200 and f"Dear {first_waiting.full_name}," in text.replace("&#39;", "'")
    assert smtp.received == []  # a preview sends nothing
    client.post(f"/organiser/events/{event.slug}/messages/new", data={**data, "test": "Send a test to me"})
    [test_copy] = smtp.received
    assert test_copy.rcpt_tos == [admin.email]
    assert test_copy.message["Subject"].startswith("[Test] Hello ")
    assert db.session.execute(select(GroupMessage)).first() is None  # a test is not a message sent


def test_unknown_placeholders_and_a_changed_group_are_refused(setting, smtp):
    app, client, event, _ = setting
    bad = client.post(f"/organiser/events/{event.slug}/messages/new",
                      data={"audience": "confirmed", "subject": "Hi", "body": "Dear {{ nmae }}", "review": "Continue"})
    assert bad.status_code == 400 and "Unknown placeholder: {{ nmae }}" in bad.get_data(as_text=True)
    missing = client.post(f"/organiser/events/{event.slug}/messages/new",
                          data={"audience": "session", "subject": "Hi", "body": "x", "review": "Continue"})
    assert missing.status_code == 400 and "Choose one of the event&#39;s themed sessions." in missing.get_data(as_text=True)
    stale = client.post(f"/organiser/events/{event.slug}/messages/send",
                        data={"audience": "confirmed", "subject": "Hi", "body": "x", "reach": 1, "send": "Send"})
    assert stale.status_code == 409 and "The group has changed" in stale.get_data(as_text=True)
    assert smtp.received == [] and db.session.execute(select(GroupMessage)).first() is None


def test_a_mail_server_that_is_down_leaves_the_copies_waiting_then_they_go(make_app, staff):
    from ..smtp import free_port

    port = free_port()
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, JOBS_INLINE=True)
    with app.app_context():
        from eventapp.demo.service import seed_demo

        event = seed_demo(attendees=5).event
        client = app.test_client()
        log_in(client, staff("admin"))
        reach = _send(client, event, audience="confirmed")
        [message] = db.session.execute(select(GroupMessage)).scalars().all()
        copies = db.session.execute(select(OutboundMail).where(OutboundMail.group_message_id == message.id)
                                    ).scalars().all()
        assert len(copies) == reach == 5 and {c.status for c in copies} == {MailStatus.PENDING}
        page = client.get(f"/organiser/events/{event.slug}/messages").get_data(as_text=True)
        assert '<td class="num" data-label="Waiting">5</td>' in page
        server = SMTPServer(port=port).start()
        try:
            from eventapp.mail.service import retry_now

            retry_now()
            deliver_pending()
            assert sorted(r.rcpt_tos[0] for r in server.received) == sorted(c.recipient for c in copies)
        finally:
            server.stop()
