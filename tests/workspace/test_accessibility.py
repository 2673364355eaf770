"""Every organiser page in Chromium, at a laptop's and a phone's width, as each staff role: pages the role may
open have no sideways scroll and no axe-core violation of any impact; pages it may not open answer 403. Then the
bulk cancel's confirmation and the report editor's conflict, in the browser."""

from contextlib import contextmanager

import pytest
from playwright.sync_api import expect

from ..browser import CHROMIUM, CHROMIUM_ARGS, chromium_page, require_chromium, shoot
from .axe import describe, violations
from .pages import organiser_pages
from .site import ROLES, log_in, served_site

pytestmark = pytest.mark.browser

SIZES = ({"width": 1280, "height": 900}, {"width": 390, "height": 844})


@pytest.fixture(scope="module")
def site(tmp_path_factory, migrated_database):
    from eventapp.extensions import db
    from eventapp.models import Event

    from ..conftest import _fresh_database

    def pages(slug):
        return organiser_pages(db.session.query(Event).filter_by(slug=slug).one())

    tmp = tmp_path_factory.mktemp("axe")
    with served_site(tmp, _fresh_database(migrated_database, tmp), pages) as served:
        yield served


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("size", SIZES, ids=["1280", "390"])
def test_every_page_fits_and_passes_axe(site, role, size):
    base, _, pages = site
    problems, wide, opened = [], [], 0
    with chromium_page(viewport=size, bypass_csp=True) as page:
        log_in(page, base, role)
        for path in pages:
            response = page.goto(base + path)
            if response.status == 403:
                continue
            assert response.status == 200, (role, path, response.status)
            opened += 1
            widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
            if widths[0] > widths[1]:
                wide.append((path, widths))
            problems += describe(path, violations(page))
    assert opened >= 3
    assert not wide, wide
    assert not problems, "\n".join(problems)


def test_focus_is_always_visible(site):
    base, slug, _ = site
    with chromium_page(viewport=SIZES[0]) as page:
        log_in(page, base)
        page.goto(f"{base}/organiser/events/{slug}/registrations")
        unseen = []
        for _ in range(40):
            page.keyboard.press("Tab")
            outline = page.evaluate("""() => { const e = document.activeElement; const s = getComputedStyle(e);
                return [e.tagName + (e.name ? '[' + e.name + ']' : ''), s.outlineStyle, s.outlineWidth, s.boxShadow]; }""")
            if outline[1] == "none" and outline[3] == "none":
                unseen.append(outline[0])
        assert unseen == []


def test_bulk_cancel_in_the_browser_asks_then_cancels(site):
    base, slug, _ = site
    with chromium_page(viewport=SIZES[1], bypass_csp=True) as page:
        log_in(page, base)
        page.goto(f"{base}/organiser/events/{slug}/registrations?sort=name&dir=desc")
        names = [page.locator("tbody th.name a").nth(i).inner_text() for i in range(2)]
        boxes = page.locator("input[name=registration_id]")
        boxes.nth(0).check()
        boxes.nth(1).check()
        page.get_by_role("button", name="Cancel registrations…").click()
        expect(page.locator(".confirm-count")).to_have_text("This cancels 2 registrations.")
        assert all(name in page.content() for name in names)
        assert describe("confirmation", violations(page)) == []
        shoot(page, "bulk-cancel-confirmation")
        page.get_by_role("button", name="Cancel 2 registrations").click()
        expect(page.locator(".flash")).to_contain_text("2 registrations cancelled")
        assert page.url.endswith("/registrations?sort=name&dir=desc")
        page.goto(f"{base}/organiser/events/{slug}/registrations?status=cancelled")
        assert "2 registrations match" in page.content()


def test_two_editors_in_two_browsers_keep_both_texts(site):
    base, slug, _ = site
    with live_pair(base) as (alice, bob):
        for page in (alice, bob):
            page.goto(f"{base}/organiser/events/{slug}/report")
            page.locator("tr", has_text="Enabling").get_by_role("link").click()
        alice.get_by_label("Lessons").fill("Alice: start on time.")
        alice.get_by_role("button", name="Save").click()
        expect(alice.locator(".flash")).to_contain_text("Saved as version")
        bob.get_by_label("Lessons").fill("Bob: keep it short.")
        bob.get_by_role("button", name="Save").click()
        expect(bob.locator("#conflict")).to_be_visible()
        text = bob.content()
        assert "Someone else saved this section while you were editing" in text
        assert "Alice: start on time." in text and "Bob: keep it short." in text
        assert describe("conflict", violations(bob)) == []
        shoot(bob, "report-conflict")
        bob.get_by_label("Lessons").fill("Alice: start on time. Bob: keep it short.")
        bob.get_by_role("button", name="Save").click()
        expect(bob.locator(".flash")).to_contain_text("Saved as version")
        bob.get_by_role("link", name="All versions").click()
        bob.get_by_role("button", name="Restore version 1").click()
        expect(bob.locator(".flash")).to_contain_text("is restored as version")
        assert bob.get_by_label("Lessons").input_value() == ""


@contextmanager
def live_pair(base):
    """Two people in two browser contexts of one Chromium (Playwright allows one sync session at a time)."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            alice, bob = (browser.new_context(viewport=SIZES[0], bypass_csp=True).new_page() for _ in range(2))
            log_in(alice, base, "report_editor")
            log_in(bob, base, "admin")
            yield alice, bob
        finally:
            browser.close()
