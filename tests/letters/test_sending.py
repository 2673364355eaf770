"""Each editable letter, edited, goes through the real SMTP test server with its plain text and HTML versions (the
attendee's data escaped in the HTML, no image), its attachments as before; unedited, it is the built-in letter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import current_app
from sqlalchemy import select

from eventapp.assignment import service as assignment
from eventapp.events import changes, editing
from eventapp.extensions import db
from eventapp.letters import service as letters
from eventapp.mail.service import deliver_pending
from eventapp.models import ProgrammeChange, Registration, RegistrationStatus
from eventapp.registration import service as registrations
from eventapp.registration.import_apply import apply_plan
from eventapp.registration.import_file import read_attendee_file
from eventapp.registration.import_plan import plan_import

from ..imports.helpers import csv_bytes, person
from ..registration.helpers import form_data, registration_by_email

HOSTILE = 'Zoë <b onmouseover="x()">Bold</b> & Co'



@pytest.fixture
def event(make_app, smtp):
    from eventapp.demo.service import seed_demo

    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, PUBLIC_BASE_URL="https://events.example.org")
    with app.app_context():
        event = seed_demo(attendees=6).event
        deliver_pending()
        smtp.handler.received.clear()
        yield event


def _confirmed(event) -> list[Registration]:
    return list(db.session.execute(select(Registration).where(
        Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)
        .order_by(Registration.id)).scalars())


def _edit(event, kind):
    letters.save(event, kind, f"custom {kind} for {{{{ name }}}}",
                 "Dear {{ name }},\nsession {{ session }} in {{ room }} at {{ time }}\nchange: {{ change }}\n"
                 "deadline: {{ offer_deadline }}\nlink: {{ manage_link }}\n")


def _register(event, client, **overrides):
    response = client.post(f"/events/{event.slug}/register", data=form_data(event, **overrides))
    assert response.status_code == 303


def trigger_confirmed(event, client):
    _register(event, client, full_name=HOSTILE, email="zoe@example.org")
    return registration_by_email("zoe@example.org")


def trigger_waitlisted(event, client):
    event.capacity = len(_confirmed(event))
    db.session.commit()
    return trigger_confirmed(event, client)


def trigger_offer(event, client):
    waiting = trigger_waitlisted(event, client)
    registrations.cancel(_confirmed(event)[0])
    return waiting


def _rename_first(event) -> Registration:
    person = _confirmed(event)[0]
    person.full_name = HOSTILE
    db.session.commit()
    return person


def trigger_assignment(event, client):
    person = _rename_first(event)
    assignment.apply(event)
    assignment.publish(event)
    return person


def trigger_programme_change(event, client):
    assignment.apply(event)
    assignment.publish(event)
    person = _rename_first(event)
    session = next(a.themed_session for a in person.assignments)
    editing.save_session(event, session.id, session.title, session.lead_organisation_id, session.time_slot_id,
                         session.capacity, "The Library", session.description)
    change = db.session.execute(select(ProgrammeChange)).scalar_one()
    changes.mail_change(event, change.id)
    return person


def trigger_reminder(event, client):
    person = _rename_first(event)
    event.reminder_days = 3
    event.starts_at = datetime.now(UTC) + timedelta(days=2)
    event.ends_at = event.starts_at + timedelta(hours=8)
    db.session.execute(Registration.__table__.update().values(created_at=datetime.now(UTC) - timedelta(days=30)))
    db.session.commit()
    return person


def trigger_invitation(event, client):
    """An invited guest brought in by the attendee import, with a place: their letter is the invitation."""
    attendees = read_attendee_file("guests.csv", csv_bytes([person(1, name=HOSTILE, email="guest@example.org",
                                                                   country="GB", preferences="1")]))
    result = apply_plan(event, plan_import(event, attendees))
    assert result.confirmed == 1, result.outcomes
    return registration_by_email("guest@example.org")


@pytest.mark.parametrize("kind", ["confirmed", "waitlisted", "offer", "assignment", "programme_change", "reminder",
                                  "invitation"])
def test_an_edited_letter_goes_out_in_text_and_html(event, smtp, kind):
    _edit(event, kind)
    client = current_app.test_client()
    person = globals()[f"trigger_{kind}"](event, client)
    deliver_pending()
    mine = [r.message for r in smtp.received if r.message["Subject"] == f"custom {kind} for {HOSTILE}"]
    assert len(mine) == 1, [r.message["Subject"] for r in smtp.received]
    message = mine[0]
    assert message["Subject"] == f"custom {kind} for {HOSTILE}"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert text.startswith(f"Dear {HOSTILE},")
    assert f"https://events.example.org/manage/{person.manage_secret}" in text
    assert 'Zoë &lt;b onmouseover="x()"&gt;Bold&lt;/b&gt; &amp; Co' in html  # text, not markup
    assert "<b onmouseover" not in html and "<img" not in html.lower()
    assert f'href="https://events.example.org/manage/{person.manage_secret}"' in html
    if kind in ("assignment", "programme_change"):
        session = sorted(person.assignments, key=lambda a: a.themed_session.time_slot.starts_at)[0].themed_session
        assert f"session {session.title}" in text and "(Europe/London)" in text
    if kind == "programme_change":
        assert "change: Room: " in text and "The Library" in text
    if kind == "offer":
        db.session.refresh(person)
        assert "deadline: " in text and f"({event.timezone})" in text.split("deadline: ")[1].splitlines()[0]
    attachments = {p.get_content_type() for p in message.iter_attachments()}
    if kind in ("confirmed", "assignment", "programme_change", "reminder"):
        assert "text/calendar" in attachments  # the calendar follows the letter's kind, edited or not


def test_unedited_letters_are_the_built_in_ones(event, smtp):
    client = current_app.test_client()
    _register(event, client, email="plain@example.org")
    deliver_pending()
    [received] = smtp.received
    message = received.message
    assert message["Subject"] == f"Your place at {event.name} is confirmed"
    assert message.get_body(("html",)) is None  # no HTML part: exactly as before
    assert "Your place at" in message.get_body(("plain",)).get_content()
