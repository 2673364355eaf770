"""The survey's answers as CSV or XLSX: one row per response, in the columns an admin picks, through the report's
export writers (the same formula guarding and file shapes as the registrations export)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Organisation, QuestionKind, Registration, Survey, SurveyResponse
from ..templating import format_local_time

TIME_FORMAT = "%Y-%m-%d %H:%M"


@dataclass(frozen=True)
class ExportColumn:
    key: str
    label: str
    value: Callable[[dict], str | int | None]


PERSON_COLUMNS = (
    ExportColumn("id", "Registration no.", lambda r: r["id"]),
    ExportColumn("full_name", "Name", lambda r: r["full_name"]),
    ExportColumn("email", "E-mail", lambda r: r["email"]),
    ExportColumn("organisation", "Organisation", lambda r: r["organisation"]),
    ExportColumn("submitted_at", "Answered at", lambda r: r["submitted_at"]),
    ExportColumn("updated_at", "Last changed at", lambda r: r["updated_at"]),
    ExportColumn("quote_consent", "May be quoted", lambda r: r["quote_consent"]),
)
DEFAULT_PERSON_COLUMNS = ("id", "full_name", "organisation", "quote_consent")


def columns(survey: Survey) -> list[ExportColumn]:
    def answer(qid: int) -> Callable[[dict], str | int | None]:
        return lambda r: r["answers"].get(qid, "")

    return [*PERSON_COLUMNS, *(ExportColumn(f"q{q.id}", f"Q{i}. {q.text}", answer(q.id))
                               for i, q in enumerate(survey.questions, start=1))]


def default_columns(survey: Survey) -> list[str]:
    return [*DEFAULT_PERSON_COLUMNS, *(f"q{q.id}" for q in survey.questions)]


def _rows(survey: Survey) -> list[dict]:
    tz = survey.event.timezone
    kinds = {q.id: q.kind for q in survey.questions}
    rows = []
    for response, org in db.session.execute(
        select(SurveyResponse, Organisation.name)
        .join(Registration, Registration.id == SurveyResponse.registration_id)
        .outerjoin(Organisation, Organisation.id == Registration.organisation_id)
        .where(SurveyResponse.survey_id == survey.id)
        .options(selectinload(SurveyResponse.answers), selectinload(SurveyResponse.registration))
        .order_by(SurveyResponse.submitted_at, SurveyResponse.id)
    ):
        answers = {}
        for a in response.answers:
            kind = kinds.get(a.question_id)
            answers[a.question_id] = a.rating if kind == QuestionKind.RATING else (
                "; ".join(a.choices) if kind == QuestionKind.MULTIPLE else (a.text or ""))
        reg = response.registration
        rows.append({
            "id": reg.id, "full_name": reg.full_name, "email": reg.email, "organisation": org or "",
            "submitted_at": format_local_time(response.submitted_at, tz, TIME_FORMAT),
            "updated_at": format_local_time(response.updated_at, tz, TIME_FORMAT),
            "quote_consent": response.quote_consent.value if response.quote_consent else "",
            "answers": answers,
        })
    return rows


def answers_file(survey: Survey, keys: list[str], file_format: str) -> tuple[bytes, str, str]:
    """(data, mimetype, filename) of the answers in the chosen columns."""
    from ..report import exports

    by_key = {c.key: c for c in columns(survey)}
    chosen = [by_key[k] for k in keys if k in by_key]
    header = [c.label for c in chosen]
    body = [[exports.defuse(c.value(row)) for c in chosen] for row in _rows(survey)]
    data, mimetype = exports.spreadsheet(header, body, file_format, title="Survey answers")
    return data, mimetype, f"{survey.event.slug}-survey-answers.{file_format}"
