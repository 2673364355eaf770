"""In Chromium, at a laptop's and a phone's width: the import's upload, preview and confirmation, and writing to a
group up to its confirmation; no page scrolls sideways. Screenshots go to EVENTAPP_SCREENSHOTS if set."""


import pytest
from sqlalchemy import func, select

from ..browser import chromium_page, log_in, shoot
from ..live import live_server
from .helpers import csv_bytes, person

pytestmark = pytest.mark.browser

SIZES = ({"width": 1280, "height": 900}, {"width": 390, "height": 844})
PASSWORD = "correct horse battery"


@pytest.fixture
def site(make_app):
    app = make_app(WTF_CSRF_ENABLED=True, MAIL_DELIVERY="off", JOBS_INLINE=True)
    with app.app_context():
        from eventapp.auth.service import create_staff_user
        from eventapp.demo.service import seed_demo
        from eventapp.extensions import db

        event = seed_demo(attendees=20).event
        event.capacity = 22
        create_staff_user("admin@example.org", PASSWORD, "admin")
        db.session.commit()
        slug = event.slug
    with live_server(app) as base:
        yield app, base, slug


def _log_in(page, base):
    log_in(page, base, "admin@example.org", PASSWORD)


def _check(page, name: str) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], (name, widths)
    shoot(page, name)


@pytest.mark.parametrize("size", SIZES, ids=["1280", "390"])
def test_import_and_write_to_a_group(site, size, tmp_path):
    app, base, slug = site
    rows = [person(i, name=f"Invited Guest Number {i}") for i in range(4)]
    rows += [person(9, email="not an address"), person(10, country="Narnia", preferences="Knitting; 1"),
             person(11, email="guest0@example.org")]
    path = tmp_path / "invited guests.csv"
    path.write_bytes(csv_bytes(rows))
    with chromium_page(viewport=size) as page:
        _log_in(page, base)
        page.goto(f"{base}/organiser/events/{slug}/import")
        _check(page, "import-upload")
        page.set_input_files("input[type=file]", str(path))
        page.get_by_role("button", name="Preview the import").click()
        page.wait_for_url("**/import/*")
        assert page.locator("tr.import-refuse").count() == 3
        assert page.locator("tr.import-create").count() == 2 and page.locator("tr.import-waitlist").count() == 2
        _check(page, "import-preview")
        page.get_by_label("Mail each new attendee the link to their registration").uncheck()
        page.get_by_role("button", name="Import 4 people").click()
        page.wait_for_url("**/organiser/jobs/**")
        with app.app_context():
            from eventapp.extensions import db
            from eventapp.models import Registration

            assert db.session.execute(select(func.count()).where(Registration.email.like("guest%"))).scalar_one() == 4

        page.goto(f"{base}/organiser/events/{slug}/messages/new")
        page.get_by_label("The waiting list").check()
        page.get_by_label("Subject").fill("A place may free up, {{ name }}")
        page.get_by_label("Message").fill("Dear {{ name }},\n\nYou are on the waiting list for {{ event }}. "
                                          "Your link: {{ manage_link }}\n\nThe organisers")
        page.get_by_role("button", name="Preview").click()
        assert "Dear Invited Guest Number" in page.locator(".message-preview").inner_text()
        _check(page, "message-compose")
        page.get_by_role("button", name="Continue").click()
        assert "will go to 2 people" in page.locator(".notice").inner_text()
        _check(page, "message-confirm")
