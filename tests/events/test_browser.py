"""In Chromium, by labels: an admin creates an event with two slots and four sessions and publishes it; a visitor
registers for it from the home page. Screenshots of the pages at 1280 and 390 px go to EVENTAPP_SCREENSHOTS if set."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from eventapp.models import utcnow

from ..browser import SHOTS, chromium_page, shoot
from ..live import live_server

pytestmark = pytest.mark.browser



def _shoot(page, name: str) -> None:
    """The page at a laptop's and at a phone's width (when EVENTAPP_SCREENSHOTS is set)."""
    if not SHOTS:
        return
    size = page.viewport_size
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        shoot(page, name)
    page.set_viewport_size(size)
    page.evaluate("() => window.scrollTo(0, 0)")


def test_an_admin_sets_up_an_event_and_a_visitor_registers(make_app):
    app = make_app(WTF_CSRF_ENABLED=True, MAIL_DELIVERY="off")
    with app.app_context():
        from eventapp.auth.service import create_staff_user
        from eventapp.extensions import db

        create_staff_user("organiser@example.org", "correct horse battery", "admin")
        db.session.commit()
    day = (utcnow() + timedelta(days=60)).strftime("%Y-%m-%d")
    with live_server(app) as base, chromium_page(viewport={"width": 1280, "height": 900}) as page:
        page.goto(f"{base}/login")
        page.get_by_label("E-mail").fill("organiser@example.org")
        page.get_by_label("Password").fill("correct horse battery")
        page.get_by_role("button", name="Log in").click()
        page.get_by_role("link", name="Organiser").click()
        page.get_by_role("link", name="Create an event").click()
        page.get_by_label("Name", exact=True).fill("Nairobi Forum on Peer Learning")
        page.get_by_label("Short name").fill("NFPL")
        page.get_by_label("Tagline").fill("Learning from each other across Africa's civil services")
        page.get_by_label("Description").fill("A day of *peer learning* between civil services.")
        page.get_by_label("Time zone").select_option(label="Africa/Nairobi")
        page.get_by_label("Starts").fill(f"{day}T09:00")
        page.get_by_label("Ends").fill(f"{day}T17:30")
        page.get_by_label("Venue", exact=True).fill("Kenya School of Government")
        page.get_by_label("Venue address").fill("Lower Kabete Road, Nairobi, Kenya")
        page.get_by_label("Capacity").fill("120")
        page.get_by_label("Data controller").fill("Kenya School of Government")
        page.get_by_label("Privacy contact").fill("privacy@ksg.example")
        page.get_by_label("Months data is kept after the event").fill("12")
        _shoot(page, "settings-new")
        page.get_by_role("button", name="Create the event").click()
        expect(page.locator("main")).to_contain_text("is created as a draft")
        assert page.url.endswith("/organiser/events/nairobi-forum-on-peer-learning")
        assert "Draft · staff only" in page.inner_text("main")

        page.get_by_role("link", name="Partners").click()
        for name, short, kind, country in (("Kenya School of Government", "KSG", "Government / civil service", "Kenya"),
                                           ("African Capacity Building Foundation", "ACBF", "Multilateral organisation",
                                            "Zimbabwe")):
            page.get_by_label("Organisation").fill(name)
            page.get_by_label("Short name").fill(short)
            page.get_by_label("Kind").select_option(label=kind)
            page.get_by_label("Country").select_option(label=country)
            page.get_by_label("Description").fill(f"{name} convenes the forum.")
            page.get_by_role("button", name="Save partner").click()
        _shoot(page, "partners")

        page.get_by_role("link", name="Programme", exact=True).click()
        for label, starts, ends in (("Morning parallel sessions", "10:30", "12:00"),
                                    ("Afternoon parallel sessions", "14:00", "15:30")):
            page.get_by_label("Name").fill(label)
            page.get_by_label("Starts").fill(f"{day}T{starts}")
            page.get_by_label("Ends").fill(f"{day}T{ends}")
            page.get_by_role("button", name="Add slot").click()
        sessions = [("Digital records for accountable ministries", "KSG", "Morning parallel sessions", "Hall A"),
                    ("Peer reviews between revenue authorities", "ACBF", "Morning parallel sessions", "Hall B"),
                    ("Sustaining reform after the project ends", "KSG", "Afternoon parallel sessions", "Hall A"),
                    ("Funding peer partnerships well", "ACBF", "Afternoon parallel sessions", "Hall B")]
        leads = {"KSG": "Kenya School of Government", "ACBF": "African Capacity Building Foundation"}
        for title, lead, slot, room in sessions:
            page.get_by_role("link", name="Add a themed session").click()
            page.get_by_label("Title").fill(title)
            page.get_by_label("Lead partner").select_option(label=leads[lead])
            page.get_by_label("Time slot").select_option(label=slot)
            page.get_by_label("Room").fill(room)
            page.get_by_label("Capacity").fill("40")
            page.get_by_role("button", name="Save session").click()
        assert page.get_by_role("button", name="Remove Funding peer partnerships well").count() == 1
        _shoot(page, "programme")
        page.get_by_role("link", name="Preview public page").click()
        assert "This event is a draft" in page.inner_text("main")
        _shoot(page, "event-preview")
        page.go_back()
        page.get_by_role("link", name="Overview").click()
        page.get_by_role("button", name="Publish").click()
        expect(page.locator("main")).to_contain_text("Nairobi Forum on Peer Learning: Published.")
        _shoot(page, "overview")

    with live_server(app) as base, chromium_page(viewport={"width": 390, "height": 844}) as visitor:
        visitor.goto(base)
        _shoot(visitor, "home")
        visitor.get_by_role("link", name="Nairobi Forum on Peer Learning", exact=True).click()
        main = visitor.inner_text("main")
        assert "10:30–12:00 · Hall A" in main and "Kenya School of Government convenes the forum." in main
        _shoot(visitor, "event")
        visitor.go_back()
        visitor.get_by_role("link", name="Register").click()
        visitor.get_by_label("Full name").fill("Achieng Odhiambo")
        visitor.get_by_label("E-mail address", exact=True).fill("achieng@example.org")
        visitor.get_by_label("Country").select_option(label="Kenya")
        visitor.get_by_label("Organisation", exact=True).fill("Cabinet Office of Kenya")
        visitor.get_by_label("Kind of organisation").select_option(label="Government / civil service")
        visitor.get_by_label("1st choice").select_option(label="Funding peer partnerships well")
        visitor.get_by_label("I have read the privacy notice").check()
        visitor.get_by_role("button", name="Register").click()
        visitor.wait_for_url("**/register/sent")  # the link to the registration goes by mail, and only there
        assert "achieng@example.org" in visitor.inner_text("main")
        _shoot(visitor, "sent")
        visitor.go_back()
        visitor.get_by_role("link", name="privacy notice").first.click()
        assert "Kenya School of Government" in visitor.inner_text("main")
        _shoot(visitor, "privacy")
    with app.app_context():
        from sqlalchemy import select

        from eventapp.extensions import db
        from eventapp.models import Event, Registration

        event = db.session.execute(select(Event)).scalar_one()
        assert [s.title for s in event.themed_sessions] == [s[0] for s in sessions]
        assert len(event.time_slots) == 2
        person = db.session.execute(select(Registration)).scalar_one()
        assert person.event_id == event.id and person.preferences[0].themed_session.title == sessions[3][0]
