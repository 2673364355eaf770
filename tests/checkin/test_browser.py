"""The scanner page in headless Chromium: a fake camera showing a real badge's QR code, the wedge field, search.

The page is served with the app's own Content-Security-Policy (no inline script; eventapp/security.py), and every
request the browser makes is checked to stay on the app's own host, with no console or CSP error.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from ..browser import chromium_page, log_in, require_chromium
from ..live import live_server
from .badge_images import real_badge_png
from .conftest import code_of

pytestmark = pytest.mark.browser

FRAME = (640, 480)
FPS = 10


def _require_ffmpeg() -> str:
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        pytest.skip("ffmpeg is missing: install Debian's ffmpeg package (listed in system-packages.test.txt)")
    return ffmpeg


def _badge_video(png: Path, folder: Path) -> Path:
    """A fake camera stream: the badge for 2 s, then an empty frame for 3 s (Chromium loops it)."""
    ffmpeg = _require_ffmpeg()
    video = folder / "badge.y4m"
    w, h = FRAME
    subprocess.run(
        [
            ffmpeg, "-hide_banner", "-loglevel", "error", "-y",
            "-loop", "1", "-t", "2", "-i", str(png),
            "-f", "lavfi", "-t", "3", "-i", f"color=c=white:s={w}x{h}:r={FPS}",
            "-filter_complex",
            f"[0:v]scale={w}:{h}:force_original_aspect_ratio=decrease,pad={w}:{h}:(ow-iw)/2:(oh-ih)/2:white,"
            f"fps={FPS},setsar=1,format=yuv420p[qr];[1:v]setsar=1,format=yuv420p[blank];[qr][blank]concat=n=2:v=1[out]",
            "-map", "[out]", "-pix_fmt", "yuv420p", str(video),
        ],
        check=True,
        timeout=60,
    )
    return video


def _log_in(page, base: str, user) -> None:
    log_in(page, base, user.email, "correct horse battery")


def _watch_requests(page, base: str) -> list[str]:
    foreign: list[str] = []
    problems: list[str] = []

    def on_request(request):
        if not request.url.startswith((base, "data:", "blob:")):
            foreign.append(request.url)

    page.on("request", on_request)
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return foreign, problems


def test_the_camera_checks_a_badge_in_and_the_second_scan_is_amber(make_app, demo_event, people, checkin_user, tmp_path):
    require_chromium()
    person = people[0]
    # The badge eventapp prints for this person, as a camera held in front of it sees it.
    video = _badge_video(real_badge_png(person, demo_event, tmp_path, dpi=150), tmp_path)
    app = make_app(WTF_CSRF_ENABLED=True)
    fake_camera = [
        "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    with live_server(app) as base, chromium_page(extra_args=fake_camera, permissions=["camera"]) as page:
        foreign, problems = _watch_requests(page, base)
        _log_in(page, base, checkin_user)
        response = page.goto(f"{base}/organiser/events/{demo_event.slug}/checkin")
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.get_by_role("button", name="Start camera").click()
        # Decoded in a Web Worker by the vendored zxing-wasm (Chromium on Linux has no BarcodeDetector).
        page.wait_for_function("() => document.getElementById('scanner').dataset.decoder === 'zxing-wasm'",
                               timeout=20_000)

        green = page.locator('#result[data-result="ok"]')
        green.wait_for(state="visible", timeout=20_000)
        assert "result-green" in green.get_attribute("class")
        assert page.locator("#result-name").inner_text() == person.full_name
        assert page.locator("#result-org").inner_text() == person.organisation.name

        # The badge leaves the frame and comes back: a second scan, answered amber with who and when.
        amber = page.locator('#result[data-result="already_checked_in"]')
        amber.wait_for(state="visible", timeout=20_000)
        assert "result-amber" in amber.get_attribute("class")
        detail = page.locator("#result-detail").inner_text()
        assert detail.startswith("Already checked in at ") and detail.endswith(" by Sam.")
        page.locator(".counts-total [data-count='arrived']").filter(has_text="1").wait_for(timeout=10_000)
        assert page.locator("#camera-status").inner_text() == "Hold a badge's QR code in the frame."
    assert not foreign, foreign
    assert not problems, problems
    with app.app_context():
        from sqlalchemy import func, select

        from eventapp.extensions import db
        from eventapp.models import CheckIn, ScanLog

        assert db.session.execute(select(func.count()).select_from(CheckIn)).scalar_one() == 1
        # A badge held in view is one scan: two appearances of the badge, two scans in the log.
        assert db.session.execute(select(func.count()).select_from(ScanLog)).scalar_one() == 2


def test_the_keyboard_wedge_field_and_the_name_search(make_app, demo_event, people, checkin_user):
    require_chromium()
    app = make_app(WTF_CSRF_ENABLED=True)
    person, forgetful = people[1], people[2]
    with live_server(app) as base, chromium_page() as page:
        foreign, problems = _watch_requests(page, base)
        _log_in(page, base, checkin_user)
        page.goto(f"{base}/organiser/events/{demo_event.slug}/checkin")
        wedge = page.locator("#wedge")
        # A USB scanner types the code and presses Enter.
        wedge.type(code_of(person))
        wedge.press("Enter")
        page.locator('#result[data-result="ok"]').wait_for(state="visible", timeout=10_000)
        assert page.locator("#result-name").inner_text() == person.full_name
        assert wedge.input_value() == ""
        wedge.fill(code_of(person))
        wedge.press("Enter")
        page.locator('#result[data-result="already_checked_in"]').wait_for(state="visible", timeout=10_000)
        wedge.fill("EA1:NOT-A-BADGE")
        wedge.press("Enter")
        page.locator('#result[data-result="unknown_code"]').wait_for(state="visible", timeout=10_000)
        assert "result-red" in page.locator("#result").get_attribute("class")
        page.get_by_role("button", name="Next").click()

        page.get_by_label("Forgotten badge? Search by name or organisation").fill(forgetful.full_name)
        page.get_by_role("button", name="Search").click()
        hit = page.locator("#search-results li").filter(has_text=forgetful.full_name)
        hit.get_by_role("button", name="Check in").click()
        page.locator('#result[data-result="ok"]').wait_for(state="visible", timeout=10_000)
        assert page.locator("#result-name").inner_text() == forgetful.full_name
        # Undo from the answer screen.
        page.get_by_role("button", name="Undo").click()
        page.locator("#result-headline").filter(has_text="Undone").wait_for(timeout=10_000)
    assert not foreign, foreign
    assert not problems, problems
