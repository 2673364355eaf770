"""The letter editor: default wording shown, unknown placeholders refused with their name next to the field,
images refused, preview with a real attendee (escaped), save, reset; nothing changes until a letter is saved."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from eventapp.letters import service as letters
from eventapp.letters.kinds import KINDS
from eventapp.models import LetterTemplate, Registration

from ..conftest import log_in


@pytest.fixture
def admin_client(app, staff):
    client = app.test_client()
    log_in(client, staff("admin"))
    return client


def _url(event, kind="confirmed"):
    return f"/organiser/events/{event.slug}/letters/{kind}"


def _first(db, event) -> Registration:
    return db.session.execute(select(Registration).where(Registration.event_id == event.id)
                              .order_by(Registration.id)).scalars().first()


def test_the_list_and_the_default_wording(admin_client, demo_event):
    listing = admin_client.get(f"/organiser/events/{demo_event.slug}/letters").get_data(as_text=True)
    for kind in KINDS.values():
        assert kind.label in listing
    page = admin_client.get(_url(demo_event, "offer"))
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "the built-in letter is sent" in text and "{{ offer_deadline }}" in text
    assert admin_client.get(_url(demo_event, "no-such-letter")).status_code == 404


def test_an_unknown_placeholder_is_refused_with_its_name_next_to_the_field(admin_client, db, demo_event):
    response = admin_client.post(_url(demo_event), data={
        "subject": "Hello {{ nmae }}", "body_text": "Dear {{ name }}, {{ config.SECRET_KEY }} {{ 7*7 }}",
        "body_html": "", "save": "Save"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="subject-error"' in page and "Unknown placeholder: {{ nmae }}" in page
    assert 'id="body_text-error"' in page and "{{ config.SECRET_KEY }}, {{ 7*7 }}" in page
    assert db.session.execute(select(LetterTemplate)).first() is None  # nothing saved


def test_images_in_the_html_are_refused(admin_client, db, demo_event):
    response = admin_client.post(_url(demo_event), data={
        "subject": "Hi", "body_text": "Dear {{ name }}",
        "body_html": '<p>Hi</p><img src="https://tracker.example.com/pixel.gif">', "save": "Save"})
    assert response.status_code == 400
    assert 'id="body_html-error"' in response.get_data(as_text=True)
    assert "cannot carry images" in response.get_data(as_text=True)
    assert db.session.execute(select(LetterTemplate)).first() is None


def test_preview_uses_a_real_attendee_and_escapes_their_data(admin_client, db, demo_event):
    person = _first(db, demo_event)
    person.full_name = 'Zoë <script>alert("x")</script> & Co'
    db.session.commit()
    response = admin_client.post(_url(demo_event) + f"?attendee={person.id}", data={
        "subject": "For {{ name }}", "body_text": "Dear {{ name }},\n\nYour link: {{ manage_link }}",
        "body_html": '<p>Dear <strong>{{ name }}</strong>, <a href="{{ manage_link }}">your page</a></p>'
                     '<script>alert(1)</script>', "preview": "Preview"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "not saved" in page
    assert "<script>alert" not in page  # neither the attendee's name nor the organiser's markup runs
    assert "Zoë &lt;script&gt;alert(" in page  # shown as text, in the plain text and the HTML previews
    assert f"/manage/{person.manage_secret}" in page
    assert db.session.execute(select(LetterTemplate)).first() is None  # a preview saves nothing


def test_save_then_reset(admin_client, db, demo_event):
    saved = admin_client.post(_url(demo_event), data={
        "subject": "Welcome to {{ event }}", "body_text": "Dear {{ name }}, see you at {{ venue }}.",
        "body_html": "", "save": "Save"})
    assert saved.status_code == 303
    template = db.session.execute(select(LetterTemplate)).scalar_one()
    assert (template.kind, template.subject) == ("confirmed", "Welcome to {{ event }}")
    page = admin_client.get(_url(demo_event)).get_data(as_text=True)
    assert "own wording" in page and "Reset to the default" in page
    person = _first(db, demo_event)
    composed = letters.compose_for(letters.saved_letter(demo_event, "confirmed"), person)
    assert composed.subject == f"Welcome to {demo_event.name}"
    assert composed.text.startswith(f"Dear {person.full_name}, see you at {demo_event.venue}")
    assert admin_client.post(_url(demo_event) + "/reset").status_code == 303
    assert db.session.execute(select(LetterTemplate)).first() is None
    assert letters.compose_for(letters.saved_letter(demo_event, "confirmed"), person) is None
    assert "the built-in letter is sent" in admin_client.get(_url(demo_event)).get_data(as_text=True)


def test_the_html_version_is_sanitised_and_escaped(app, db, demo_event):
    person = _first(db, demo_event)
    person.full_name = '<img src="https://evil.example/x.png"> Bob'
    db.session.commit()
    letters.save(demo_event, "confirmed", "Hi {{ name }}", "Dear {{ name }}, {{ manage_link }}",
                 '<p onclick="x()">Dear {{ name }}</p><a href="{{ name }}">x</a><a href="javascript:alert(1)">y</a>')
    composed = letters.compose_for(letters.saved_letter(demo_event, "confirmed"), person)
    assert "<img" not in composed.html and "onclick" not in composed.html and "javascript:" not in composed.html
    assert "&lt;img src=" in composed.html
    assert composed.subject == 'Hi <img src="https://evil.example/x.png"> Bob'  # a subject is plain text
    from_text = letters.compose("S", "Dear {{ name }}\n\nLink: {{ manage_link }}", None, letters.context(person))
    assert "&lt;img" in from_text.html and "<img" not in from_text.html
    assert f'<a href="http://localhost/manage/{person.manage_secret}"' in from_text.html
