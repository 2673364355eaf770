"""The workspace in Chromium at a laptop's and a phone's width: no organiser page of the demo event scrolls
sideways, the phone's menu opens without JavaScript, and forms in error show the error summary with the focus on
it. Screenshots go to EVENTAPP_SCREENSHOTS if set."""


import pytest

from ..browser import chromium_page, log_in, shoot
from ..live import live_server
from .pages import organiser_pages

pytestmark = pytest.mark.browser

SIZES = ({"width": 1280, "height": 900}, {"width": 390, "height": 844})
PASSWORD = "correct horse battery"


@pytest.fixture
def site(make_app):
    """A live server with the demo event (assigned, so the assignment pages have content) and an admin."""
    app = make_app(WTF_CSRF_ENABLED=True, MAIL_DELIVERY="off")
    with app.app_context():
        from eventapp.assignment import service as assignment
        from eventapp.auth.service import create_staff_user
        from eventapp.demo.service import seed_demo
        from eventapp.extensions import db

        event = seed_demo(attendees=40).event
        admin = create_staff_user("admin@example.org", PASSWORD, "admin")
        db.session.commit()
        plan = assignment.preview(event)
        assignment.apply(event, by=admin, fingerprint=plan.fingerprint)
        db.session.commit()
        pages = organiser_pages(event)
        slug = event.slug
    with live_server(app) as base:
        yield base, slug, pages


def _log_in(page, base):
    log_in(page, base, "admin@example.org", PASSWORD)


@pytest.mark.parametrize("size", SIZES, ids=["1280", "390"])
def test_no_organiser_page_scrolls_sideways(site, size):
    base, slug, pages = site
    wide = []
    with chromium_page(viewport=size) as page:
        _log_in(page, base)
        for path in pages:
            response = page.goto(base + path)
            assert response.status == 200, path
            widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
            if widths[0] > widths[1]:
                wide.append((path, widths))
            shot = {f"/organiser/events/{slug}": "overview", f"/organiser/events/{slug}/registrations":
                    "registrations", f"/organiser/events/{slug}/assignment": "assignment"}.get(path)
            if shot:
                shoot(page, shot)
    assert wide == []


def test_the_phone_menu_opens_without_javascript(site):
    base, slug, _ = site
    with chromium_page(viewport=SIZES[1], java_script_enabled=False) as page:
        _log_in(page, base)
        page.goto(f"{base}/organiser/events/{slug}/registrations")
        assert not page.locator(".workspace-side").is_visible()
        menu = page.locator("details.workspace-menu")
        link = menu.get_by_role("link", name="Assignment")
        assert not link.is_visible()
        menu.locator("summary").click()
        assert menu.get_by_role("link", name="Registrations").get_attribute("aria-current") == "page"
        link.click()
        assert page.url.endswith(f"/organiser/events/{slug}/assignment")


def test_ticking_all_matching_selects_every_page_and_the_action_says_how_many(site):
    base, slug, _ = site
    with chromium_page(viewport=SIZES[0]) as page:
        _log_in(page, base)
        page.goto(f"{base}/organiser/events/{slug}/registrations?per_page=25")
        count = page.locator("[data-selected-count]")
        assert count.inner_text() == "(0 selected)"
        page.locator("#select-all").check()
        assert count.inner_text() == "(25 selected)"
        page.get_by_label("All 40 registrations, on every page, not only those ticked").check()
        assert count.inner_text() == "(all matching selected)"
        page.locator("input[name=registration_id]").first.uncheck()  # one untick: back to the ticked rows
        assert not page.locator("#scope-matching").is_checked() and count.inner_text() == "(24 selected)"
        page.locator("#scope-matching").check()
        shoot(page, "registrations-all-matching")
        page.get_by_role("button", name="Cancel registrations…").click()
        assert page.get_by_text("This cancels 40 registrations.").is_visible()
