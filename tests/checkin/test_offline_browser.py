"""The scanner offline, in headless Chromium with the browser context set offline: the page served by its service
worker, answers decided on the device from the door list in IndexedDB, the queue synced when the network returns.
"""

from __future__ import annotations

import json
from contextlib import contextmanager

import pytest
from sqlalchemy import func, select

from eventapp.extensions import db
from eventapp.models import CheckIn, ScanLog

from ..browser import CHROMIUM, CHROMIUM_ARGS, require_chromium
from ..live import live_server
from .conftest import code_of

pytestmark = pytest.mark.browser

READ_STORES = """async (name) => {
  const db = await new Promise((ok, no) => { const r = indexedDB.open(name); r.onsuccess = () => ok(r.result);
                                              r.onerror = () => no(r.error); });
  const out = {};
  for (const store of db.objectStoreNames) {
    out[store] = await new Promise((ok) => { const r = db.transaction(store).objectStore(store).getAll();
                                             r.onsuccess = () => ok(r.result); });
  }
  db.close();
  return out;
}"""


@contextmanager
def browser():
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _problems(page) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"{m.text} {m.location.get('url', '')}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return problems


def _open_scanner(context, base: str, user, slug: str):
    page = context.new_page()
    problems = _problems(page)
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/organiser/**")
    page.goto(f"{base}/organiser/events/{slug}/checkin")
    _wait_list_ready(page)
    # The service worker has installed (the page and its files cached) and controls the page.
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15_000)
    return page, problems


def _wait_list_ready(page):
    page.locator("#freshness").filter(has_text="updated").wait_for(timeout=15_000)


def _wedge(page, code: str, expect: str):
    wedge = page.locator("#wedge")
    wedge.fill(code)
    wedge.press("Enter")
    page.locator(f'#result[data-result="{expect}"]').wait_for(state="visible", timeout=10_000)


def _stores(page, slug: str) -> dict:
    return page.evaluate(READ_STORES, f"eventapp-checkin-{slug}")


def _wait_synced(page):
    page.wait_for_function("() => document.getElementById('scanner').dataset.queued === '0'", timeout=20_000)


def test_offline_reload_wedge_and_search_then_sync(make_app, demo_event, people, checkin_user):
    app = make_app(WTF_CSRF_ENABLED=True)
    slug = demo_event.slug
    with live_server(app) as base, browser() as chromium:
        context = chromium.new_context()
        page, problems = _open_scanner(context, base, checkin_user, slug)
        # Installable: Chromium finds nothing missing (manifest, icons, a service worker controlling the page) but
        # a profile that is not incognito, which every Playwright context is.
        cdp = context.new_cdp_session(page)
        errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
        cdp.detach()
        assert [e["errorId"] for e in errors] == ["in-incognito"], errors

        context.set_offline(True)
        page.reload()  # no network: the service worker serves the page and its files
        page.locator("#scanner").wait_for()
        page.locator("#freshness").filter(has_text="Offline since").wait_for(timeout=10_000)
        for person in people[:3]:
            _wedge(page, code_of(person), "ok")
            assert page.locator("#result-offline").is_visible()
            assert page.locator("#result-offline").inner_text() == "offline: will sync"
            assert page.locator("#result-name").inner_text() == person.full_name
            assert "result-green" in page.locator("#result").get_attribute("class")
            page.keyboard.press("Escape")  # Next
            assert page.locator("#result").is_hidden()
        # The same badge again, offline: amber, as the server would answer.
        _wedge(page, code_of(people[0]), "already_checked_in")
        assert page.locator("#result-detail").inner_text().startswith("Already checked in at ")
        _wedge(page, "EA1:NOT-A-BADGE", "unknown_code")
        page.keyboard.press("Escape")

        forgetful = people[3]
        page.get_by_label("Forgotten badge? Search by name or organisation").fill(forgetful.full_name)
        page.get_by_role("button", name="Search").click()
        hit = page.locator("#search-results li").filter(has_text=forgetful.full_name)
        hit.get_by_role("button", name="Check in").click()
        page.locator('#result[data-result="ok"]').wait_for(state="visible", timeout=10_000)
        assert page.locator("#result-name").inner_text() == forgetful.full_name
        assert page.locator("#scanner").get_attribute("data-queued") == "6"

        # A session check-in offline: Alt+P goes to the place, and the answer names the session.
        session = demo_event.themed_sessions[0]
        page.keyboard.press("Alt+P")
        assert page.evaluate("() => document.activeElement.id") == "where"
        page.locator("#where").select_option(str(session.id))
        wedge = page.locator("#wedge")
        wedge.fill(code_of(people[1]))
        wedge.press("Enter")
        page.locator("#result:not([hidden])").wait_for(timeout=10_000)
        session_answer = page.locator("#result").get_attribute("data-result")
        assert session_answer in ("ok", "wrong_session")
        assert f"Checked in at {session.title}" in page.locator("#result-detail").inner_text()
        page.locator("#where").select_option("")

        stored = _stores(page, slug)
        assert len(stored["people"]) == len(people) and len(stored["queue"]) == 7
        door_list = json.dumps({name: stored[name] for name in ("meta", "people", "replaced")})
        for person in people:  # a digest of each badge secret, never the secret
            assert person.badge_secret not in door_list
        assert all(len(p["d"]) == 22 for p in stored["people"])
        # The queue holds what was scanned until the server has it (a code not in the list may be a new badge).
        assert sorted(s["code"] for s in stored["queue"] if s.get("code")) == sorted(
            [code_of(p) for p in people[:3]] + [code_of(people[0]), "EA1:NOT-A-BADGE", code_of(people[1])])
        with app.app_context():
            assert db.session.execute(select(func.count()).select_from(CheckIn)).scalar_one() == 0

        context.set_offline(False)
        _wait_synced(page)
        page.wait_for_function("() => document.getElementById('scanner').dataset.network === 'online'")
        assert "Offline" not in page.locator("#freshness").inner_text()
        assert page.locator("#corrections").is_hidden()
        synced = json.dumps(_stores(page, slug))  # once synced, no badge secret anywhere on the device
        assert not any(person.badge_secret in synced for person in people)
        context.close()
    assert not problems, problems

    with app.app_context():
        at_session = db.session.execute(select(CheckIn).where(CheckIn.themed_session_id.is_not(None))).scalar_one()
        assert at_session.registration_id == people[1].id and at_session.themed_session_id == session.id
        check_ins = db.session.execute(
            select(CheckIn).where(CheckIn.themed_session_id.is_(None)).order_by(CheckIn.id)).scalars().all()
        assert [c.registration_id for c in check_ins] == [p.id for p in people[:4]]
        logs = db.session.execute(select(ScanLog).order_by(ScanLog.device_at)).scalars().all()
        assert [log.result for log in logs] == [
            "ok", "ok", "ok", "already_checked_in", "unknown_code", "ok", session_answer]
        assert all(log.offline_result == log.result for log in logs)
        for log in logs:  # made offline, synced later: device time before the sync time
            assert log.device_at is not None and log.device_at <= log.at
        # Each arrival is when the device scanned the badge.
        by_check_in = {log.check_in_id: log.device_at for log in logs if log.check_in_id}
        assert all(c.checked_in_at == by_check_in[c.id] for c in [*check_ins, at_session])
        assert check_ins[3].method == "search"


def test_two_devices_offline_the_earlier_scan_keeps_ok_and_the_other_sees_a_correction(
    make_app, demo_event, people, checkin_user, staff
):
    app = make_app(WTF_CSRF_ENABLED=True)
    other_user = staff("checkin")
    slug = demo_event.slug
    badge = code_of(people[5])
    with live_server(app) as base, browser() as chromium:
        first_device, second_device = chromium.new_context(), chromium.new_context()
        first, problems_1 = _open_scanner(first_device, base, checkin_user, slug)
        second, problems_2 = _open_scanner(second_device, base, other_user, slug)
        first_device.set_offline(True)
        second_device.set_offline(True)
        _wedge(first, badge, "ok")
        first.wait_for_timeout(50)
        _wedge(second, badge, "ok")
        assert second.locator("#result-offline").is_visible()

        # The later scan reaches the server first; then the earlier one: it keeps "ok" all the same.
        second_device.set_offline(False)
        _wait_synced(second)
        first_device.set_offline(False)
        _wait_synced(first)
        assert first.locator("#corrections").is_hidden()

        second.reload()  # the next contact: the door list refresh brings the correction
        correction = second.locator("#corrections-list li")
        correction.first.wait_for(timeout=15_000)
        assert correction.count() == 1
        assert correction.get_attribute("data-result") == "already_checked_in"
        assert people[5].full_name in correction.inner_text()
        first_device.close()
        second_device.close()
    assert not problems_1 and not problems_2, (problems_1, problems_2)

    with app.app_context():
        logs = db.session.execute(select(ScanLog).order_by(ScanLog.device_at)).scalars().all()
        assert [(log.staff_user_id, log.result) for log in logs] == [
            (checkin_user.id, "ok"), (other_user.id, "already_checked_in")
        ]
        [check_in] = db.session.execute(select(CheckIn)).scalars().all()
        assert check_in.staff_user_id == checkin_user.id and check_in.checked_in_at == logs[0].device_at


def test_a_sync_cut_off_halfway_resumes_without_loss_or_double(make_app, demo_event, people, checkin_user):
    app = make_app(WTF_CSRF_ENABLED=True)
    slug = demo_event.slug
    with live_server(app) as base, browser() as chromium:
        context = chromium.new_context()
        page, problems = _open_scanner(context, base, checkin_user, slug)
        context.set_offline(True)
        for person in people[:6]:
            _wedge(page, code_of(person), "ok")

        # The network returns, and the first sync reaches the server with only half its scans, then the connection
        # drops before any answer: the page is closed with all six still queued.
        cut = []

        def half_then_drop(route):
            body = json.loads(route.request.post_data)
            body["scans"] = body["scans"][:3]
            route.fetch(post_data=json.dumps(body))
            cut.append(len(body["scans"]))
            route.abort()

        page.route("**/checkin/sync", half_then_drop)
        context.set_offline(False)
        for _ in range(100):
            if cut:
                break
            page.wait_for_timeout(100)
        assert cut == [3]
        assert page.locator("#scanner").get_attribute("data-queued") == "6"
        page.close()
        with app.app_context():
            assert db.session.execute(select(func.count()).select_from(CheckIn)).scalar_one() == 3

        reopened = context.new_page()
        problems += _problems(reopened)
        reopened.goto(f"{base}/organiser/events/{slug}/checkin")
        _wait_synced(reopened)
        context.close()
    assert [p for p in problems if "Failed to load resource" not in p] == []

    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(CheckIn)).scalar_one() == 6
        logs = db.session.execute(select(ScanLog)).scalars().all()
        assert len(logs) == 6 and {log.result for log in logs} == {"ok"}
        assert {log.registration_id for log in logs} == {p.id for p in people[:6]}


