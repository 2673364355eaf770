"""Single-line fields (name, organisation, job title, e-mail) refuse line breaks, control characters and the bidi
controls that make a name display as something else, with a plain sentence next to the field and a 400, on the
registration form, the attendee's manage page and the organiser's edit page; nothing is saved."""

import re

import pytest

from eventapp.models import Registration

from ..conftest import log_in
from .helpers import form_data

LINE_BREAK = "This must fit on one line: please remove the line break."
BIDI = "This contains invisible characters that change the direction of the text. Please retype it without them."
CONTROL = "This contains characters that cannot be used here. Please retype it."

REFUSED = [
    pytest.param("\n", LINE_BREAK, id="LF"),
    pytest.param("\r", LINE_BREAK, id="CR"),
    pytest.param("\r\n", LINE_BREAK, id="CRLF"),
    pytest.param("\x0b", LINE_BREAK, id="VT"),
    pytest.param("\x0c", LINE_BREAK, id="FF"),
    pytest.param("\x85", LINE_BREAK, id="NEL"),
    pytest.param("\u2028", LINE_BREAK, id="LINE-SEPARATOR"),
    pytest.param("\u2029", LINE_BREAK, id="PARAGRAPH-SEPARATOR"),
    pytest.param("\u202a", BIDI, id="LRE"),
    pytest.param("\u202b", BIDI, id="RLE"),
    pytest.param("\u202c", BIDI, id="PDF"),
    pytest.param("\u202d", BIDI, id="LRO"),
    pytest.param("\u202e", BIDI, id="RLO"),
    pytest.param("\u2066", BIDI, id="LRI"),
    pytest.param("\u2067", BIDI, id="RLI"),
    pytest.param("\u2068", BIDI, id="FSI"),
    pytest.param("\u2069", BIDI, id="PDI"),
    pytest.param("\t", CONTROL, id="TAB"),
    pytest.param("\x00", CONTROL, id="NUL"),
    pytest.param("\x1b", CONTROL, id="ESC"),
    pytest.param("\x7f", CONTROL, id="DEL"),
    pytest.param("\x9b", CONTROL, id="CSI"),
]
FIELDS = ["full_name", "organisation", "job_title"]


def _error_next_to(body: str, field: str) -> str:
    found = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', body)
    return found.group(1) if found else ""


def _typed(field: str, character: str) -> str:
    return f"Ana{character}Lúcia" if field == "full_name" else f"Ministry{character}of Planning"


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("character, sentence", REFUSED)
def test_the_registration_form_refuses_it(client, demo_event, db, field, character, sentence):
    before = db.session.query(Registration).count()
    response = client.post(f"/events/{demo_event.slug}/register",
                           data=form_data(demo_event, **{field: _typed(field, character)}))
    assert response.status_code == 400
    assert _error_next_to(response.get_data(as_text=True), field) == sentence
    assert db.session.query(Registration).count() == before


@pytest.mark.parametrize("character, sentence", REFUSED)
def test_the_email_field_refuses_it(client, demo_event, db, character, sentence):
    response = client.post(f"/events/{demo_event.slug}/register",
                           data=form_data(demo_event, email=f"ana{character}@example.org"))
    assert response.status_code == 400
    assert _error_next_to(response.get_data(as_text=True), "email") == sentence


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("character, sentence", [REFUSED[0], REFUSED[6], REFUSED[12], REFUSED[14]])
def test_the_manage_page_refuses_it(client, demo_event, db, field, character, sentence):
    registration = db.session.query(Registration).first()
    before = (registration.full_name, registration.organisation_id, registration.job_title)
    response = client.post(f"/manage/{registration.manage_secret}",
                           data=form_data(demo_event, email=registration.email, **{field: _typed(field, character)}))
    assert response.status_code == 400
    assert _error_next_to(response.get_data(as_text=True), field) == sentence
    db.session.expire_all()
    assert (registration.full_name, registration.organisation_id, registration.job_title) == before


@pytest.mark.parametrize("field", FIELDS)
def test_the_organisers_edit_page_refuses_it(client, demo_event, db, staff, field):
    registration = db.session.query(Registration).first()
    log_in(client, staff("admin"))
    response = client.post(f"/organiser/events/{demo_event.slug}/registrations/{registration.id}",
                           data=form_data(demo_event, email=registration.email, **{field: _typed(field, "\u202e")}))
    assert response.status_code == 400
    assert _error_next_to(response.get_data(as_text=True), field) == BIDI


@pytest.mark.parametrize("name", [
    "زينب الجبوري", "\u200fزينب\u200f", "Zoë d'Arcy-Łukasz", "王芳", "O\u0301lafur",  # marks and combining accents
])
def test_names_people_have_are_still_taken(client, demo_event, db, name):
    response = client.post(f"/events/{demo_event.slug}/register",
                           data=form_data(demo_event, full_name=name, email="named@example.org"))
    assert response.status_code in (302, 303)
    assert db.session.query(Registration).filter_by(email="named@example.org").one().full_name == name


def test_multi_line_fields_keep_their_line_breaks(client, demo_event, db):
    response = client.post(f"/events/{demo_event.slug}/register", data=form_data(
        demo_event, email="lines@example.org", accessibility_needs="Step-free access\r\nA seat near the front"))
    assert response.status_code in (302, 303)
    saved = db.session.query(Registration).filter_by(email="lines@example.org").one().accessibility_needs
    assert saved.splitlines() == ["Step-free access", "A seat near the front"]
