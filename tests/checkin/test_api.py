"""POST /api/events/<slug>/checkin and the scanner page's JSON: who may call it, and what it answers."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import func, select

from eventapp.checkin import devices
from eventapp.extensions import db
from eventapp.models import CheckIn, ScanLog, ScannerDevice

from ..conftest import log_in
from .conftest import code_of, make_other_event


def _url(event, tail: str = "") -> str:
    return f"/api/events/{event.slug}/checkin{tail}"


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def _check_in_count() -> int:
    return db.session.execute(select(func.count()).select_from(CheckIn)).scalar_one()


def test_a_scanner_token_checks_in_and_is_recorded_as_the_device(app, demo_event, people, device_token):
    response = app.test_client().post(_url(demo_event), json={"code": code_of(people[0])}, headers=_bearer(device_token))
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    assert body["result"] == "ok" and body["attendee"]["name"] == people[0].full_name
    assert body["checked_in_by"] == "Door phone 1"
    row = db.session.get(CheckIn, body["check_in_id"])
    assert row.scanner_device_id is not None and row.staff_user_id is None
    assert response.headers["Cache-Control"] == "no-store"


def test_only_the_tokens_hash_is_stored(app, demo_event, device_token):
    assert device_token.startswith("eacs_") and len(device_token) >= 5 + 43  # 256 bits, url-safe base64
    stored = db.session.execute(select(ScannerDevice.token_hash)).scalar_one()
    assert stored == hashlib.sha256(device_token.encode()).hexdigest()
    assert device_token not in stored


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer"}, {"Authorization": "Bearer nope"}, {"Authorization": "Bearer eacs_" + "A" * 43}],
    ids=["none", "empty", "wrong", "well-formed-but-unknown"],
)
def test_missing_or_wrong_credentials_get_401_json(app, demo_event, people, headers):
    response = app.test_client().post(_url(demo_event), json={"code": code_of(people[0])}, headers=headers)
    assert response.status_code == 401 and response.is_json
    assert response.get_json()["error"] in {"login_required", "invalid_token"}
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert _check_in_count() == 0


def test_a_revoked_token_gets_401_at_once(app, demo_event, people, device_token):
    client = app.test_client()
    assert client.post(_url(demo_event), json={"code": code_of(people[0])}, headers=_bearer(device_token)).status_code == 200
    device_id = db.session.execute(select(ScannerDevice.id)).scalar_one()
    devices.revoke_device(demo_event, device_id)
    response = client.post(_url(demo_event), json={"code": code_of(people[1])}, headers=_bearer(device_token))
    assert response.status_code == 401 and response.get_json()["error"] == "invalid_token"
    assert _check_in_count() == 1


def test_a_token_works_only_for_its_own_event(app, demo_event, people, staff):
    other, stranger = make_other_event()
    token = devices.issue_device(other, "Other door", staff("admin")).token
    response = app.test_client().post(_url(demo_event), json={"code": code_of(people[0])}, headers=_bearer(token))
    assert response.status_code == 403 and response.get_json()["error"] == "other_event"


def test_a_token_is_limited_to_check_in(app, demo_event, device_token):
    client = app.test_client()
    for method, tail in [("GET", "/search?q=a"), ("GET", "/counts"), ("POST", "/1/undo")]:
        response = client.open(_url(demo_event, tail), method=method, headers=_bearer(device_token))
        assert response.status_code == 401, tail
        assert response.get_json()["error"] == "token_not_accepted"
    assert client.get(f"/organiser/events/{demo_event.slug}/checkin", headers=_bearer(device_token)).status_code == 302


def test_a_token_cannot_check_in_by_registration_id(app, demo_event, people, device_token):
    response = app.test_client().post(
        _url(demo_event), json={"registration": people[0].id}, headers=_bearer(device_token)
    )
    assert response.status_code == 400 and _check_in_count() == 0


def test_a_report_editor_cannot_check_in(app, demo_event, people, staff):
    editor = staff("report_editor", organisation=demo_event.themed_sessions[0].lead_organisation)
    client = app.test_client()
    log_in(client, editor)
    response = client.post(_url(demo_event), json={"code": code_of(people[0])})
    assert response.status_code == 403 and response.get_json()["error"] == "forbidden"
    assert client.get(f"/organiser/events/{demo_event.slug}/checkin").status_code == 403
    assert _check_in_count() == 0


def test_staff_check_in_answers_the_fixed_codes(app, demo_event, people, scanner_client):
    first = scanner_client.post(_url(demo_event), json={"code": code_of(people[0]), "device": "Door A"})
    second = scanner_client.post(_url(demo_event), json={"code": code_of(people[0])})
    assert first.get_json()["result"] == "ok"
    assert second.get_json()["result"] == "already_checked_in"
    assert second.get_json()["checked_in_by"] == "Sam (Door A)"
    assert scanner_client.post(_url(demo_event), json={"code": "nope"}).get_json()["result"] == "unknown_code"


def test_session_and_search_check_in_through_the_api(app, demo_event, people, scanner_client):
    session = demo_event.themed_sessions[2]
    body = scanner_client.post(
        _url(demo_event), json={"code": code_of(people[1]), "session": session.id}
    ).get_json()
    assert body["result"] == "ok" and body["session"]["id"] == session.id
    body = scanner_client.post(_url(demo_event), json={"registration": people[2].id}).get_json()
    assert body["result"] == "ok"
    assert db.session.get(CheckIn, body["check_in_id"]).method == "search"
    unknown = scanner_client.post(_url(demo_event), json={"code": code_of(people[1]), "session": 999_999})
    assert unknown.status_code == 400 and unknown.get_json()["error"] == "unknown_session"


def test_a_retry_with_the_same_nonce_never_double_counts(app, demo_event, people, device_token):
    client = app.test_client()
    payload = {"code": code_of(people[3]), "nonce": "5f0e6c1c-retry"}
    first = client.post(_url(demo_event), json=payload, headers=_bearer(device_token)).get_json()
    again = client.post(_url(demo_event), json=payload, headers=_bearer(device_token)).get_json()
    assert first["result"] == again["result"] == "ok" and again["replayed"] is True
    assert _check_in_count() == 1
    assert db.session.execute(select(func.count()).select_from(ScanLog)).scalar_one() == 1


@pytest.mark.parametrize(
    "payload",
    [None, [], "EA1:x", {"code": 12}, {"code": None}, {"code": "x", "session": "door"}, {"code": "x", "session": True},
     {"code": "x", "nonce": ""}, {"code": "x", "nonce": "n" * 65}, {"code": "x", "nonce": "caf\u00e9"},
     {"code": "x", "method": "telepathy"}, {"code": "x", "device": 5}],
)
def test_malformed_requests_get_400_json_not_500(app, demo_event, scanner_client, payload):
    response = scanner_client.post(_url(demo_event), json=payload)
    assert response.status_code == 400 and response.get_json()["error"] == "bad_request"


def test_a_body_that_is_not_json_gets_400(app, demo_event, scanner_client):
    response = scanner_client.post(_url(demo_event), data=b"\xff\xfe garbage", content_type="application/json")
    assert response.status_code == 400 and response.is_json


def test_an_oversized_request_gets_413(app, demo_event, scanner_client):
    response = scanner_client.post(_url(demo_event), json={"code": "x" * 300_000})
    assert response.status_code == 413 and response.is_json


def test_unknown_event_is_404_json(app, scanner_client):
    response = scanner_client.post("/api/events/nope/checkin", json={"code": "x"})
    assert response.status_code == 404 and response.is_json


def test_a_browser_without_login_is_sent_to_log_in(app, demo_event):
    response = app.test_client().post(_url(demo_event))
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_logged_in_staff_must_send_the_csrf_header_but_a_token_need_not(make_app, demo_event, people, staff):
    from eventapp.extensions import db as ext_db

    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        user = staff("checkin")
        token = devices.issue_device(ext_db.session.merge(demo_event), "Door", None).token
        client = app.test_client()
        login_page = client.get("/login").get_data(as_text=True)
        csrf_value = login_page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        assert client.post("/login", data={"email": user.email, "password": "correct horse battery",
                                           "csrf_token": csrf_value}).status_code == 302
        refused = client.post(_url(demo_event), json={"code": code_of(people[0])})
        assert refused.status_code == 400 and refused.get_json()["error"] == "csrf"
        page = client.get(f"/organiser/events/{demo_event.slug}/checkin").get_data(as_text=True)
        page_token = page.split('data-csrf="')[1].split('"')[0]
        accepted = client.post(_url(demo_event), json={"code": code_of(people[0])}, headers={"X-CSRFToken": page_token})
        assert accepted.status_code == 200 and accepted.get_json()["result"] == "ok"
        by_token = app.test_client().post(_url(demo_event), json={"code": code_of(people[1])}, headers=_bearer(token))
        assert by_token.status_code == 200 and by_token.get_json()["result"] == "ok"


def test_search_finds_by_name_or_organisation_and_shows_arrival(app, demo_event, people, scanner_client):
    person = people[4]
    scanner_client.post(_url(demo_event), json={"code": code_of(person)})
    by_name = scanner_client.get(_url(demo_event, "/search"), query_string={"q": person.full_name.split()[-1].upper()})
    hits = by_name.get_json()["results"]
    hit = next(h for h in hits if h["id"] == person.id)
    assert hit["checked_in_at_local"] and hit["status"] == "confirmed"
    org_words = person.organisation.name
    by_org = scanner_client.get(_url(demo_event, "/search"), query_string={"q": org_words}).get_json()["results"]
    assert person.id in {h["id"] for h in by_org}
    assert all("badge" not in key for h in by_org for key in h)  # never hands out badge secrets
    assert scanner_client.get(_url(demo_event, "/search"), query_string={"q": "%_%"}).get_json()["results"] == []
    assert scanner_client.get(_url(demo_event, "/search"), query_string={"q": "\x00"}).get_json()["results"] == []


def test_counts_are_arrived_over_expected_per_session(app, demo_event, people, scanner_client):
    session = demo_event.themed_sessions[0]
    scanner_client.post(_url(demo_event), json={"code": code_of(people[0])})
    scanner_client.post(_url(demo_event), json={"code": code_of(people[0]), "session": session.id})
    scanner_client.post(_url(demo_event), json={"code": code_of(people[1]), "session": session.id})
    counts = scanner_client.get(_url(demo_event, "/counts")).get_json()
    assert counts["arrived"] == 2 and counts["expected"] == 12 and counts["at_door"] == 1
    by_id = {s["id"]: s for s in counts["sessions"]}
    assert by_id[session.id]["arrived"] == 2
    assert sum(s["arrived"] for s in counts["sessions"]) == 2


def test_undo_through_the_api(app, demo_event, people, scanner_client):
    body = scanner_client.post(_url(demo_event), json={"code": code_of(people[5])}).get_json()
    undo = scanner_client.post(_url(demo_event, f"/{body['check_in_id']}/undo"))
    assert undo.status_code == 200 and undo.get_json()["result"] == "undone"
    assert scanner_client.post(_url(demo_event, f"/{body['check_in_id']}/undo")).status_code == 409
    assert scanner_client.post(_url(demo_event, "/999999/undo")).status_code == 404
    assert scanner_client.get(_url(demo_event, "/counts")).get_json()["arrived"] == 0
    again = scanner_client.post(_url(demo_event), json={"code": code_of(people[5])}).get_json()
    assert again["result"] == "ok"


def test_the_scanner_api_is_not_rate_limited_per_address(make_app, demo_event, people, device_token):
    # At the door rush every scanner of a venue can share one address; the calls are authenticated anyway.
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="2 per minute")
    client = app.test_client()
    with app.app_context():
        for i in range(30):
            response = client.post(_url(demo_event), json={"code": f"junk-{i}"}, headers=_bearer(device_token))
            assert response.status_code == 200, i
        assert [client.post("/login", data={}).status_code for _ in range(3)][-1] == 429  # limits are on


def test_a_scanner_token_gets_every_answer_the_staff_page_gets(app, demo_event, people, device_token):
    # A token request reads the badge's registration in the same statement as the token (devices.py): the
    # answers must be those of the service's own lookup.
    from eventapp.models import RegistrationStatus, ReplacedBadge
    from eventapp.tokens import badge_code, new_badge_secret

    people[1].status = RegistrationStatus.CANCELLED
    people[2].status = RegistrationStatus.WAITLISTED
    old_secret = people[3].badge_secret
    db.session.add(ReplacedBadge(registration_id=people[3].id, badge_secret=old_secret))
    people[3].badge_secret = new_badge_secret()
    db.session.commit()
    _, stranger = make_other_event()
    client = app.test_client()

    def scan(code, **extra):
        return client.post(_url(demo_event), json={"code": code, **extra}, headers=_bearer(device_token)).get_json()

    first = scan(code_of(people[0]))
    assert first["result"] == "ok" and first["attendee"]["name"] == people[0].full_name
    assert db.session.get(CheckIn, first["check_in_id"]).scanner_device_id is not None
    again = scan(code_of(people[0]).lower())  # a scanner may send the code in lower case
    assert again["result"] == "already_checked_in" and again["checked_in_by"] == "Door phone 1"
    assert again["earlier_check_in_id"] == first["check_in_id"]
    assert scan(code_of(people[1]))["result"] == "cancelled"
    assert scan(code_of(people[2]))["result"] == "waitlisted"
    assert scan(badge_code(old_secret))["result"] == "badge_replaced"
    assert scan(code_of(people[3]))["result"] == "ok"
    other = scan(code_of(stranger))
    assert other["result"] == "not_this_event" and other["attendee"] is None
    assert scan("EA1:" + "0" * 26)["result"] == "unknown_code"
    session = demo_event.themed_sessions[0]
    at_session = scan(code_of(people[0]), session=session.id)
    assert at_session["result"] == "ok" and at_session["session"]["id"] == session.id
    assert _check_in_count() == 3
    assert db.session.execute(select(func.count()).select_from(ScanLog)).scalar_one() == 9
