"""The public side: the home page lists published events, upcoming first, each with its Register button; the event
page leads to the form in one click and shows each session's time and room, convenors, venue and map; the privacy
page is the event's own; the manage page shows the attendee's session's time and room."""

import re
from datetime import timedelta

from sqlalchemy import select

from eventapp.assignment import service as assignment
from eventapp.events import editing, lifecycle
from eventapp.models import EventState, Registration, utcnow

from ..events.conftest import import_text


def _past_event(db, nairobi_text):
    event = import_text(nairobi_text.replace("2027", "2021").replace("2026", "2020")).event
    event.state = EventState.FINISHED
    db.session.commit()
    return event


def test_home_lists_published_events_upcoming_first_with_register(app, db, client, demo_event, nairobi_text):
    past = _past_event(db, nairobi_text.replace("nairobi-forum-2027", "nairobi-forum-2021"))
    draft = import_text(nairobi_text.replace("Nairobi Forum on", "Draft Forum on")).event
    body = client.get("/").get_data(as_text=True)
    assert draft.name not in body
    coming, gone = body.index("Coming up"), body.index("Past events")
    assert coming < body.index(demo_event.name) < gone < body.index(past.name)
    register = f'href="/events/{demo_event.slug}/register">Register'
    assert register in body
    assert f"/events/{past.slug}/register" not in body  # nothing to register for in the past
    assert "Central London" in body and demo_event.starts_at.strftime("%Y") in body


def test_a_full_event_says_join_the_waiting_list(app, db, client, demo_event):
    editing.save_settings(demo_event, {**{n: getattr(demo_event, n) for n in (
        "name", "short_name", "tagline", "summary", "opening", "timezone", "venue", "venue_address",
        "waitlist_offer_hours", "privacy_controller", "privacy_contact", "privacy_retention_months",
        "registration_opens_at", "registration_closes_at")}, "slug": demo_event.slug, "capacity": 12,
        "starts_at": demo_event.starts_at, "ends_at": demo_event.ends_at})
    for url in ("/", f"/events/{demo_event.slug}"):
        body = client.get(url).get_data(as_text=True)
        assert re.search(rf'href="/events/{demo_event.slug}/register">Join the waiting list', body), url


def test_the_event_page_leads_to_the_form_and_shows_the_programme(app, db, client, demo_event):
    demo_event.venue_address = "1 Example Street, London"
    db.session.commit()
    page = client.get(f"/events/{demo_event.slug}")
    body = page.get_data(as_text=True)
    register = re.search(rf'<a class="button big" href="(/events/{demo_event.slug}/register)">Register', body)
    assert register and client.get(register.group(1)).status_code == 200
    for session in demo_event.themed_sessions:
        assert session.title.replace("'", "&#39;") in body
        assert f"11:00–12:30 · {session.room}" in body
    assert "Global Partners Governance (GPG)</strong>: A social purpose company" in body
    assert ('href="https://www.openstreetmap.org/search?query=Central+London%2C+1+Example+Street%2C+London"'
            in body)
    assert "Opened by the Minister of State" in body


def test_the_description_is_markdown_made_safe(app, db, client, demo_event):
    demo_event.summary = "A *fine* day.\n\n<script>alert(1)</script> [link](javascript:alert(1))"
    db.session.commit()
    body = client.get(f"/events/{demo_event.slug}").get_data(as_text=True)
    assert "<em>fine</em>" in body and "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body
    assert 'href="javascript' not in body
    assert 'href="javascript' not in body


def test_the_privacy_page_is_built_from_the_events_own_data(app, db, client, nairobi_text):
    event = import_text(nairobi_text).event
    lifecycle.take_step(event, "publish")
    body = client.get(f"/events/{event.slug}/privacy").get_data(as_text=True)
    assert "<dt>Data controller</dt>\n  <dd>Kenya School of Government</dd>" in body
    assert 'href="mailto:privacy@ksg.example"' in body
    assert "12 months after the event (15 June 2027), then deleted." in body


def test_the_manage_page_shows_the_sessions_time_and_room(app, db, client, demo_event):
    assignment.apply(demo_event)
    assignment.publish(demo_event)
    registration = db.session.execute(select(Registration).where(Registration.assignments.any())).scalars().first()
    session = registration.assignments[0].themed_session
    body = client.get(f"/manage/{registration.manage_secret}").get_data(as_text=True)
    assert f"11:00–12:30</span> (Europe/London) · {session.time_slot.label} · Room: {session.room}" in body


def test_registration_opening_later_is_said_instead_of_a_button(app, db, client, demo_event):
    demo_event.registration_opens_at = utcnow() + timedelta(days=3)
    db.session.commit()
    body = client.get("/").get_data(as_text=True)
    assert "Registration opens" in body and f"/events/{demo_event.slug}/register" not in body
