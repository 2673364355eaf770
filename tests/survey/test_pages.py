"""The survey's pages through the test client: the organiser's survey, the attendee's answers, partner privacy,
the export, and the command line."""

from __future__ import annotations

import csv
import io

from markupsafe import escape
from sqlalchemy import select

from eventapp.extensions import db
from eventapp.models import OutboundMail, QuestionKind, QuoteConsent, StaffRole, SurveyResponse
from eventapp.survey import service

from ..conftest import log_in


def admin_client(app, staff):
    client = app.test_client()
    log_in(client, staff(StaffRole.ADMIN.value))
    return client


def test_organiser_makes_edits_and_sends_the_survey(app, staff, after):
    client = admin_client(app, staff)
    slug = after.event.slug
    page = client.get(f"/organiser/events/{slug}/survey")
    assert page.status_code == 200 and b"Make the survey" in page.data
    assert client.post(f"/organiser/events/{slug}/survey/actions", data={"action": "create"}).status_code == 303
    survey = service.get_survey(after.event)
    assert len(survey.questions) == len(after.event.themed_sessions) + 2

    # a choice question with one option: a sentence next to the field, nothing saved
    bad = client.post(f"/organiser/events/{slug}/survey/questions/new",
                      data={"kind": "single", "text": "How did you hear of us?", "options": "Colleague"})
    assert bad.status_code == 400
    assert b"at least two options" in bad.data
    good = client.post(f"/organiser/events/{slug}/survey/questions/new",
                       data={"kind": "single", "text": "How did you hear of us?", "options": "Colleague\nWebsite\n"})
    assert good.status_code == 303
    db.session.expire_all()
    question = service.get_survey(after.event).questions[-1]
    assert question.kind == QuestionKind.SINGLE and question.options == ["Colleague", "Website"]
    # move it up, then delete it
    client.post(f"/organiser/events/{slug}/survey/questions/{question.id}/change", data={"action": "up"})
    db.session.expire_all()
    assert service.get_survey(after.event).questions[-2].id == question.id
    client.post(f"/organiser/events/{slug}/survey/questions/{question.id}/change", data={"action": "delete"})
    db.session.expire_all()
    assert question.id not in [q.id for q in service.get_survey(after.event).questions]

    # settings: a reminder of 0 days is refused with a sentence
    settings = {"title": "Tell us", "introduction": "Hello", "reminder_days": "0", "ask_quote_consent": "y"}
    refused = client.post(f"/organiser/events/{slug}/survey", data=settings)
    assert refused.status_code == 400 and b"Between 1 and 60 days" in refused.data
    assert client.post(f"/organiser/events/{slug}/survey", data={**settings, "reminder_days": "5"}).status_code == 303

    sent = client.post(f"/organiser/events/{slug}/survey/actions", data={"action": "send"}, follow_redirects=True)
    assert f"queued for {len(after.came)} attendees".encode() in sent.data
    assert len(db.session.execute(select(OutboundMail).where(OutboundMail.kind == "survey")).scalars().all()) \
        == len(after.came)


def answer_data(survey, person, **overrides):
    data = {"mode": "new", "quote_consent": "anonymous"}
    for q in service.questions_for(survey, person):
        data[f"q{q.id}"] = "4" if q.kind == QuestionKind.RATING else "Build a peer network"
    data.update(overrides)
    return data


def test_attendee_answers_once_through_the_manage_link_and_edits(app, client, after):
    survey = service.create_default_survey(after.event)
    service.send_survey(survey)
    person = next(p for p in after.came if after.attended(p.id))
    url = f"/manage/{person.manage_secret}/survey"
    page = client.get(url)
    assert page.status_code == 200 and b"Send my answers" in page.data
    manage = client.get(f"/manage/{person.manage_secret}")
    assert url.encode() in manage.data

    # a rating that is not one of 1..5: the sentence next to that question, nothing saved
    rating = next(q for q in service.questions_for(survey, person) if q.kind == QuestionKind.RATING)
    bad = client.post(url, data=answer_data(survey, person, **{f"q{rating.id}": "9"}))
    assert bad.status_code == 400 and b"Choose a rating from 1 to 5." in bad.data
    assert service.get_response(survey, person) is None

    assert client.post(url, data=answer_data(survey, person)).status_code == 303
    # the same first submission again (a second tab, a double click): refused, the first answers kept
    again = client.post(url, data=answer_data(survey, person, **{f"q{rating.id}": "1"}))
    assert again.status_code == 409 and b"already answered" in again.data
    db.session.expire_all()
    assert service.answers_of(service.get_response(survey, person)).values[rating.id] == 4
    # an edit: the page now says so and keeps the change
    assert b"Save my changes" in client.get(url).data
    assert client.post(url, data=answer_data(survey, person, mode="edit", **{f"q{rating.id}": "2"})).status_code == 303
    db.session.expire_all()
    assert service.answers_of(service.get_response(survey, person)).values[rating.id] == 2
    # closed: no more changes
    service.close_now(survey)
    closed = client.post(url, data=answer_data(survey, person, mode="edit", **{f"q{rating.id}": "5"}))
    assert closed.status_code == 303
    db.session.expire_all()
    assert service.answers_of(service.get_response(survey, person)).values[rating.id] == 2
    assert b"The survey has closed" in client.get(url).data


