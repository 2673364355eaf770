"""An attendee's answers: the questions they are asked, one response each, changed until the survey closes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import (
    QuestionKind,
    QuoteConsent,
    Registration,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    utcnow,
)
from .attendance import sessions_attended_by
from .building import SurveyError, is_open

TEXT_LIMITS = {QuestionKind.SHORT_TEXT: 300, QuestionKind.LONG_TEXT: 5000}


class AlreadyAnswered(SurveyError):
    """A second first submission: the answers already given are kept."""


@dataclass
class Answers:
    """What a person gave: question id -> a rating, a text, or the chosen options; None for left blank."""

    values: dict[int, int | str | list[str] | None] = field(default_factory=dict)
    quote_consent: QuoteConsent | None = None


def questions_for(survey: Survey, registration: Registration) -> list[SurveyQuestion]:
    """The survey's questions this person is asked: those about a themed session only if they attended it."""
    attended = sessions_attended_by(registration)
    return [q for q in survey.questions if q.themed_session_id is None or q.themed_session_id in attended]


def get_response(survey: Survey, registration: Registration) -> SurveyResponse | None:
    return db.session.execute(
        select(SurveyResponse).where(SurveyResponse.survey_id == survey.id,
                                     SurveyResponse.registration_id == registration.id)
        .options(selectinload(SurveyResponse.answers))
    ).scalar_one_or_none()


def answers_of(response: SurveyResponse) -> Answers:
    values: dict[int, int | str | list[str] | None] = {}
    for answer in response.answers:
        kind = answer.question.kind
        if kind == QuestionKind.RATING:
            values[answer.question_id] = answer.rating
        elif kind == QuestionKind.MULTIPLE:
            values[answer.question_id] = answer.choices
        else:
            values[answer.question_id] = answer.text
    return Answers(values, response.quote_consent)


def _clean(question: SurveyQuestion, value) -> tuple[int | None, str | None]:
    """(rating, text) to store, or SurveyError naming the question's field; (None, None) for no answer."""
    name = f"q{question.id}"
    if value in (None, "", []):
        if question.required:
            raise SurveyError("Please answer this question.", name)
        return None, None
    if question.kind == QuestionKind.RATING:
        if not isinstance(value, int) or not 1 <= value <= 5:
            raise SurveyError("Choose a rating from 1 to 5.", name)
        return value, None
    if question.kind == QuestionKind.SINGLE:
        if value not in question.options:
            raise SurveyError("Choose one of the options.", name)
        return None, value
    if question.kind == QuestionKind.MULTIPLE:
        chosen = [v for v in question.options if v in set(value)]  # in the question's order
        if len(chosen) != len(set(value)):
            raise SurveyError("Choose among the options.", name)
        return None, "\n".join(chosen)
    text = str(value).replace("\r\n", "\n").strip()
    if len(text) > TEXT_LIMITS[question.kind]:
        raise SurveyError(f"Please keep this to {TEXT_LIMITS[question.kind]:,} characters.", name)
    return None, text or None


def _write(response: SurveyResponse, questions: list[SurveyQuestion], answers: Answers, survey: Survey) -> None:
    if survey.ask_quote_consent and answers.quote_consent is None:
        raise SurveyError("Please say whether we may quote you.", "quote_consent")
    cleaned = {q.id: _clean(q, answers.values.get(q.id)) for q in questions}  # everything checked before a write
    existing = {a.question_id: a for a in response.answers}
    for question in questions:
        rating, text = cleaned[question.id]
        answer = existing.get(question.id)
        if rating is None and text is None:
            if answer is not None:
                response.answers.remove(answer)
            continue
        if answer is None:
            answer = SurveyAnswer(question_id=question.id)
            response.answers.append(answer)
        answer.rating, answer.text = rating, text
    response.quote_consent = answers.quote_consent if survey.ask_quote_consent else None


def submit(survey: Survey, registration: Registration, answers: Answers,
           now: datetime | None = None) -> SurveyResponse:
    """The first answers of this person. Commits; AlreadyAnswered if they answered before (even a moment ago in
    another browser: the database holds one response per person)."""
    now = now or utcnow()
    if not is_open(survey, now):
        raise SurveyError("The survey has closed: answers can no longer be given.")
    if get_response(survey, registration) is not None:
        raise AlreadyAnswered("You have already answered this survey; your answers are below, and you can change "
                              "them until the survey closes.")
    response = SurveyResponse(survey_id=survey.id, registration_id=registration.id, submitted_at=now, updated_at=now,
                              answers=[])
    _write(response, questions_for(survey, registration), answers, survey)
    db.session.add(response)
    try:
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise AlreadyAnswered("You have already answered this survey; your answers are below, and you can change "
                              "them until the survey closes.") from error
    return response


def update(survey: Survey, response: SurveyResponse, answers: Answers, now: datetime | None = None) -> SurveyResponse:
    """Changed answers, until the survey closes. Commits."""
    now = now or utcnow()
    if not is_open(survey, now):
        raise SurveyError("The survey has closed: answers can no longer be changed.")
    _write(response, questions_for(survey, response.registration), answers, survey)
    response.updated_at = now
    db.session.commit()
    return response
