"""The feedback survey in the report: the response rate, each themed session's ratings beside who attended it
(a chart and its table), and the quotes each partner picked for its section, as their authors consented."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from markupsafe import Markup

from ..models import Event
from . import charts
from .figures import ReportFigures


@dataclass(frozen=True, slots=True)
class SessionRating:
    position: int
    title: str
    lead: str
    assigned: int
    attended: int | None  # None: session check-in was not used at this session
    counts: tuple[int, int, int, int, int]  # people who gave 1, 2, 3, 4, 5

    @property
    def raters(self) -> int:
        return sum(self.counts)

    @property
    def mean(self) -> float | None:
        return sum(i * n for i, n in enumerate(self.counts, start=1)) / self.raters if self.raters else None


@dataclass(frozen=True)
class Feedback:
    invited: int
    responded: int
    reminded: int
    sessions: list[SessionRating]
    chart: Markup
    quotes: dict[int, list] = field(default_factory=dict)  # section position -> survey Quote(text, attribution)

    @property
    def rate(self) -> float:
        return self.responded / self.invited if self.invited else 0.0


def session_ratings(figures: ReportFigures, ratings: dict[int, list[int]]) -> list[SessionRating]:
    """Pure: the figures' sessions with the ratings given to each (session id -> ratings 1..5)."""
    rows = []
    for s in figures.sessions:
        counter = Counter(ratings.get(s.session_id, ()))
        rows.append(SessionRating(
            position=s.position, title=s.title, lead=s.lead, assigned=s.assigned,
            attended=s.attended if s.session_check_in_used else None,
            counts=tuple(counter.get(i, 0) for i in range(1, 6)),
        ))
    return rows


def ratings_chart(rows: list[SessionRating], for_print: bool) -> Markup:
    bars = [charts.BarRow(f"{r.position}. {r.title}", (round(r.mean, 1) if r.mean is not None else 0,)) for r in rows]
    return charts.bar_chart("Average rating per themed session (1 to 5)", bars, ("Average rating",),
                            "chart-ratings", for_print, value_format="{:.1f}", axis_limit=5)


def load_feedback(event: Event, figures: ReportFigures, for_print: bool = True) -> Feedback | None:
    """The survey's part of the report, or None when the event's survey was never sent."""
    from ..survey import service as survey_service

    survey = survey_service.get_survey(event)
    if survey is None:
        return None
    counts = survey_service.response_counts(survey)
    if not counts.invited:
        return None
    rows = session_ratings(figures, survey_service.session_ratings(survey))
    by_session = survey_service.quotes_by_session(survey)
    quotes = {i: by_session[ts.id] for i, ts in enumerate(event.themed_sessions, start=1) if ts.id in by_session}
    return Feedback(invited=counts.invited, responded=counts.responded, reminded=counts.reminded, sessions=rows,
                    chart=ratings_chart(rows, for_print), quotes=quotes)
