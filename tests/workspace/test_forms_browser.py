"""Forms in Chromium: a form sent with errors opens with the error summary focused, its links put the focus in
their fields, the page title starts "Error: ", fields in error have a red border, required fields are marked, and
"danger" buttons are red however specific the plain button rule is."""

import pytest
from playwright.sync_api import expect

from ..browser import chromium_page
from ..live import live_server

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
RED = "rgb(164, 22, 26)"
BLUE = "rgb(31, 95, 139)"


@pytest.fixture
def site(make_app):
    app = make_app(WTF_CSRF_ENABLED=True, MAIL_DELIVERY="off")
    with app.app_context():
        from eventapp.auth.service import create_staff_user
        from eventapp.demo.service import seed_demo
        from eventapp.extensions import db

        slug = seed_demo(attendees=3).event.slug
        create_staff_user("admin@example.org", PASSWORD, "admin")
        db.session.commit()
    with live_server(app) as base, chromium_page(viewport={"width": 1280, "height": 900}) as page:
        page.goto(f"{base}/login")
        page.get_by_label("E-mail").fill("admin@example.org")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{base}/organiser/**")
        yield base, slug, page


def test_a_form_with_errors_opens_on_its_error_summary(site):
    base, slug, page = site
    page.goto(f"{base}/organiser/events/{slug}/settings")
    title = page.title()
    assert page.locator(".field:has(#name) .required").inner_text() == "*"
    page.get_by_label("Name", exact=True).fill("")
    page.get_by_label("Privacy contact").fill("nobody")
    page.get_by_role("button", name="Save settings").click()

    assert page.title() == f"Error: {title}"
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    links = summary.get_by_role("link")
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == ["#name", "#privacy_contact"]
    expect(links.nth(1)).to_contain_text("Give an e-mail address.")

    links.nth(1).click()
    expect(page.locator("#privacy_contact")).to_be_focused()
    for selector in ("#name", "#privacy_contact"):
        assert page.locator(selector).evaluate("e => getComputedStyle(e).borderTopColor") == RED
    assert page.locator("#short_name").evaluate("e => getComputedStyle(e).borderTopColor") != RED


def test_danger_buttons_are_red_and_plain_ones_blue(site):
    base, slug, page = site
    page.goto(f"{base}/organiser/events/{slug}/partners")
    remove = page.locator("button.danger").first
    assert remove.evaluate("e => getComputedStyle(e).backgroundColor") == RED
    assert page.get_by_role("button", name="Save partner").evaluate(
        "e => getComputedStyle(e).backgroundColor") == BLUE
