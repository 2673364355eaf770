"""Reading the answers: who may see which, the tallies, the quotes partners pick, and the rows the report counts.

A partner's report editor sees the answers about the themed sessions their organisation led and the answers to
the event-wide questions, never another partner's session (the same rule as the report's drafts, `may_edit`).
Names go with an answer only where its author consented to be quoted by name; anonymous consent shows no
name; without consent an answer can be read by the partner but never quoted.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import delete, func, select

from ..extensions import db
from ..models import (
    Organisation,
    QuestionKind,
    QuoteConsent,
    Registration,
    StaffUser,
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyQuestion,
    SurveyQuote,
    SurveyResponse,
    ThemedSession,
    utcnow,
)
from .building import SurveyError

ANONYMOUS = "An attendee (anonymous)"
NOT_FOR_QUOTING = "Not for quoting"
QUOTABLE = (QuoteConsent.NAMED, QuoteConsent.ANONYMOUS)


def may_read_session(user: StaffUser | None, themed_session: ThemedSession) -> bool:
    from ..report.service import may_edit

    return may_edit(user, themed_session)


def attribution(consent: QuoteConsent | None, full_name: str, organisation: str | None) -> str:
    if consent == QuoteConsent.NAMED:
        return f"{full_name}, {organisation}" if organisation else full_name
    if consent == QuoteConsent.ANONYMOUS:
        return ANONYMOUS
    return NOT_FOR_QUOTING


@dataclass(frozen=True)
class TextAnswer:
    answer_id: int
    text: str
    attribution: str
    quotable: bool


@dataclass
class QuestionResult:
    question: SurveyQuestion
    answered: int = 0
    ratings: Counter = field(default_factory=Counter)  # rating -> people
    choices: Counter = field(default_factory=Counter)  # option -> people
    texts: list[TextAnswer] = field(default_factory=list)

    @property
    def mean(self) -> float | None:
        n = sum(self.ratings.values())
        return sum(r * c for r, c in self.ratings.items()) / n if n else None


def _results(questions: list[SurveyQuestion]) -> list[QuestionResult]:
    results = {q.id: QuestionResult(q) for q in questions}
    if not results:
        return []
    rows = db.session.execute(
        select(SurveyAnswer.id, SurveyAnswer.question_id, SurveyAnswer.rating, SurveyAnswer.text,
               SurveyResponse.quote_consent, Registration.full_name, Organisation.name)
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .join(Registration, Registration.id == SurveyResponse.registration_id)
        .outerjoin(Organisation, Organisation.id == Registration.organisation_id)
        .where(SurveyAnswer.question_id.in_(list(results)))
        .order_by(SurveyResponse.submitted_at, SurveyAnswer.id)
    )
    for answer_id, qid, rating, text, consent, full_name, org in rows:
        result = results[qid]
        result.answered += 1
        kind = result.question.kind
        if kind == QuestionKind.RATING:
            result.ratings[rating] += 1
        elif kind.has_options:
            result.choices.update((text or "").splitlines())
        else:
            result.texts.append(TextAnswer(answer_id, text or "", attribution(consent, full_name, org),
                                           consent in QUOTABLE))
    return list(results.values())


def event_wide_results(survey: Survey) -> list[QuestionResult]:
    return _results([q for q in survey.questions if q.themed_session_id is None])


def session_results(survey: Survey, themed_session: ThemedSession) -> list[QuestionResult]:
    return _results([q for q in survey.questions if q.themed_session_id == themed_session.id])


def readable_sessions(survey: Survey, user: StaffUser) -> list[ThemedSession]:
    return [ts for ts in survey.event.themed_sessions if may_read_session(user, ts)]


# --- quotes ------------------------------------------------------------------------------------------------


def quote_candidates(survey: Survey, themed_session: ThemedSession) -> list[tuple[SurveyQuestion, TextAnswer]]:
    """Text answers a partner may quote in this session's section: to the event-wide questions and to this
    session's own, from people who consented to be quoted."""
    questions = [q for q in survey.questions if q.kind.is_text
                 and q.themed_session_id in (None, themed_session.id)]
    return [(r.question, t) for r in _results(questions) for t in r.texts if t.quotable]


