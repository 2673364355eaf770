"""Every whole number in a URL is read strictly and within bounds: a bad id in the path is a 404, a bad number in
the query string a 400 with a sentence; never a 500, never a Unicode digit read as a number."""

from __future__ import annotations

import re

import pytest
from werkzeug.routing import Map, Rule

from eventapp.url_numbers import MAX_ID, BoundedIntConverter, is_id

from ..conftest import log_in

# Every route with a number in its path: (method, rule with {slug} and {n}).
ID_ROUTES = [
    ("POST", "/api/events/{slug}/checkin/{n}/undo"),
    ("POST", "/organiser/events/{slug}/checkin/{n}/undo"),
    ("POST", "/organiser/events/{slug}/scanners/{n}/revoke"),
    ("GET", "/organiser/events/{slug}/registrations/{n}"),
    ("POST", "/organiser/events/{slug}/registrations/{n}"),
    ("POST", "/organiser/events/{slug}/registrations/{n}/cancel"),
    ("POST", "/organiser/events/{slug}/registrations/{n}/promote"),
    ("POST", "/organiser/events/{slug}/registrations/{n}/reissue-badge"),
    ("GET", "/organiser/events/{slug}/assignment/people/{n}"),
    ("POST", "/organiser/events/{slug}/assignment/people/{n}"),
    ("POST", "/organiser/events/{slug}/assignment/people/{n}/place"),
    ("POST", "/organiser/events/{slug}/assignment/people/{n}/unpin"),
    ("GET", "/organiser/events/{slug}/report/sessions/{n}"),
    ("POST", "/organiser/events/{slug}/report/sessions/{n}"),
    ("POST", "/organiser/events/{slug}/report/sessions/{n}/draft"),
    ("POST", "/organiser/events/{slug}/report/sessions/{n}/draft/discard"),
    ("GET", "/organiser/events/{slug}/report/sessions/{n}/revisions"),
    ("POST", "/organiser/events/{slug}/report/sessions/{n}/revisions/<int:version>/restore"),
    ("POST", "/organiser/events/{slug}/changes/{n}/mail"),
    ("GET", "/organiser/events/{slug}/messages/{n}"),
    ("POST", "/organiser/events/{slug}/partners/{n}/move"),
    ("POST", "/organiser/events/{slug}/partners/{n}/remove"),
    ("GET", "/organiser/events/{slug}/programme/sessions/{n}"),
    ("POST", "/organiser/events/{slug}/programme/sessions/{n}"),
    ("POST", "/organiser/events/{slug}/programme/sessions/{n}/move"),
    ("POST", "/organiser/events/{slug}/programme/sessions/{n}/remove"),
    ("GET", "/organiser/events/{slug}/programme/slots/{n}"),
    ("POST", "/organiser/events/{slug}/programme/slots/{n}"),
    ("POST", "/organiser/events/{slug}/programme/slots/{n}/remove"),
    ("GET", "/organiser/events/{slug}/survey/questions/{n}"),
    ("POST", "/organiser/events/{slug}/survey/questions/{n}"),
    ("POST", "/organiser/events/{slug}/survey/questions/{n}/change"),
    ("GET", "/organiser/events/{slug}/survey/sessions/{n}"),
    ("POST", "/organiser/events/{slug}/survey/sessions/{n}"),
    ("POST", "/organiser/events/{slug}/checkin/walk-in/{n}/badge.pdf"),
    ("GET", "/organiser/staff/{n}"),
    ("POST", "/organiser/staff/{n}"),
    ("POST", "/organiser/staff/{n}/active"),
]
BAD_IDS = {
    "beyond-64-bits": "99999999999999999999",
    "beyond-64-bits-long": "9" * 40,
    "2**63": str(2**63),
    "beyond-postgres-integer": str(MAX_ID + 1),
    "superscript-two": "\u00b2",
    "arabic-indic-three": "\u0663",
    "fullwidth-one": "\uff11",
    "zero": "0",
    "leading-zero": "01",
    "negative": "-1",
    "exponent": "1e3",
    "plus": "+1",
}
# Every page with a number in its query string: (method, path, argument, largest).
QUERY_ROUTES = [
    ("GET", "/organiser/events/{slug}/checkin/log", "page", 1_000_000),
    ("POST", "/organiser/events/{slug}/checkin/1/undo", "page", 1_000_000),
    ("GET", "/organiser/events/{slug}/registrations", "page", 1_000_000),
    ("GET", "/organiser/events/{slug}/waitlist", "page", 1_000_000),
    ("GET", "/organiser/events/{slug}/partners", "edit", MAX_ID),  # the partner whose form is filled in
]
BAD_NUMBERS = {
    "superscript-two": "\u00b2",
    "arabic-indic-three": "\u0663",
    "beyond-64-bits": "99999999999999999999",
    "beyond-the-last-page-we-serve": "1000001",  # replaced per route by its own largest + 1
    "zero": "0",
    "negative": "-1",
    "fraction": "1.5",
    "words": "two",
    "spaces": " 2 ",
}


