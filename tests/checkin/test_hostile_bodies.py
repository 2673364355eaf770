"""The check-in API knows who calls before it reads what they sent, reads a bounded amount, and answers anything
it cannot parse with a JSON 400: nested too deep, not UTF-8, not an object, wrong types; too large is a 413,
also for a chunked body sent to a real server."""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from eventapp.checkin.api import MAX_REQUEST_BYTES
from eventapp.extensions import db
from eventapp.models import CheckIn, ScanLog

from .conftest import code_of

DEEP = b'{"code": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
UNKNOWN_TOKEN = "eacs_" + "A" * 43


def _url(event) -> str:
    return f"/api/events/{event.slug}/checkin"


def _rows(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.mark.parametrize("token", [None, "", "nope", UNKNOWN_TOKEN], ids=["none", "empty", "wrong", "unknown"])
def test_without_a_valid_token_the_body_is_never_parsed(app, demo_event, token):
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    response = app.test_client().post(_url(demo_event), data=DEEP, content_type="application/json", headers=headers)
    assert response.status_code == 401 and response.is_json
    assert response.get_json()["error"] in {"login_required", "invalid_token"}


@pytest.mark.parametrize(
    ("body", "sentence"),
    [
        (DEEP, "Send a JSON object"),
        (b"[" * 100_000, "Send a JSON object"),
        (b'{"code": "EA1:\xff\xfe"}', "UTF-8"),  # bad UTF-8
        ('{"code": "EA1:x"}'.encode("utf-16"), "UTF-8"),  # JSON, but not in UTF-8
        (b'{"code": "x", "session": ' + b"9" * 5_000 + b"}", "Send a JSON object"),  # beyond int()'s digits
        (b'{"code": "x", "session": 1e999}', '"session" must be a number'),
        (b'{"code": NaN}', '"code" must be'),
        (b'"EA1:x"', "Send a JSON object"),
        (b"", "Send a JSON object"),
        (b'{"code": ["EA1:x"]}', '"code" must be'),
        (b'{"code": "x", "nonce": {"a": 1}}', '"nonce" must be'),
        (b'{"code": "x", "method": ["scan"]}', '"method" must be'),
    ],
    ids=["nested-object", "nested-array", "bad-utf8", "utf16", "huge-int", "inf", "nan", "string", "empty", "list-code",
         "object-nonce", "list-method"],
)
def test_a_body_that_does_not_parse_is_a_json_400_with_a_sentence(app, demo_event, device_token, body, sentence):
    response = app.test_client().post(
        _url(demo_event), data=body, content_type="application/json",
        headers={"Authorization": f"Bearer {device_token}"},
    )
    assert response.status_code == 400 and response.is_json
    answer = response.get_json()
    assert answer["error"] == "bad_request" and sentence in answer["message"]
    assert _rows(CheckIn) == _rows(ScanLog) == 0


def test_a_logged_in_scanner_sending_deep_json_gets_400_too(app, demo_event, scanner_client):
    response = scanner_client.post(_url(demo_event), data=DEEP, content_type="application/json")
    assert response.status_code == 400 and response.get_json()["error"] == "bad_request"


def test_a_body_just_under_the_limit_is_read_and_one_over_is_413(app, demo_event, people, device_token):
    client = app.test_client()
    headers = {"Authorization": f"Bearer {device_token}"}
    padding = " " * (MAX_REQUEST_BYTES - len(json.dumps({"code": code_of(people[0])})))
    fits = json.dumps({"code": code_of(people[0])}) + padding
    assert len(fits) == MAX_REQUEST_BYTES
    assert client.post(_url(demo_event), data=fits, content_type="application/json",
                       headers=headers).get_json()["result"] == "ok"
    too_big = client.post(_url(demo_event), data=fits + " ", content_type="application/json", headers=headers)
    assert too_big.status_code == 413 and too_big.get_json() == {
        "error": "too_large", "message": "That request is too large to be a scan."}


def _post_chunked(base_url: str, path: str, chunks, headers: dict) -> tuple[int, dict]:
    """POST with Transfer-Encoding: chunked (no Content-Length) over a real socket; the status and JSON answer."""
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request("POST", path, body=iter(chunks), encode_chunked=True,
                           headers={"Content-Type": "application/json", **headers})
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def test_a_chunked_body_over_the_limit_gets_413_from_a_real_server(
    app, demo_event, people, device_token, server_url
):
    headers = {"Authorization": f"Bearer {device_token}"}
    # 1 MB of code, sent in 64 kB chunks: no Content-Length for a check of the header to see.
    big = [b'{"code": "', *([b"A" * 65_536] * 16), b'"}']
    status, answer = _post_chunked(server_url, _url(demo_event), big, headers)
    assert status == 413 and answer["error"] == "too_large"
    assert _rows(ScanLog) == 0
    # A chunked scan of the usual size is read and answered.
    small = [b'{"code": "', code_of(people[0]).encode(), b'"}']
    status, answer = _post_chunked(server_url, _url(demo_event), small, headers)
    assert status == 200 and answer["result"] == "ok"
