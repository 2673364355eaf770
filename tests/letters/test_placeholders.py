"""The fixed set of letter placeholders: found, refused when unknown, filled in (escaped in HTML), from real data."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from eventapp.mail.placeholders import PLACEHOLDERS, context_for, render, unknown_placeholders
from eventapp.models import Assignment, Registration, RegistrationStatus, utcnow


@pytest.mark.parametrize("text, unknown", [
    ("Dear {{ name }}, see you at {{event}} in {{  room }}.", []),
    ("Dear {{ nmae }}, {{ name }} {{ nmae }}", ["nmae"]),
    ("{{ config }} {{ registration.email }} {{ 7*7 }}", ["config", "registration.email", "7*7"]),
    ("{{ }}", [""]),
    ("No placeholders, {single} braces and {% raw %} are plain text.", []),
])
def test_unknown_placeholders_are_named(text, unknown):
    assert unknown_placeholders(text) == unknown


def test_render_replaces_only_known_names_and_never_runs_jinja():
    context = {"name": "Ada", "event": "Summit"}
    assert render("Hi {{name}} at {{ event }}; {{ session }}.", context) == "Hi Ada at Summit; ."
    # Not a template: expressions and unknown names are left exactly as written, nothing is evaluated.
    assert render("{{ 7*7 }} {{ config }} {% if 1 %}x{% endif %}", context) == \
        "{{ 7*7 }} {{ config }} {% if 1 %}x{% endif %}"


def test_html_render_escapes_values():
    context = {"name": '<script>alert("x")</script> & Co', "event": "E"}
    html = render("<p>Dear {{ name }}</p>", context, html=True)
    assert html == "<p>Dear &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co</p>"
    assert render("Dear {{ name }}", context) == 'Dear <script>alert("x")</script> & Co'


def test_context_for_a_real_attendee_uses_the_event_zone(app, db, demo_event):
    registration = db.session.execute(select(Registration).where(
        Registration.event_id == demo_event.id, Registration.status == RegistrationStatus.CONFIRMED)
        .order_by(Registration.id)).scalars().first()
    demo_event.timezone = "America/New_York"  # not UTC, so a time left in UTC would show
    db.session.commit()
    before = context_for(registration)
    assert set(before) == set(PLACEHOLDERS)
    assert before["name"] == registration.full_name and before["event"] == demo_event.name
    assert before["session"] == "to be announced"
    local_start = demo_event.starts_at.astimezone(ZoneInfo(demo_event.timezone))
    assert before["time"].startswith(local_start.strftime("%A %d %B %Y, %H:%M"))
    assert local_start.utcoffset().total_seconds() != 0
    assert before["manage_link"].endswith(f"/manage/{registration.manage_secret}")
    assert before["badge_link"].endswith(f"/manage/{registration.manage_secret}/badge.pdf")

    session = demo_event.themed_sessions[0]
    db.session.add(Assignment(registration_id=registration.id, themed_session_id=session.id,
                              time_slot_id=session.time_slot_id, method="manual"))
    demo_event.assignment_published_at = utcnow()
    db.session.commit()
    db.session.refresh(registration)
    after = context_for(registration)
    assert after["session"] == session.title
    assert after["room"] == (session.room or "to be announced")
    slot_start = session.time_slot.starts_at.astimezone(ZoneInfo(demo_event.timezone))
    assert after["time"].startswith(slot_start.strftime("%A %d %B %Y, %H:%M"))
    assert demo_event.timezone in after["time"]