@pytest.fixture
def admin_client(app, staff):
    client = app.test_client()
    assert log_in(client, staff("admin")).status_code == 302
    return client


@pytest.mark.parametrize(("method", "rule"), ID_ROUTES, ids=[f"{m} {r}" for m, r in ID_ROUTES])
def test_a_bad_id_in_the_path_is_404(admin_client, demo_event, method, rule):
    for case, value in BAD_IDS.items():
        response = admin_client.open(rule.format(slug=demo_event.slug, n=value), method=method)
        assert response.status_code == 404, (case, response.get_data(as_text=True)[:300])
        if rule.startswith("/api/"):
            assert response.is_json and response.get_json()["error"] == "not_found", case
        else:
            assert "There is no page at this address" in response.get_data(as_text=True), case


def test_the_table_names_every_route_with_a_number_in_its_path(app):
    numbered = {
        (method, rule.rule.replace("<slug>", "{slug}").split("<int:")[0] + "{n}" + rule.rule.split(">", 2)[-1])
        for rule in app.url_map.iter_rules() if "<int:" in rule.rule
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert numbered == set(ID_ROUTES)


def test_the_apps_int_is_the_bounded_converter(app):
    assert app.url_map.converters["int"] is BoundedIntConverter


def test_a_real_id_still_reaches_its_page(admin_client, demo_event):
    from sqlalchemy import select

    from eventapp.extensions import db
    from eventapp.models import Registration

    first = db.session.execute(select(Registration.id).order_by(Registration.id)).scalars().first()
    assert admin_client.get(f"/organiser/events/{demo_event.slug}/registrations/{first}").status_code == 200
    assert admin_client.get(f"/organiser/events/{demo_event.slug}/registrations/{MAX_ID}").status_code == 404


@pytest.mark.parametrize(("method", "path", "name", "largest"), QUERY_ROUTES,
                         ids=[f"{m} {p}" for m, p, _, _ in QUERY_ROUTES])
def test_a_bad_number_in_the_query_is_400_with_a_sentence(admin_client, demo_event, method, path, name, largest):
    sentence = f"\u201c{name}\u201d in this address must be a whole number from 1 to {largest}."
    bad = {**BAD_NUMBERS, "beyond-the-largest": str(largest + 1)}
    bad.pop("beyond-the-last-page-we-serve")
    for case, value in bad.items():
        response = admin_client.open(path.format(slug=demo_event.slug), method=method, query_string={name: value})
        assert response.status_code == 400, (case, response.get_data(as_text=True)[:300])
        assert sentence in response.get_data(as_text=True), case


@pytest.mark.parametrize(("method", "path", "name", "largest"), QUERY_ROUTES,
                         ids=[f"{m} {p}" for m, p, _, _ in QUERY_ROUTES])
def test_a_good_or_missing_number_in_the_query_is_read(admin_client, demo_event, method, path, name, largest):
    url = path.format(slug=demo_event.slug)
    ok = {"GET": 200, "POST": 302}[method]
    assert admin_client.open(url, method=method, query_string={name: "2"}).status_code == ok
    assert admin_client.open(url, method=method, query_string={name: ""}).status_code == ok
    assert admin_client.open(url, method=method).status_code == ok


def test_the_converter_refuses_negative_ids_outright():
    with pytest.raises(ValueError):
        Map([Rule("/<int(signed=True):n>")], converters={"int": BoundedIntConverter})


def test_no_view_reads_a_query_number_past_int_arg():
    from pathlib import Path

    package = Path(__file__).resolve().parents[2] / "eventapp"
    offenders = [
        str(path.relative_to(package)) for path in package.rglob("*.py") if path.name != "url_numbers.py"
        and re.search(r"request\.args\.get\([^)]*type=int|request\.args[^\n]*\.isdigit\(\)|int\(request\.args",
                      path.read_text())
    ]
    assert not offenders, f"read query numbers with eventapp.url_numbers.int_arg: {offenders}"


@pytest.mark.parametrize(("value", "could_be_an_id"), [
    (1, True), (MAX_ID, True), (0, False), (-1, False), (MAX_ID + 1, False), (2**63, False),
])
def test_is_id_is_the_one_range_check_of_ids(value, could_be_an_id):
    assert is_id(value) is could_be_an_id
