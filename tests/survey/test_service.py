"""The survey's rules: the default survey, who it is sent to, answering once, editing until it closes, reminders."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from eventapp.extensions import db
from eventapp.models import (
    OutboundMail,
    QuestionKind,
    QuoteConsent,
    SurveyInvitation,
    SurveyResponse,
    utcnow,
)
from eventapp.survey import service
from eventapp.survey.building import DO_DIFFERENTLY, FOLLOW_UP


def mails(kind: str) -> list[OutboundMail]:
    return list(db.session.execute(select(OutboundMail).where(OutboundMail.kind == kind)
                                   .order_by(OutboundMail.id)).scalars())


def test_the_default_survey_is_made_from_the_event(after):
    survey = service.create_default_survey(after.event)
    sessions = after.event.themed_sessions
    ratings = [q for q in survey.questions if q.kind == QuestionKind.RATING]
    assert [q.themed_session_id for q in ratings] == [ts.id for ts in sessions]
    assert all(ts.title in q.text for q, ts in zip(ratings, sessions, strict=True))
    texts = [q.text for q in survey.questions if q.themed_session_id is None]
    assert texts == [DO_DIFFERENTLY, FOLLOW_UP]
    assert survey.ask_quote_consent
    assert service.create_default_survey(after.event).id == survey.id  # made once


def test_it_goes_to_checked_in_attendees_only_and_never_twice(after):
    survey = service.create_default_survey(after.event)
    assert service.count_to_send(survey) == len(after.came)
    assert service.send_survey(survey) == len(after.came)
    sent = mails("survey")
    assert sorted(m.registration_id for m in sent) == sorted(p.id for p in after.came)
    absent_ids = {p.id for p in after.absent} | {after.waitlisted.id}
    assert not absent_ids & {m.registration_id for m in sent}
    assert all(f"/manage/{p.manage_secret}/survey" in next(m.body_text for m in sent if m.registration_id == p.id)
               for p in after.came)
    assert service.send_survey(survey) == 0
    assert len(mails("survey")) == len(after.came)


def test_session_questions_are_asked_only_of_those_who_attended(after):
    survey = service.create_default_survey(after.event)
    for person in after.came:
        asked = {q.themed_session_id for q in service.questions_for(survey, person)} - {None}
        assert asked == after.attended(person.id)
    assert any(not ids for ids in after.at_session.values())  # a session without session check-in is covered


def _answers(survey, person, consent=QuoteConsent.ANONYMOUS, text="Start a peer exchange", rating=4):
    values = {}
    for q in service.questions_for(survey, person):
        values[q.id] = rating if q.kind == QuestionKind.RATING else text
    return service.Answers(values, consent)


def test_answer_once_then_edit_until_it_closes(after):
    survey = service.create_default_survey(after.event)
    service.send_survey(survey)
    person = after.came[0]
    service.submit(survey, person, _answers(survey, person))
    with pytest.raises(service.AlreadyAnswered):
        service.submit(survey, person, _answers(survey, person, text="A second go"))
    assert db.session.execute(select(func.count()).select_from(SurveyResponse)).scalar_one() == 1
    response = service.get_response(survey, person)
    service.update(survey, response, _answers(survey, person, text="Changed my mind", rating=5))
    db.session.expire_all()
    values = service.answers_of(service.get_response(survey, person)).values
    assert "Changed my mind" in values.values() and 5 in values.values()
    service.close_now(survey)
    with pytest.raises(service.SurveyError, match="closed"):
        service.update(survey, service.get_response(survey, person), _answers(survey, person, text="Too late"))
    db.session.expire_all()
    assert "Too late" not in service.answers_of(service.get_response(survey, person)).values.values()


@pytest.mark.parametrize("value, message", [(0, "1 to 5"), (6, "1 to 5"), (-1, "1 to 5")])
def test_a_rating_out_of_range_is_refused_and_nothing_saved(after, value, message):
    survey = service.create_default_survey(after.event)
    service.send_survey(survey)
    person = next(p for p in after.came if after.attended(p.id))
    with pytest.raises(service.SurveyError, match=message):
        service.submit(survey, person, _answers(survey, person, rating=value))
    assert service.get_response(survey, person) is None


def test_the_quote_question_must_be_answered_when_asked(after):
    survey = service.create_default_survey(after.event)
    service.send_survey(survey)
    with pytest.raises(service.SurveyError) as caught:
        service.submit(survey, after.came[0], _answers(survey, after.came[0], consent=None))
    assert caught.value.field == "quote_consent"


def test_one_reminder_after_the_days_set_to_those_who_have_not_answered(after):
    survey = service.create_default_survey(after.event)
    survey.reminder_days = 3
    db.session.commit()
    sent_at = utcnow() - timedelta(days=10)
    service.send_survey(survey, now=sent_at)
    answered = after.came[0]
    service.submit(survey, answered, _answers(survey, answered), now=sent_at + timedelta(days=1))
    assert service.send_reminders(now=sent_at + timedelta(days=2)).reminded == 0  # not due yet
    report = service.send_reminders(now=sent_at + timedelta(days=3, minutes=1))
    assert report.reminded == len(after.came) - 1
    assert {m.registration_id for m in mails("survey_reminder")} == {p.id for p in after.came} - {answered.id}
    assert service.send_reminders(now=sent_at + timedelta(days=9)).reminded == 0  # once
    assert len(mails("survey_reminder")) == len(after.came) - 1
    assert db.session.execute(select(func.count()).select_from(SurveyInvitation)
                              .where(SurveyInvitation.reminded_at.is_not(None))).scalar_one() == len(after.came) - 1


def test_no_reminders_once_the_survey_has_closed(after):
    survey = service.create_default_survey(after.event)
    survey.reminder_days = 1
    db.session.commit()
    service.send_survey(survey, now=utcnow() - timedelta(days=5))
    service.close_now(survey)
    assert service.send_reminders().reminded == 0


def test_a_closed_or_empty_survey_is_not_sent(after):
    survey = service.create_default_survey(after.event)
    service.close_now(survey)
    with pytest.raises(service.SurveyError, match="closed"):
        service.send_survey(survey)
    service.reopen(survey)
    for question in list(survey.questions):
        service.delete_question(question)
    with pytest.raises(service.SurveyError, match="no questions"):
        service.send_survey(survey)


def test_the_automatic_send_when_the_event_finishes_makes_the_default_survey(after):
    assert service.get_survey(after.event) is None
    assert service.send_when_finished(after.event) == len(after.came)
    assert service.get_survey(after.event) is not None
    assert service.send_when_finished(after.event) == 0  # nobody twice
    service.close_now(service.get_survey(after.event))
    assert service.send_when_finished(after.event) == 0  # an organiser who closed it meant it


def test_marking_the_event_finished_sends_the_survey_to_those_who_came(after):
    from datetime import timedelta

    from eventapp.events.lifecycle import take_step
    from eventapp.models import EventState

    take_step(after.event, "finish", now=after.event.starts_at + timedelta(hours=9))
    assert after.event.state == EventState.FINISHED
    survey = service.get_survey(after.event)
    assert survey is not None and survey.questions
    assert service.send_when_finished(after.event) == 0  # everyone who came has had it already
    sent_to = {service.invitation_for(survey, r) is not None for r in after.came}
    assert sent_to == {True}
