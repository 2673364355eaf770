"""The survey end to end: sent through a real SMTP server to the people who came, answered in Chromium by the
labels a person reads, on a phone-sized screen, with and without JavaScript."""

from __future__ import annotations

import re

import pytest

from eventapp.extensions import db
from eventapp.models import QuestionKind, QuoteConsent, Registration, Survey
from eventapp.survey import service
from eventapp.survey.building import DO_DIFFERENTLY

from ..browser import chromium_page
from ..live import live_server
from .conftest import seed_after_event

LINK = re.compile(r"http://localhost(/manage/[\w-]+/survey)")


def test_the_survey_is_mailed_to_checked_in_people_only(make_app, smtp):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, MAIL_DELIVERY="inline")
    with app.app_context():
        after = seed_after_event()
        result = app.test_cli_runner().invoke(args=["survey", "send", after.event.slug])
        assert result.exit_code == 0, result.output
        received = {r.rcpt_tos[0]: r.message for r in smtp.received}
        assert set(received) == {p.email for p in after.came}
        person = after.came[0]
        body = received[person.email].get_content()
        assert LINK.search(body).group(1) == f"/manage/{person.manage_secret}/survey"
        assert received[person.email]["Subject"] == service.get_survey(after.event).title


@pytest.mark.browser
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_answer_in_chromium_by_labels_on_a_phone(make_app, smtp, javascript):
    app = make_app(WTF_CSRF_ENABLED=True, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port,
                   MAIL_DELIVERY="inline")
    with app.app_context():
        after = seed_after_event()
        survey = service.create_default_survey(after.event)
        service.send_survey(survey)
        from eventapp.mail.service import deliver_pending

        deliver_pending()
        person = next(p for p in after.came if after.attended(p.id))
        session_title = next(ts.title for ts in after.event.themed_sessions if ts.id in after.attended(person.id))
        mail = next(r.message for r in smtp.received if r.rcpt_tos == [person.email])
        path = LINK.search(mail.get_content()).group(1)
        other_titles = [ts.title for ts in after.event.themed_sessions if ts.id not in after.attended(person.id)]
        survey_id, person_id = survey.id, person.id
    with live_server(app) as base, chromium_page(viewport={"width": 390, "height": 844},
                                                 java_script_enabled=javascript) as page:
        page.goto(base + path)
        for title in other_titles:  # sessions they did not attend are not asked about
            assert title not in page.inner_text("main")
        rating = page.get_by_role("group", name=f"How useful was the session “{session_title}”?")
        rating.get_by_label("4", exact=True).check()
        page.get_by_label(DO_DIFFERENTLY).fill("Pair our budget office with a peer ministry")
        page.get_by_role("group", name="Can we quote your answers in the report?").get_by_label(
            "Yes, anonymously").check()
        # nothing wider than the phone's screen
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.get_by_role("button", name="Send my answers").click()
        assert "your answers are saved" in page.inner_text("main")
        # back later: the answers are there to change
        page.goto(base + path)
        assert page.get_by_label(DO_DIFFERENTLY).input_value() == "Pair our budget office with a peer ministry"
        rating = page.get_by_role("group", name=f"How useful was the session “{session_title}”?")
        assert rating.get_by_label("4", exact=True).is_checked()
        rating.get_by_label("5 (highest)").check()
        page.get_by_role("button", name="Save my changes").click()
        assert "Your changes are saved" in page.inner_text("main")
    with app.app_context():
        survey, person = db.session.get(Survey, survey_id), db.session.get(Registration, person_id)
        response = service.get_response(survey, person)
        values = service.answers_of(response).values
        rating_q = next(q for q in survey.questions if q.kind == QuestionKind.RATING and q.id in values)
        assert values[rating_q.id] == 5
        assert response.quote_consent == QuoteConsent.ANONYMOUS
        db.session.remove()
