"""The organiser's check-in pages: the scanner page's markup, the scan log, and issuing and revoking devices."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from sqlalchemy import select

from eventapp.checkin.service import Result, check_in
from eventapp.extensions import db
from eventapp.models import CheckIn, ScannerDevice

from ..conftest import log_in
from .conftest import code_of

STATIC = Path(__file__).resolve().parents[2] / "eventapp" / "static"


class _Scripts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts: list[dict] = []
        self.inline: list[str] = []
        self.handlers: list[str] = []
        self.styles: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.handlers += [name for name in attrs if name.startswith("on")]
        if "style" in attrs:
            self.styles.append(tag)
        if tag == "script":
            self.scripts.append(attrs)
            self._in_script = True

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.inline.append(data)


def test_scanner_page_has_no_inline_script_and_only_local_assets(app, demo_event, scanner_client):
    response = scanner_client.get(f"/organiser/events/{demo_event.slug}/checkin")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    parsed = _Scripts()
    parsed.feed(html)
    assert not parsed.inline and not parsed.handlers and not parsed.styles
    sources = [s["src"] for s in parsed.scripts]
    assert sources == ["/static/checkin/offline.js", "/static/checkin/scanner.js", "/static/checkin/camera.js"]
    assert not re.search(r"(src|href)=\"(https?:)?//", html)  # nothing from another host
    for attribute in ("data-checkin-url", "data-search-url", "data-counts-url", "data-undo-url", "data-csrf",
                      "data-doorlist-url", "data-sync-url", "data-decoder-url", "data-service-worker"):
        assert attribute in html
    for session in demo_event.themed_sessions:
        assert f'<option value="{session.id}">' in html
    assert 'name="viewport"' in html


def test_the_vendored_decoder_ships_with_its_licence():
    vendor = STATIC / "vendor" / "zxing-wasm"
    assert (vendor / "zxing_reader.wasm").read_bytes()[:4] == b"\0asm"
    assert (vendor / "zxing_reader.js").stat().st_size > 10_000
    assert "MIT License" in (vendor / "LICENSE").read_text()
    assert "Apache License" in (vendor / "LICENSE-zxing-cpp").read_text()
    assert not (STATIC / "vendor" / "jsqr").exists()
    for name in ("scanner.js", "camera.js", "offline.js", "decode-worker.js"):
        script = (STATIC / "checkin" / name).read_text()
        assert "http://" not in script and "https://" not in script


def test_the_dashboard_links_to_the_scanner(app, demo_event, scanner_client):
    page = scanner_client.get(f"/organiser/events/{demo_event.slug}").get_data(as_text=True)
    assert f"/organiser/events/{demo_event.slug}/checkin" in page


def test_scan_log_lists_every_scan_newest_first_and_pages(app, demo_event, event_ref, people, scanner, scanner_client):
    from eventapp.checkin import queries

    check_in(event_ref, scanner, code=code_of(people[0]))
    for i in range(queries.LOG_PAGE_SIZE):
        check_in(event_ref, scanner, code=f"junk-{i}")
    check_in(event_ref, scanner, code=code_of(people[0]))
    first = scanner_client.get(f"/organiser/events/{demo_event.slug}/checkin/log").get_data(as_text=True)
    assert "Page 1 of 2" in first
    assert first.index("already checked in") < first.index("junk-49") < first.index("junk-1<")
    assert people[0].full_name in first and "by Sam" not in first  # the "By" column holds the name alone
    second = scanner_client.get(f"/organiser/events/{demo_event.slug}/checkin/log?page=2").get_data(as_text=True)
    assert "junk-0<" in second and ">ok<" in second and "Page 2 of 2" in second
    assert scanner_client.get(f"/organiser/events/{demo_event.slug}/checkin/log?page=99").status_code == 200


def test_undo_from_the_log(app, demo_event, event_ref, people, scanner, scanner_client):
    answer = check_in(event_ref, scanner, code=code_of(people[1])).answer
    response = scanner_client.post(f"/organiser/events/{demo_event.slug}/checkin/{answer['check_in_id']}/undo")
    assert response.status_code == 302
    row = db.session.get(CheckIn, answer["check_in_id"])
    db.session.refresh(row)
    assert row.undone_at is not None
    page = scanner_client.get(f"/organiser/events/{demo_event.slug}/checkin/log").get_data(as_text=True)
    assert "Check-in undone" in page and "undone " in page and " by Sam" in page
    assert check_in(event_ref, scanner, code=code_of(people[1])).result == Result.OK


def test_admin_issues_a_token_shown_once_and_revokes_it(app, demo_event, staff):
    admin = staff("admin")
    client = app.test_client()
    log_in(client, admin)
    url = f"/organiser/events/{demo_event.slug}/scanners"
    response = client.post(url, data={"name": "Main door, scanner 2"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    token = re.search(r'id="issued-token">([^<]+)<', page).group(1)
    assert token.startswith("eacs_")
    listing = client.get(url).get_data(as_text=True)
    assert "Main door, scanner 2" in listing and token not in listing

    api = f"/api/events/{demo_event.slug}/checkin"
    bearer = {"Authorization": f"Bearer {token}"}
    assert app.test_client().post(api, json={"code": "x"}, headers=bearer).status_code == 200

    device_id = db.session.execute(select(ScannerDevice.id)).scalar_one()
    assert client.post(f"{url}/{device_id}/revoke").status_code == 302
    assert "revoked" in client.get(url).get_data(as_text=True)
    assert app.test_client().post(api, json={"code": "x"}, headers=bearer).status_code == 401


def test_a_device_needs_a_name(app, demo_event, staff):
    client = app.test_client()
    log_in(client, staff("admin"))
    response = client.post(f"/organiser/events/{demo_event.slug}/scanners", data={"name": ""})
    assert response.status_code == 400 and "Name the device." in response.get_data(as_text=True)


def test_checkin_staff_cannot_issue_devices(app, demo_event, scanner_client):
    assert scanner_client.get(f"/organiser/events/{demo_event.slug}/scanners").status_code == 403
    assert scanner_client.post(f"/organiser/events/{demo_event.slug}/scanners", data={"name": "x"}).status_code == 403
