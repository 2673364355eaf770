"""Calendar files: on the confirmation and assignment mails through a real SMTP server, and on the manage page,
read back with the icalendar parser: times in the event's zone, UIDs that stay put, SEQUENCE that grows."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import select

from eventapp.assignment import service as assignment
from eventapp.calendar.ics import CalendarEntry, google_link, outlook_link
from eventapp.extensions import db
from eventapp.mail.service import deliver_pending
from eventapp.models import Event, Registration, RegistrationStatus

from ..registration.helpers import form_data, registration_by_email

ZONE = "Asia/Kolkata"  # +05:30 all year: a local time that cannot be mistaken for UTC or London



@pytest.fixture
def mailing_app(make_app, smtp):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, PUBLIC_BASE_URL="https://events.example.org")
    with app.app_context():
        yield app


@pytest.fixture
def event(mailing_app):
    from eventapp.demo.service import seed_demo

    event = seed_demo(attendees=0).event
    event.timezone = ZONE
    db.session.commit()
    return event


def calendars(message) -> list[Calendar]:
    return [Calendar.from_ical(part.get_content()) for part in message.iter_attachments()
            if part.get_content_type() == "text/calendar"]


def vevents(calendar: Calendar) -> dict[str, object]:
    return {str(v["UID"]): v for v in calendar.walk("VEVENT")}


def register(app, event, name="Meera Raghunathan", email="meera@example.org") -> Registration:
    response = app.test_client().post(f"/events/{event.slug}/register",
                                      data=form_data(event, full_name=name, email=email))
    assert response.status_code == 303
    return registration_by_email(email)


def test_the_confirmation_carries_the_event_in_its_own_zone(mailing_app, event, smtp):
    registration = register(mailing_app, event)
    [received] = smtp.received
    [calendar] = calendars(received.message)
    assert calendar["METHOD"] == "PUBLISH"
    [(uid, entry)] = vevents(calendar).items()
    assert uid == f"eventapp-event{event.id}@events.example.org"
    assert str(entry["SUMMARY"]) == event.name
    start, end = entry["DTSTART"], entry["DTEND"]
    assert start.params["TZID"] == ZONE and end.params["TZID"] == ZONE
    local = ZoneInfo(ZONE)
    assert start.dt == event.starts_at.astimezone(local) and start.dt.utcoffset() == timedelta(hours=5, minutes=30)
    assert start.dt.replace(tzinfo=None) == event.starts_at.astimezone(local).replace(tzinfo=None)
    assert end.dt == event.ends_at
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == [ZONE]  # the zone travels with the file
    assert event.venue in str(entry["LOCATION"])
    assert "DTSTAMP" in entry and int(entry["SEQUENCE"]) >= 0
    assert registration.manage_secret not in calendar.to_ical().decode()  # calendars get shared: no private link
    assert "Dear Meera Raghunathan," in received.message.get_body(("plain",)).get_content()


def test_a_waitlisted_sign_up_gets_no_calendar(mailing_app, event, smtp):
    event.capacity = 0
    db.session.commit()
    register(mailing_app, event)
    [received] = smtp.received
    assert registration_by_email("meera@example.org").status == RegistrationStatus.WAITLISTED
    assert calendars(received.message) == [] and list(received.message.iter_attachments()) == []


def test_the_assignment_mail_carries_sessions_with_room_and_badge_and_an_update_replaces_them(
        mailing_app, event, smtp):
    person = register(mailing_app, event)
    other = register(mailing_app, event, "Tomás Ferreira", "tomas@example.org")
    [first_confirmation, _] = (r.message for r in smtp.received)
    event_uid = next(iter(vevents(calendars(first_confirmation)[0])))
    assignment.apply(event)
    assignment.publish(event)
    deliver_pending()
    mail = next(r.message for r in smtp.received[2:] if r.rcpt_tos == [person.email])
    kinds = sorted(part.get_content_type() for part in mail.iter_attachments())
    assert kinds == ["application/pdf", "text/calendar"]  # the badge and the calendar, both
    [calendar] = calendars(mail)
    entries = vevents(calendar)
    db.session.expire_all()
    person = db.session.get(Registration, person.id)
    [seat] = person.assignments
    session, slot = seat.themed_session, seat.themed_session.time_slot
    slot_uid = f"eventapp-registration{person.id}-slot{slot.id}@events.example.org"
    assert set(entries) == {event_uid, slot_uid}
    entry = entries[slot_uid]
    assert session.title in str(entry["SUMMARY"]) and session.room in str(entry["LOCATION"])
    assert entry["DTSTART"].params["TZID"] == ZONE
    assert entry["DTSTART"].dt == slot.starts_at and entry["DTEND"].dt == slot.ends_at
    assert entry["DTSTART"].dt.strftime("%H:%M") == slot.starts_at.astimezone(ZoneInfo(ZONE)).strftime("%H:%M")
    first_sequence = int(entry["SEQUENCE"])

    # Moved to another session in the same slot, later on: the same UID, a higher SEQUENCE, the new room.
    target = next(s for s in event.themed_sessions if s.id != session.id and s.time_slot_id == slot.id)
    assignment.move(event, person.id, target.id, by=None)
    db.session.get(Event, event.id).created_at -= timedelta(minutes=5)  # as if the event were set up earlier
    db.session.commit()
    assignment.publish(event)
    deliver_pending()
    changed = [r.message for r in smtp.received if r.rcpt_tos == [person.email]][-1]
    assert "changed" in changed["Subject"]
    entries = vevents(calendars(changed)[0])
    assert set(entries) == {event_uid, slot_uid}
    assert target.room in str(entries[slot_uid]["LOCATION"]) and target.title in str(entries[slot_uid]["SUMMARY"])
    assert int(entries[slot_uid]["SEQUENCE"]) > first_sequence
    assert other.id != person.id and not any(
        slot_uid in str(r.message) for r in smtp.received if r.rcpt_tos == [other.email])


def test_the_manage_page_offers_the_file_and_links(mailing_app, event):
    registration = register(mailing_app, event)
    client = mailing_app.test_client()
    page = client.get(f"/manage/{registration.manage_secret}").get_data(as_text=True)
    assert "Add to calendar" in page and f"/manage/{registration.manage_secret}/calendar.ics" in page
    assert "https://calendar.google.com/calendar/render?" in page and "https://outlook.live.com/" in page
    response = client.get(f"/manage/{registration.manage_secret}/calendar.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert f'filename="{event.slug}.ics"' in response.headers["Content-Disposition"]
    [(uid, entry)] = vevents(Calendar.from_ical(response.data)).items()
    assert uid == f"eventapp-event{event.id}@events.example.org" and entry["DTSTART"].dt == event.starts_at
    assert client.get("/manage/not-a-secret/calendar.ics").status_code == 404


def test_a_cancelled_registration_has_no_calendar_to_download(mailing_app, event):
    registration = register(mailing_app, event)
    registration.status = RegistrationStatus.CANCELLED
    db.session.commit()
    client = mailing_app.test_client()
    assert "Add to calendar" not in client.get(f"/manage/{registration.manage_secret}").get_data(as_text=True)
    assert client.get(f"/manage/{registration.manage_secret}/calendar.ics").status_code == 303
    assert db.session.execute(select(Registration)).scalars().one().id == registration.id


def test_google_and_outlook_links_carry_utc_times_and_the_zone():
    from datetime import UTC, datetime

    entry = CalendarEntry(uid="u@x", summary="Opening & welcome", starts_at=datetime(2027, 3, 1, 4, 30, tzinfo=UTC),
                          ends_at=datetime(2027, 3, 1, 6, 0, tzinfo=UTC), timezone=ZONE, location="Hall A, Delhi")
    google = parse_qs(urlsplit(google_link(entry)).query)
    assert google["dates"] == ["20270301T043000Z/20270301T060000Z"] and google["ctz"] == [ZONE]
    assert google["text"] == ["Opening & welcome"] and google["location"] == ["Hall A, Delhi"]
    outlook = urlsplit(outlook_link(entry, work=True))
    query = parse_qs(outlook.query)
    assert outlook.netloc == "outlook.office.com"
    assert query["startdt"] == ["2027-03-01T04:30:00Z"] and query["enddt"] == ["2027-03-01T06:00:00Z"]


@pytest.mark.parametrize("month", [1, 7])  # London in winter (GMT) and in summer (BST)
def test_the_file_carries_the_zone_rules_in_force_at_the_entry_and_no_others(month):
    from datetime import UTC, datetime

    from eventapp.calendar.ics import build_ics

    starts = datetime(2027, month, 15, 9, 30, tzinfo=UTC)
    entry = CalendarEntry(uid="u@example.org", summary="Day", starts_at=starts, ends_at=starts + timedelta(hours=8),
                          timezone="Europe/London")
    data = build_ics([entry], stamp=starts, sequence=1)
    [zone] = Calendar.from_ical(data).walk("VTIMEZONE")
    # The file's own VTIMEZONE, read as a calendar program reads it, gives the event's true UTC time.
    from_file = zone.to_tz(lookup_tzid=False)
    [vevent] = Calendar.from_ical(data).walk("VEVENT")
    wall_clock = vevent["DTSTART"].dt.replace(tzinfo=None)
    assert wall_clock.replace(tzinfo=from_file).astimezone(UTC) == starts
    # Only the rules around the event's date, not every change since 1970: a few observances, a small file.
    assert len(zone.subcomponents) <= 6 and len(data) < 2500
