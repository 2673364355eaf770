"""The survey's public surface: what views, the CLI, the report, the certificates and tests call."""

from __future__ import annotations

from dataclasses import dataclass

from ..models import Event, Registration, Survey
from .answering import AlreadyAnswered, Answers, answers_of, get_response, questions_for, submit, update
from .attendance import checked_in_ids, is_checked_in, sessions_attended, sessions_attended_by
from .building import (
    QuestionData,
    SurveyError,
    SurveySettings,
    add_question,
    close_now,
    create_default_survey,
    delete_question,
    get_question,
    get_survey,
    is_open,
    move_question,
    reopen,
    save_settings,
    update_question,
)
from .results import (
    Quote,
    ResponseCounts,
    event_wide_results,
    may_read_session,
    picked_answer_ids,
    quote_candidates,
    quotes_by_session,
    readable_sessions,
    response_counts,
    save_quote_picks,
    session_ratings,
    session_results,
)
from .sending import count_to_send, invitation_for, send_reminders, send_survey


def send_when_finished(event: Event) -> int:
    """The automatic send when an event finishes: the default survey if the organiser made none. Returns how
    many were queued (0 for a closed or empty survey: an organiser who closed it meant it)."""
    survey = get_survey(event) or create_default_survey(event)
    if not is_open(survey) or not survey.questions:
        return 0
    return send_survey(survey)


@dataclass(frozen=True)
class AfterEvent:
    survey: bool  # the survey was sent to this person
    answered: bool
    certificate: bool  # checked in, so a certificate of attendance is theirs


def after_event(registration: Registration) -> AfterEvent:
    """What the manage page offers after the event: two cheap queries, none for an event without a survey."""
    survey = survey_for_attendee(registration)
    answered = survey is not None and get_response(survey, registration) is not None
    return AfterEvent(survey=survey is not None, answered=answered, certificate=is_checked_in(registration))


def survey_for_attendee(registration: Registration) -> Survey | None:
    """The event's survey if it was sent to this person, else None."""
    survey = get_survey(registration.event)
    if survey is None or invitation_for(survey, registration) is None:
        return None
    return survey


__all__ = [
    "AfterEvent", "AlreadyAnswered", "Answers", "after_event",
    "QuestionData", "Quote", "ResponseCounts", "SurveyError", "SurveySettings",
    "add_question", "answers_of", "checked_in_ids", "close_now", "count_to_send", "create_default_survey",
    "delete_question", "event_wide_results", "get_question", "get_response", "get_survey", "invitation_for",
    "is_checked_in", "is_open", "may_read_session", "move_question", "picked_answer_ids", "questions_for",
    "quote_candidates", "quotes_by_session", "readable_sessions", "reopen", "response_counts", "save_quote_picks",
    "save_settings", "send_reminders", "send_survey", "send_when_finished", "session_ratings", "session_results",
    "sessions_attended", "sessions_attended_by", "submit", "survey_for_attendee", "update", "update_question",
]
