"""The offline scanner's API: the door list (full, then what changed), and the sync of scans queued offline."""

from __future__ import annotations

import json
import re
import time
from datetime import timedelta

from sqlalchemy import func, select, update

from eventapp.checkin import devices
from eventapp.checkin.doorlist import badge_digest
from eventapp.extensions import db
from eventapp.models import Assignment, CheckIn, EventState, Registration, ScanLog, utcnow

from .conftest import code_of


def _url(event, tail: str) -> str:
    return f"/api/events/{event.slug}/checkin/{tail}"


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def _scan(code: str, nonce: str, at_ms: int, offline_result: str = "ok", **extra) -> dict:
    return {"code": code, "nonce": nonce, "device_time": at_ms, "offline_result": offline_result, "method": "typed",
            **extra}


def test_the_door_list_holds_digests_never_secrets_and_then_only_what_changed(demo_event, people, scanner_client):
    # The demo was made a moment ago; a refresh looks back a few seconds (doorlist.OVERLAP): make it older.
    an_hour_ago = utcnow() - timedelta(hours=1)
    db.session.execute(update(Registration).values(updated_at=an_hour_ago, badge_changed_at=an_hour_ago))
    db.session.execute(update(Assignment).values(created_at=an_hour_ago))
    db.session.commit()
    response = scanner_client.get(_url(demo_event, "doorlist"))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert body["full"] and body["count"] == len(people) == len(body["people"])
    text = response.get_data(as_text=True)
    assert not any(p.badge_secret in text for p in people)
    first = {p["i"]: p for p in body["people"]}[people[0].id]
    assert first["d"] == badge_digest(demo_event.id, people[0].badge_secret)
    assert first["n"] == people[0].full_name and first["s"] == "c" and first["c"] is None
    assert {s["id"] for s in body["sessions"]} == {s.id for s in demo_event.themed_sessions}
    assert body["csrf"] and body["scanner"].startswith("staff:")

    checked = scanner_client.post(_url(demo_event, "sync"), json={"scans": [
        _scan(code_of(people[1]), "n-1", int(time.time() * 1000)),
    ]})
    assert checked.get_json()["results"][0]["answer"]["result"] == "ok"
    changed = scanner_client.get(_url(demo_event, "doorlist"), query_string={"since": body["cursor"]}).get_json()
    assert not changed["full"] and changed["count"] == len(people)
    assert [p["i"] for p in changed["people"]] == [people[1].id]
    assert changed["people"][0]["c"][1] == "Sam"


def test_a_finished_event_or_a_revoked_token_tells_the_device_to_wipe(app, demo_event, scanner_client, device_token):
    client = app.test_client()
    assert client.get(_url(demo_event, "doorlist"), headers=_bearer(device_token)).status_code == 200
    device = db.session.execute(select(devices.ScannerDevice)).scalars().one()
    devices.revoke_device(demo_event, device.id)
    revoked = client.get(_url(demo_event, "doorlist"), headers=_bearer(device_token))
    assert revoked.status_code == 401 and revoked.get_json()["error"] == "invalid_token"

    demo_event.state = EventState.FINISHED
    db.session.commit()
    finished = scanner_client.get(_url(demo_event, "doorlist"))
    assert finished.status_code == 410 and finished.get_json()["error"] == "event_finished"


def test_a_batch_sent_twice_counts_once_and_keeps_device_times(demo_event, people, scanner_client):
    start = int(time.time() * 1000) - 600_000
    batch = {"scans": [_scan(code_of(p), f"n-{i}", start + i * 1000) for i, p in enumerate(people[:5])]}
    batch["scans"].append(_scan(code_of(people[0]), "n-again", start + 9000, offline_result="already_checked_in"))
    first = scanner_client.post(_url(demo_event, "sync"), json=batch).get_json()["results"]
    again = scanner_client.post(_url(demo_event, "sync"), json=batch).get_json()["results"]
    assert [r["answer"]["result"] for r in first] == ["ok"] * 5 + ["already_checked_in"]
    assert [r["answer"]["result"] for r in again] == [r["answer"]["result"] for r in first]
    assert all(r["answer"].get("replayed") for r in again)
    assert db.session.execute(select(func.count()).select_from(CheckIn)).scalar_one() == 5
    logs = db.session.execute(select(ScanLog).order_by(ScanLog.id)).scalars().all()
    assert len(logs) == 6
    assert [int(log.device_at.timestamp() * 1000) for log in logs] == [s["device_time"] for s in batch["scans"]]
    arrivals = db.session.execute(select(CheckIn.checked_in_at).order_by(CheckIn.id)).scalars().all()
    assert arrivals == [log.device_at for log in logs[:5]]


