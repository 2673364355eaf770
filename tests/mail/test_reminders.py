"""The event reminder: queued by the mail deliverer on the day it falls due, once per confirmed attendee."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import select

from eventapp.extensions import db
from eventapp.mail.reminders import due_from
from eventapp.mail.service import deliver_pending
from eventapp.models import Event, EventState, OutboundMail, Registration, RegistrationStatus
from eventapp.registration import service as registrations

ZONE = "America/Sao_Paulo"



@pytest.fixture
def event(make_app, smtp):
    from eventapp.demo.service import seed_demo

    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port)
    with app.app_context():
        event = seed_demo(attendees=4).event
        event.timezone = ZONE
        event.reminder_days = 3
        # Sunday 14 March 2027, 09:00 in São Paulo (12:00 UTC); everyone registered well before.
        event.starts_at = datetime(2027, 3, 14, 12, 0, tzinfo=UTC)
        event.ends_at = event.starts_at + timedelta(hours=8)
        db.session.execute(Registration.__table__.update().values(created_at=datetime(2027, 1, 5, tzinfo=UTC)))
        db.session.commit()
        deliver_pending()  # the confirmations
        smtp.handler.received.clear()
        yield event


def reminders() -> list[OutboundMail]:
    return list(db.session.execute(select(OutboundMail).where(OutboundMail.kind == "reminder")).scalars())


def confirmed(event) -> list[Registration]:
    return list(db.session.execute(select(Registration).where(
        Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)).scalars())


def local(y, m, d, hh, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=ZoneInfo(ZONE)).astimezone(UTC)


def test_due_from_local_midnight_of_the_day_n_days_before(event):
    assert due_from(event) == local(2027, 3, 11, 0, 0)
    event.reminder_days = 0
    assert due_from(event) is None


def test_sent_once_on_the_day_to_confirmed_only_with_the_calendar(event, smtp):
    people = confirmed(event)
    cancelled = people[0]
    registrations.cancel(cancelled)
    late = people[1]
    db.session.execute(Registration.__table__.update().where(Registration.id == late.id)
                       .values(created_at=local(2027, 3, 12, 10)))  # signed up after the reminder day began
    db.session.commit()
    deliver_pending()  # the cancellation's letter
    smtp.handler.received.clear()

    assert deliver_pending(now=local(2027, 3, 10, 23, 59)).sent == 0  # the evening before the day: nothing
    assert reminders() == []

    deliver_pending(now=local(2027, 3, 11, 0, 1))
    expected = {p.email for p in confirmed(event)} - {late.email}
    assert {r.rcpt_tos[0] for r in smtp.received} == expected and len(smtp.received) == len(expected)
    assert cancelled.email not in expected
    message = smtp.received[0].message
    assert message["Subject"] == f"Reminder: {event.name}, Sunday 14 March"
    body = message.get_body(("plain",)).get_content()
    assert "is in 3 days" in body and "Sunday 14 March 2027, 09:00 (America/Sao_Paulo)" in body
    [calendar] = [Calendar.from_ical(p.get_content()) for p in message.iter_attachments()
                  if p.get_content_type() == "text/calendar"]
    assert calendar.walk("VEVENT")[0]["DTSTART"].params["TZID"] == ZONE

    # Later runs, the next day, and a run with the same clock: nobody hears twice.
    count = len(smtp.received)
    deliver_pending(now=local(2027, 3, 11, 0, 1))
    deliver_pending(now=local(2027, 3, 12, 9))
    assert len(smtp.received) == count and len(reminders()) == count
    assert all(r.reminded_at is not None for r in confirmed(event) if r.email in expected)


def test_no_reminder_when_off_after_the_start_or_for_a_draft(event, smtp):
    event.reminder_days = 0
    db.session.commit()
    deliver_pending(now=local(2027, 3, 13, 12))
    assert reminders() == []
    event.reminder_days = 3
    db.session.commit()
    deliver_pending(now=local(2027, 3, 14, 9, 30))  # the event has begun
    assert reminders() == []
    db.session.get(Event, event.id).state = EventState.DRAFT
    db.session.commit()
    deliver_pending(now=local(2027, 3, 12, 12))
    assert reminders() == [] and smtp.received == []


def test_the_days_are_set_in_the_event_settings(app, db, staff, demo_event):
    from ..conftest import log_in
    from ..events.test_pages import EVENT

    client = app.test_client()
    log_in(client, staff("admin"))
    base = f"/organiser/events/{demo_event.slug}/settings"
    assert 'name="reminder_days"' in client.get(base).get_data(as_text=True)
    data = {**EVENT, "slug": demo_event.slug, "capacity": "", "starts": "2027-03-10T09:00"}
    bad = client.post(base, data={**data, "reminder_days": "-1"})
    assert bad.status_code == 400 and "from 0 (no reminder) to 60" in bad.get_data(as_text=True)
    assert client.post(base, data={**data, "reminder_days": "0"}).status_code in (302, 303)
    db.session.expire_all()
    assert db.session.get(Event, demo_event.id).reminder_days == 0