def picked_answer_ids(themed_session: ThemedSession) -> set[int]:
    return set(db.session.execute(
        select(SurveyQuote.answer_id).where(SurveyQuote.themed_session_id == themed_session.id)).scalars())


def save_quote_picks(survey: Survey, themed_session: ThemedSession, answer_ids: set[int], by: StaffUser) -> int:
    """The section's quotes become exactly these answers. Commits; SurveyError for one that may not be quoted."""
    allowed = {t.answer_id for _, t in quote_candidates(survey, themed_session)}
    if not answer_ids <= allowed:
        raise SurveyError("One of the answers chosen can no longer be quoted (its author withdrew consent or "
                          "changed it). Look at the list again.")
    kept = picked_answer_ids(themed_session)
    db.session.execute(delete(SurveyQuote).where(SurveyQuote.themed_session_id == themed_session.id,
                                                 SurveyQuote.answer_id.not_in(answer_ids)))
    db.session.add_all(SurveyQuote(answer_id=aid, themed_session_id=themed_session.id, picked_by_id=by.id,
                                   picked_at=utcnow()) for aid in sorted(answer_ids - kept))
    db.session.commit()
    return len(answer_ids)


@dataclass(frozen=True)
class Quote:
    text: str
    attribution: str


def quotes_by_session(survey: Survey) -> dict[int, list[Quote]]:
    """themed session id -> its picked quotes, as their authors consent now (a withdrawn consent drops it)."""
    quotes: dict[int, list[Quote]] = {}
    for sid, text, consent, full_name, org in db.session.execute(
        select(SurveyQuote.themed_session_id, SurveyAnswer.text, SurveyResponse.quote_consent,
               Registration.full_name, Organisation.name)
        .join(SurveyAnswer, SurveyAnswer.id == SurveyQuote.answer_id)
        .join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .join(Registration, Registration.id == SurveyResponse.registration_id)
        .outerjoin(Organisation, Organisation.id == Registration.organisation_id)
        .where(SurveyQuestion.survey_id == survey.id, SurveyResponse.quote_consent.in_(QUOTABLE))
        .order_by(SurveyQuote.picked_at, SurveyQuote.id)
    ):
        if text:
            quotes.setdefault(sid, []).append(Quote(text, attribution(consent, full_name, org)))
    return quotes


# --- counts ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResponseCounts:
    invited: int
    responded: int
    reminded: int

    @property
    def rate(self) -> float:
        return self.responded / self.invited if self.invited else 0.0


def response_counts(survey: Survey) -> ResponseCounts:
    invited, reminded = db.session.execute(
        select(func.count(), func.count(SurveyInvitation.reminded_at)).where(SurveyInvitation.survey_id == survey.id)
    ).one()
    responded = db.session.execute(
        select(func.count()).select_from(SurveyResponse).where(SurveyResponse.survey_id == survey.id)
    ).scalar_one()
    return ResponseCounts(invited=invited, responded=responded, reminded=reminded)


def session_ratings(survey: Survey) -> dict[int, list[int]]:
    """themed session id -> every rating given to that session's rating questions."""
    ratings: dict[int, list[int]] = {}
    for sid, rating in db.session.execute(
        select(SurveyQuestion.themed_session_id, SurveyAnswer.rating)
        .join(SurveyAnswer, SurveyAnswer.question_id == SurveyQuestion.id)
        .where(SurveyQuestion.survey_id == survey.id, SurveyQuestion.kind == QuestionKind.RATING,
               SurveyQuestion.themed_session_id.is_not(None), SurveyAnswer.rating.is_not(None))
    ):
        ratings.setdefault(sid, []).append(rating)
    return ratings