def test_a_revoked_devices_list_is_wiped_at_its_next_contact(make_app, demo_event, people, checkin_user, staff):
    from eventapp.checkin import devices

    app = make_app(WTF_CSRF_ENABLED=True)
    slug = demo_event.slug
    with app.app_context():
        issued = devices.issue_device(demo_event, "Door phone 3", staff("admin"))
        token, device_id = issued.token, issued.device.id
    with live_server(app) as base, browser() as chromium:
        context = chromium.new_context()
        page, problems = _open_scanner(context, base, checkin_user, slug)
        page.locator("summary").filter(has_text="Settings").click()
        page.locator("#setting-token").fill(token)
        page.locator("#setting-token").press("Tab")
        page.wait_for_function(f"() => document.getElementById('scanner').dataset.scanner === 'device:{device_id}'",
                               timeout=10_000)
        _wedge(page, code_of(people[0]), "ok")  # online, as the device
        assert len(_stores(page, slug)["people"]) == len(people)

        with app.app_context():
            devices.revoke_device(db.session.get(type(demo_event), demo_event.id), device_id)
        page.reload()
        page.locator("#freshness").filter(has_text="revoked").wait_for(timeout=15_000)
        stored = _stores(page, slug)
        assert stored["people"] == [] and stored["replaced"] == []
        context.close()
    assert not [p for p in problems if "401" not in p], problems
    with app.app_context():
        [log] = db.session.execute(select(ScanLog)).scalars().all()
        assert log.scanner_device_id == device_id


def test_logging_out_wipes_the_list_and_keeps_unsynced_scans(make_app, demo_event, people, checkin_user):
    app = make_app(WTF_CSRF_ENABLED=True)
    slug = demo_event.slug
    with live_server(app) as base, browser() as chromium:
        context = chromium.new_context()
        page, problems = _open_scanner(context, base, checkin_user, slug)
        context.set_offline(True)
        _wedge(page, code_of(people[0]), "ok")
        page.keyboard.press("Escape")
        page.route("**/checkin/sync", lambda route: route.abort())  # the scan cannot be sent before logging out
        context.set_offline(False)
        page.get_by_role("button", name="Log out").click()
        page.wait_for_url(f"{base}/")
        stored = _stores(page, slug)
        assert stored["people"] == [] and stored["replaced"] == []
        assert [s["code"] for s in stored["queue"]] == [code_of(people[0])]
        context.close()
    assert not [p for p in problems if "Failed to load resource" not in p], problems