def test_no_survey_page_for_someone_it_was_not_sent_to(client, after):
    survey = service.create_default_survey(after.event)
    service.send_survey(survey)
    assert client.get(f"/manage/{after.absent[0].manage_secret}/survey").status_code == 404
    assert client.post(f"/manage/{after.absent[0].manage_secret}/survey",
                       data=answer_data(survey, after.absent[0])).status_code == 404
    assert db.session.execute(select(SurveyResponse)).first() is None
    assert client.get("/manage/not-a-secret/survey").status_code == 404


def test_text_typed_by_an_attendee_is_shown_as_text(app, staff, client, after):
    survey = service.create_default_survey(after.event)
    service.send_survey(survey)
    person = after.came[0]
    client.post(f"/manage/{person.manage_secret}/survey",
                data=answer_data(survey, person, **{f"q{survey.questions[-2].id}": "<script>alert(1)</script>"}))
    page = admin_client(app, staff).get(f"/organiser/events/{after.event.slug}/survey/answers")
    assert b"<script>alert(1)</script>" not in page.data
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in page.data


def test_a_partner_sees_its_own_session_and_gets_404_for_another(app, staff, after):
    survey = service.create_default_survey(after.event)
    service.send_survey(survey)
    own, other = after.event.themed_sessions[0], after.event.themed_sessions[1]
    editor = staff(StaffRole.REPORT_EDITOR.value, organisation=own.lead_organisation)
    client = app.test_client()
    log_in(client, editor)
    slug = after.event.slug
    assert client.get(f"/organiser/events/{slug}/survey/sessions/{own.id}").status_code == 200
    assert client.get(f"/organiser/events/{slug}/survey/sessions/{other.id}").status_code == 404
    assert client.post(f"/organiser/events/{slug}/survey/sessions/{other.id}", data={"quotes": []}).status_code == 404
    answers = client.get(f"/organiser/events/{slug}/survey/answers")
    assert answers.status_code == 200
    assert str(escape(own.title)).encode() in answers.data
    assert str(escape(other.title)).encode() not in answers.data
    assert client.get(f"/organiser/events/{slug}/survey").status_code == 403  # the organiser's page: admins


def test_export_of_the_answers_guards_formulas_and_offers_columns(app, staff, after):
    survey = service.create_default_survey(after.event)
    service.send_survey(survey)
    person = after.came[0]
    person.full_name = "=HYPERLINK(\"http://evil\")"
    db.session.commit()
    follow_up = next(q for q in survey.questions if q.kind == QuestionKind.SHORT_TEXT)
    service.submit(survey, person, service.Answers({follow_up.id: "+1 Jane"}, QuoteConsent.NAMED))
    client = admin_client(app, staff)
    url = f"/organiser/events/{after.event.slug}/survey/export"
    assert client.get(url).status_code == 200
    response = client.get(url, query_string={"columns": ["full_name", f"q{follow_up.id}", "quote_consent"],
                                             "file_format": "csv"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["Name", f"Q{survey.questions.index(follow_up) + 1}. {follow_up.text}", "May be quoted"]
    assert rows[1] == ["'=HYPERLINK(\"http://evil\")", "'+1 Jane", "named"]
    xlsx = client.get(url, query_string={"columns": ["full_name"], "file_format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    assert client.get(url, query_string={"file_format": "csv"}).status_code == 400  # no column chosen


def test_cli_send_queues_for_checked_in_attendees_and_says_how_many(app, after):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["survey", "send", after.event.slug])
    assert result.exit_code == 0, result.output
    assert f"Queued the survey for {len(after.came)} attendees." in result.output
    again = runner.invoke(args=["survey", "send", after.event.slug])
    assert "Queued the survey for 0 attendees." in again.output
    assert runner.invoke(args=["survey", "send", "no-such-event"]).exit_code != 0
    assert "Queued 0 reminders." in runner.invoke(args=["survey", "remind"]).output