def test_the_earlier_scan_by_device_time_wins_whichever_synced_first(app, demo_event, people, staff, scanner_client):
    from ..conftest import log_in

    other = app.test_client()
    assert log_in(other, staff("checkin")).status_code == 302
    now = int(time.time() * 1000)
    badge = code_of(people[2])
    late = other.post(_url(demo_event, "sync"), json={"scans": [_scan(badge, "late", now - 1000)]}).get_json()
    assert late["results"][0]["answer"]["result"] == "ok"
    early = scanner_client.post(_url(demo_event, "sync"), json={"scans": [_scan(badge, "early", now - 5000)]})
    answer = early.get_json()["results"][0]["answer"]
    assert answer["result"] == "ok" and answer["recorded"] and answer["checked_in_by"] == "Sam"

    [check_in] = db.session.execute(select(CheckIn)).scalars().all()
    assert int(check_in.checked_in_at.timestamp() * 1000) == now - 5000
    logs = {log.nonce: log for log in db.session.execute(select(ScanLog)).scalars()}
    assert logs["early"].result == "ok" and logs["early"].check_in_id == check_in.id
    assert logs["late"].result == "already_checked_in" and logs["late"].check_in_id is None
    # The later device learns it at its next door-list refresh; a retry of its batch gets the corrected answer.
    corrections = other.get(_url(demo_event, "doorlist")).get_json()["corrections"]
    assert [(c["nonce"], c["offline_result"], c["result"]) for c in corrections] == [
        ("late", "ok", "already_checked_in")
    ]
    assert scanner_client.get(_url(demo_event, "doorlist")).get_json()["corrections"] == []
    retried = other.post(_url(demo_event, "sync"), json={"scans": [_scan(badge, "late", now - 1000)]}).get_json()
    assert retried["results"][0]["answer"]["result"] == "already_checked_in"

    # The scan log shows both as made offline, with device time and sync time, and the answer that changed.
    page = scanner_client.get(f"/organiser/events/{demo_event.slug}/checkin/log").get_data(as_text=True)
    assert page.count('<span class="pill pill-offline">offline</span>') == 2
    assert page.count("synced ") == 2 and page.count("shown offline: ok") == 1


def test_a_device_token_syncs_and_bad_items_are_answered_in_place(app, demo_event, people, device_token):
    client = app.test_client()
    now = int(time.time() * 1000)
    response = client.post(_url(demo_event, "sync"), headers=_bearer(device_token), data=json.dumps({"scans": [
        _scan(code_of(people[0]), "d-1", now),
        {"code": code_of(people[1]), "device_time": now},  # no nonce
        _scan(code_of(people[2]), "d-3", "yesterday"),
        _scan("EA1:NOT-A-BADGE", "d-4", now, offline_result="unknown_code"),
    ]}), content_type="application/json")
    results = response.get_json()["results"]
    assert [r["status"] for r in results] == [200, 400, 400, 200]
    assert results[1]["answer"]["message"] == 'A queued scan needs its "nonce".'
    assert results[3]["answer"]["result"] == "unknown_code"
    logs = db.session.execute(select(ScanLog).order_by(ScanLog.id)).scalars().all()
    assert [log.scanner_device_id is not None for log in logs] == [True, True]
    for body, message in ((b"[]", "Send a JSON object"), (json.dumps({"scans": [{}] * 201}).encode(), "at most 200")):
        refused = client.post(_url(demo_event, "sync"), headers=_bearer(device_token), data=body,
                              content_type="application/json")
        assert refused.status_code == 400 and message in refused.get_json()["message"]


def test_the_service_worker_and_manifest_are_scoped_to_the_scanner(demo_event, scanner_client):
    page = f"/organiser/events/{demo_event.slug}/checkin"
    worker = scanner_client.get(f"{page}/sw.js")
    assert worker.status_code == 200 and worker.mimetype == "text/javascript"
    assert worker.headers["Service-Worker-Allowed"] == page
    script = worker.get_data(as_text=True)
    for name in ("checkin/scanner.js", "checkin/offline.js", "vendor/zxing-wasm/zxing_reader.wasm"):
        assert f"/static/{name}" in script
    manifest = scanner_client.get(f"{page}/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    body = manifest.get_json()
    assert body["scope"] == body["start_url"] == page and body["display"] == "standalone"
    assert {i["sizes"] for i in body["icons"]} == {"192x192", "512x512"}


def test_the_service_worker_keeps_every_file_the_scanner_page_loads(demo_event, scanner_client):
    """A file the page links (a stylesheet added to base.html, say) but the worker does not keep breaks the page
    offline; the page is read here for every /static/ file it names, and each must be in the worker's list."""
    page = f"/organiser/events/{demo_event.slug}/checkin"
    html = scanner_client.get(page).get_data(as_text=True)
    linked = set(re.findall(r'(?:href|src)="(/static/[^"?#]+)', html))
    assert "/static/checkin/scanner.js" in linked  # the page was read
    kept = scanner_client.get(f"{page}/sw.js").get_data(as_text=True)
    assert [name for name in sorted(linked) if name not in kept] == []
