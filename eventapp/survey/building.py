"""The organiser's side of a survey: the default one made from the event, its settings, its questions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from ..extensions import db
from ..models import Event, QuestionKind, Survey, SurveyAnswer, SurveyQuestion, utcnow


class SurveyError(Exception):
    """A survey rule refused what was asked; the message is a sentence for the person who asked."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


DO_DIFFERENTLY = "What will you do differently after today?"
FOLLOW_UP = "Which peer would you like to follow up with?"
RATING_HELP = "1 means not useful at all, 5 means very useful."


def session_rating_text(title: str) -> str:
    return f"How useful was the session “{title}”?"


def get_survey(event: Event) -> Survey | None:
    return db.session.execute(select(Survey).where(Survey.event_id == event.id)).scalar_one_or_none()


def create_default_survey(event: Event) -> Survey:
    """The survey made from the event: a rating per themed session (asked of those who attended it), the two
    open questions, and the quote-consent question. Commits; an event that has a survey keeps it."""
    existing = get_survey(event)
    if existing is not None:
        return existing
    survey = Survey(
        event_id=event.id, title=f"Your feedback on {event.name}", ask_quote_consent=True, reminder_days=7,
        introduction=(f"Thank you for coming to {event.name}. Please tell us what you took away from the day: it "
                      "takes about five minutes, and the partners who led the sessions read every answer."),
    )
    questions = [
        SurveyQuestion(kind=QuestionKind.RATING, text=session_rating_text(ts.title), help=RATING_HELP,
                       themed_session_id=ts.id, required=False)
        for ts in event.themed_sessions
    ]
    questions.append(SurveyQuestion(kind=QuestionKind.LONG_TEXT, text=DO_DIFFERENTLY, required=False))
    questions.append(SurveyQuestion(kind=QuestionKind.SHORT_TEXT, text=FOLLOW_UP, required=False))
    for position, question in enumerate(questions):
        question.position = position
    survey.questions = questions
    db.session.add(survey)
    db.session.commit()
    return survey


@dataclass(frozen=True)
class SurveySettings:
    title: str
    introduction: str
    reminder_days: int | None
    closes_at: datetime | None
    ask_quote_consent: bool


def save_settings(survey: Survey, settings: SurveySettings, now: datetime | None = None) -> Survey:
    now = now or utcnow()
    if settings.closes_at is not None and settings.closes_at <= now and (
            survey.closes_at is None or settings.closes_at != survey.closes_at):
        raise SurveyError("The closing time must be in the future. To close the survey now, use “Close now”.",
                          "closes_at")
    survey.title = settings.title.strip()
    survey.introduction = settings.introduction.replace("\r\n", "\n").strip()
    survey.reminder_days = settings.reminder_days
    survey.closes_at = settings.closes_at
    survey.ask_quote_consent = settings.ask_quote_consent
    db.session.commit()
    return survey


def close_now(survey: Survey, now: datetime | None = None) -> None:
    survey.closes_at = now or utcnow()
    db.session.commit()


def reopen(survey: Survey) -> None:
    survey.closes_at = None
    db.session.commit()


def is_open(survey: Survey, now: datetime | None = None) -> bool:
    return survey.closes_at is None or (now or utcnow()) < survey.closes_at


@dataclass(frozen=True)
class QuestionData:
    kind: QuestionKind
    text: str
    help: str
    required: bool
    options: list[str]
    themed_session_id: int | None


def _answer_count(question: SurveyQuestion) -> int:
    return db.session.execute(
        select(func.count()).select_from(SurveyAnswer).where(SurveyAnswer.question_id == question.id)
    ).scalar_one()


def _check(survey: Survey, data: QuestionData) -> None:
    if data.kind.has_options and len(data.options) < 2:
        raise SurveyError("Give at least two options, one a line.", "options")
    if len(set(data.options)) != len(data.options):
        raise SurveyError("Each option must be different.", "options")
    if data.themed_session_id is not None and data.themed_session_id not in {
            ts.id for ts in survey.event.themed_sessions}:
        raise SurveyError("Choose one of this event's themed sessions.", "themed_session_id")


def _apply(question: SurveyQuestion, data: QuestionData) -> None:
    question.kind = data.kind
    question.text = data.text.strip()
    question.help = data.help.strip() or None
    question.required = data.required
    question.options_text = "\n".join(data.options) if data.kind.has_options else ""
    question.themed_session_id = data.themed_session_id


def add_question(survey: Survey, data: QuestionData) -> SurveyQuestion:
    _check(survey, data)
    question = SurveyQuestion(survey_id=survey.id, position=max((q.position for q in survey.questions), default=-1) + 1)
    _apply(question, data)
    survey.questions.append(question)
    db.session.commit()
    return question


def update_question(question: SurveyQuestion, data: QuestionData) -> SurveyQuestion:
    _check(question.survey, data)
    if _answer_count(question):
        if data.kind != question.kind:
            raise SurveyError("This question has answers already, so its kind cannot change. Add a new question "
                              "instead.", "kind")
        if data.kind.has_options and not set(question.options) <= set(data.options):
            raise SurveyError("This question has answers already: options can be added, not removed or renamed.",
                              "options")
    _apply(question, data)
    db.session.commit()
    return question


def get_question(survey: Survey, question_id: int) -> SurveyQuestion | None:
    return next((q for q in survey.questions if q.id == question_id), None)


def delete_question(question: SurveyQuestion) -> int:
    """Deletes the question and its answers; returns how many answers went with it."""
    answers = _answer_count(question)
    survey = question.survey
    survey.questions.remove(question)
    db.session.flush()
    for position, q in enumerate(survey.questions):
        q.position = position
    db.session.commit()
    return answers


def move_question(question: SurveyQuestion, step: int) -> None:
    questions = list(question.survey.questions)
    i = questions.index(question)
    j = i + step
    if 0 <= j < len(questions):
        questions[i], questions[j] = questions[j], questions[i]
        for position, q in enumerate(questions):
            q.position = position
        db.session.commit()
