"""Scanners at the same moment, against a real server: one ok, the rest already_checked_in, never two check-ins."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request

from sqlalchemy import func, select

from eventapp.checkin import devices
from eventapp.extensions import db
from eventapp.models import CheckIn, ScanLog

from .conftest import code_of


def _post(url: str, token: str, payload: dict) -> dict:
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode(), method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:  # pragma: no cover - the assertion below shows the body
        return {"status": error.code, "body": error.read().decode(errors="replace")}


def _at_once(url: str, tokens: list[str], payloads: list[dict]) -> list[dict]:
    barrier = threading.Barrier(len(tokens))
    answers: list[dict | None] = [None] * len(tokens)

    def scan(i: int) -> None:
        barrier.wait()
        answers[i] = _post(url, tokens[i], payloads[i])

    threads = [threading.Thread(target=scan, args=(i,)) for i in range(len(tokens))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return answers


def _tokens(demo_event, staff, n: int) -> list[str]:
    admin = staff("admin")
    return [devices.issue_device(demo_event, f"Scanner {i}", admin).token for i in range(n)]


def _live_door_check_ins(registration_id: int) -> int:
    return db.session.execute(
        select(func.count()).select_from(CheckIn).where(
            CheckIn.registration_id == registration_id, CheckIn.themed_session_id.is_(None),
            CheckIn.undone_at.is_(None),
        )
    ).scalar_one()


def test_two_scanners_scanning_the_same_badge_get_one_ok_and_one_already(server_url, demo_event, people, staff):
    url = f"{server_url}/api/events/{demo_event.slug}/checkin"
    tokens = _tokens(demo_event, staff, 2)
    for person in people[:8]:
        answers = _at_once(url, tokens, [{"code": code_of(person)}] * 2)
        assert sorted(a.get("result") for a in answers) == ["already_checked_in", "ok"], answers
        assert _live_door_check_ins(person.id) == 1


def test_many_scanners_at_a_session_give_exactly_one_ok(server_url, demo_event, people, staff):
    url = f"{server_url}/api/events/{demo_event.slug}/checkin"
    tokens = _tokens(demo_event, staff, 6)
    session = demo_event.themed_sessions[1]
    answers = _at_once(url, tokens, [{"code": code_of(people[9]), "session": session.id}] * 6)
    assert sorted(a.get("result") for a in answers) == ["already_checked_in"] * 5 + ["ok"], answers
    assert db.session.execute(
        select(func.count()).select_from(CheckIn).where(CheckIn.themed_session_id == session.id)
    ).scalar_one() == 1


def test_a_retry_racing_its_original_is_answered_once(server_url, demo_event, people, staff):
    url = f"{server_url}/api/events/{demo_event.slug}/checkin"
    tokens = _tokens(demo_event, staff, 1) * 2
    answers = _at_once(url, tokens, [{"code": code_of(people[10]), "nonce": "same-scan"}] * 2)
    assert [a.get("result") for a in answers] == ["ok", "ok"], answers
    assert answers[0]["check_in_id"] == answers[1]["check_in_id"]
    assert sorted(bool(a.get("replayed")) for a in answers) == [False, True]
    assert _live_door_check_ins(people[10].id) == 1
    assert db.session.execute(select(func.count()).select_from(ScanLog)).scalar_one() == 1
