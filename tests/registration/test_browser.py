"""The registration form in a real browser: filled in by its labels, with JavaScript as a person has it."""

import re

import pytest

from ..browser import chromium_page
from ..live import live_server
from .helpers import registration_by_email


def outbox_body(registration):
    from eventapp.extensions import db
    from eventapp.models import OutboundMail

    return db.session.query(OutboundMail).filter_by(registration_id=registration.id).one().body_text

pytestmark = pytest.mark.browser


def test_register_in_the_browser_and_see_the_field_error(make_app, demo_event):
    app = make_app(WTF_CSRF_ENABLED=True, MAIL_DELIVERY="off")  # the real form, CSRF token and all
    slug = demo_event.slug
    second_session = demo_event.themed_sessions[1].title
    with live_server(app) as base, chromium_page() as page:
        page.goto(f"{base}/events/{slug}/register")
        # an empty e-mail: the error appears next to the field and what was typed stays
        page.get_by_label("Full name").fill("Wanjiru Mwangi")
        page.get_by_role("button", name="Register").click()
        error = page.locator("#email-error")
        assert error.inner_text() == "Enter your e-mail address."
        assert page.get_by_label("Full name").input_value() == "Wanjiru Mwangi"

        page.get_by_label("E-mail address", exact=True).fill("wanjiru@example.org")
        page.get_by_label("Job title or role").fill("Head of Governance")
        page.get_by_label("Country").select_option(label="Kenya")
        page.get_by_label("Organisation", exact=True).fill("Cabinet Office of Kenya")
        page.get_by_label("Kind of organisation").select_option(label="Government / civil service")
        page.get_by_label("1st choice").select_option(label=second_session)
        page.get_by_label("Dietary needs").fill("Vegetarian")
        page.get_by_label("I have read the privacy notice").check()
        page.get_by_role("button", name="Register").click()
        page.wait_for_url("**/register/sent")
        assert "We have sent a message to wanjiru@example.org" in page.inner_text("main")
        with app.app_context():
            registration = registration_by_email("wanjiru@example.org")
            assert registration.country == "KE"
            assert registration.preferences[0].themed_session.title == second_session
            link = re.search(r"http\S+/manage/\S+", outbox_body(registration)).group(0)
        page.goto(link.replace(app.config["PUBLIC_BASE_URL"].rstrip("/"), base))
        assert "Your place is confirmed" in page.inner_text("main")
        assert page.get_by_label("Full name").input_value() == "Wanjiru Mwangi"


def test_organisations_are_suggested_as_you_type_when_there_are_many(make_app, demo_event):
    from eventapp.extensions import db
    from eventapp.registration.organisations import ORGANISATIONS_IN_PAGE

    from .test_organisation_suggestions import confirm_organisations

    app = make_app(MAIL_DELIVERY="off")
    with app.app_context():
        confirm_organisations(db, db.session.get(type(demo_event), demo_event.id), [f"Ministry of Example Affairs {i:04d}"
                                               for i in range(ORGANISATIONS_IN_PAGE + 10)])
    with live_server(app) as base, chromium_page() as page:
        page.goto(f"{base}/events/{demo_event.slug}/register")
        assert page.locator("#organisation-names option").count() == 0  # not in the page: too many
        page.get_by_label("Organisation", exact=True).press_sequentially("affairs 020")
        page.wait_for_selector("#organisation-names option", state="attached")
        values = page.eval_on_selector_all("#organisation-names option", "options => options.map(o => o.value)")
        assert values == [f"Ministry of Example Affairs {i:04d}" for i in range(200, 210)]
