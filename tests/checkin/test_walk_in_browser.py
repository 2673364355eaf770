"""A walk-in at the door in headless Chromium: from the scanner page to the walk-in form, registered and checked
in, the arrival counted on the scanner, the badge printable on its own."""

from __future__ import annotations

import pytest

from ..browser import chromium_page
from ..live import live_server

pytestmark = pytest.mark.browser


def test_staff_add_a_walk_in_at_the_door(app, demo_event, checkin_user):
    with live_server(app) as base, chromium_page(viewport={"width": 390, "height": 844}) as page:
        problems: list[str] = []
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.goto(f"{base}/login")
        page.get_by_label("E-mail").fill(checkin_user.email)
        page.get_by_label("Password").fill("correct horse battery")
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/organiser/**")
        page.goto(f"{base}/organiser/events/{demo_event.slug}/checkin")
        arrived = int(page.locator("[data-count=arrived]").first.inner_text())
        page.get_by_role("link", name="Add a walk-in").click()
        page.wait_for_url("**/checkin/walk-in")
        page.get_by_role("button", name="Register and check in").click()  # nothing filled in
        assert page.locator(".field-error").first.inner_text() == "Enter their name."
        page.get_by_label("Full name").fill("Tomás Ó Briain")
        page.get_by_label("Organisation").fill("Dublin Civic Tech")
        page.get_by_label("They have been told how their data is used").check()
        page.get_by_role("button", name="Register and check in").click()
        page.wait_for_selector(".walk-in-added")
        assert "Tomás Ó Briain is registered and checked in" in page.locator(".walk-in-added").inner_text()
        assert "badge waits for the next batch" in page.locator(".walk-in-list").inner_text()
        with page.expect_popup() as popup:
            page.get_by_role("button", name="Print their badge now (A6)").click()
        badge = popup.value
        badge.wait_for_load_state()
        assert "/badge.pdf" in badge.url
        page.reload()
        assert "badge printed" in page.locator(".walk-in-list").inner_text()
        page.goto(f"{base}/organiser/events/{demo_event.slug}/checkin")
        assert int(page.locator("[data-count=arrived]").first.inner_text()) == arrived + 1
        assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not problems
