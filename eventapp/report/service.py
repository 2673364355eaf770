"""Report rules over the database: who may read and write which section, the introduction, the figures' rows,
the annex of participants, and the whole report's content as the templates need it.

Privacy of drafts lives here, in one place: `may_edit()` says who may read a section's text before it is
ready (admins, and report editors of the session's lead organisation). Everything that shows section text,
the preview and the PDF alike, gets it from `report_content()`, which leaves out the text of every section
the viewer may not read; the PDF is built with no viewer at all, so it holds ready sections only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..countries import country_name
from ..extensions import db
from ..models import (
    ORGANISATION_KIND_LABELS,
    Assignment,
    CheckIn,
    Event,
    Organisation,
    Registration,
    ReportSection,
    SectionStatus,
    StaffRole,
    StaffUser,
    ThemedSession,
    utcnow,
)
from . import charts
from .annex import Annex, annex, kind_label
from .feedback import Feedback, load_feedback
from .figures import (
    AssignmentRow,
    CheckInRow,
    GroupFigure,
    PersonRow,
    ReportFigures,
    SessionRow,
    compute_figures,
)
from .markdown import render_markdown

SECTION_PARTS = (
    ("narrative", None),
    ("key_findings", "Key findings"),
    ("lessons", "Lessons"),
    ("open_questions", "Ongoing questions"),
)
# Countries drawn one bar each; the rest share one bar (the table beside the chart lists every country).
CHART_COUNTRIES = 14


class SectionNotFound(LookupError):
    """No such themed session at this event, or one whose draft this person may not see: the same answer."""


# --- Who may do what ----------------------------------------------------------------------------------------


def may_edit(user: StaffUser | None, themed_session: ThemedSession) -> bool:
    """Admins, and report editors of the session's lead organisation, may read its draft and write it."""
    if user is None or not user.is_active:
        return False
    if user.role == StaffRole.ADMIN:
        return True
    return user.role == StaffRole.REPORT_EDITOR and user.organisation_id == themed_session.lead_organisation_id


def _sections_by_session(event: Event) -> dict[int, ReportSection]:
    rows = db.session.execute(
        select(ReportSection).join(ThemedSession, ThemedSession.id == ReportSection.themed_session_id)
        .where(ThemedSession.event_id == event.id)
    ).scalars()
    return {s.themed_session_id: s for s in rows}


@dataclass(frozen=True)
class SectionState:
    themed_session: ThemedSession
    status: SectionStatus | None  # None: nobody has started it
    updated_at: datetime | None
    editable: bool


def section_states(event: Event, user: StaffUser) -> list[SectionState]:
    """Every themed session's section: its status (never its text), and whether this person may edit it."""
    sections = _sections_by_session(event)
    states = []
    for ts in event.themed_sessions:
        section = sections.get(ts.id)
        states.append(SectionState(
            themed_session=ts,
            status=section.status if section else None,
            updated_at=section.updated_at if section else None,
            editable=may_edit(user, ts),
        ))
    return states


def section_for_editing(event: Event, themed_session_id: int, user: StaffUser) -> tuple[ThemedSession, ReportSection]:
    """The session and its section (a new, unsaved draft if none yet); SectionNotFound for anyone else's."""
    themed_session = next((ts for ts in event.themed_sessions if ts.id == themed_session_id), None)
    if themed_session is None or not may_edit(user, themed_session):
        raise SectionNotFound(themed_session_id)
    section = db.session.execute(
        select(ReportSection).where(ReportSection.themed_session_id == themed_session.id)
    ).scalar_one_or_none()
    if section is None:
        section = ReportSection(themed_session_id=themed_session.id, narrative="", key_findings="", lessons="",
                                open_questions="", status=SectionStatus.DRAFT)
    return themed_session, section


# --- The introduction --------------------------------------------------------------------------------------


def default_introduction(event: Event) -> str:
    """The introduction as Markdown, from what the event knows: what it was, who convened, funded and opened it."""
    day = f"{event.start_date.day} {event.start_date:%B %Y}"
    lines = [f"The {_without_article(event.name)} was held on {day} ({event.venue})."]
    if event.summary:
        lines.append("")
        lines.append(event.summary.strip())
    convenors = event.convenors
    if convenors:
        lines += ["", "It was convened by the following organisations:", ""]
        for org in convenors:
            description = f": {org.description.strip()}" if org.description else ""
            lines.append(f"- **{org.name}**{description}")
    if event.funder is not None:
        lines += ["", f"The conference was funded by {event.funder.name}."]
    if event.opening:
        lines += ["", event.opening.strip()]
    sessions = event.themed_sessions
    if sessions:
        lines += ["", f"The conference considered {len(sessions)} key topics:", ""]
        lines += [f"- {ts.title} (led by {ts.lead_organisation.name})" for ts in sessions]
    lines += [
        "",
        "This report captures some of the key findings, lessons and ongoing questions that emerged, with each "
        "section drafted by the partner organisation that led the session.",
    ]
    return "\n".join(lines)


def _without_article(name: str) -> str:
    return name[4:] if name.lower().startswith("the ") else name


def introduction_text(event: Event) -> str:
    return event.report_introduction if (event.report_introduction or "").strip() else default_introduction(event)


def save_introduction(event: Event, text: str) -> None:
    event.report_introduction = (text or "").replace("\r\n", "\n").strip() or None
    db.session.commit()


# --- Figures -----------------------------------------------------------------------------------------------


def figure_rows(event: Event) -> tuple[list[PersonRow], list[AssignmentRow], list[CheckInRow], list[SessionRow]]:
    """The plain rows figures.py counts: four queries, no ORM objects."""
    people = [
        PersonRow(rid, status.value if hasattr(status, "value") else status,
                  kind.value if hasattr(kind, "value") else kind, country)
        for rid, status, kind, country in db.session.execute(
            select(Registration.id, Registration.status, Organisation.kind, Registration.country)
            .outerjoin(Organisation, Organisation.id == Registration.organisation_id)
            .where(Registration.event_id == event.id)
        )
    ]
    assignments = [
        AssignmentRow(rid, sid) for rid, sid in db.session.execute(
            select(Assignment.registration_id, Assignment.themed_session_id)
            .join(Registration, Registration.id == Assignment.registration_id)
            .where(Registration.event_id == event.id)
        )
    ]
    check_ins = [
        CheckInRow(rid, sid, at) for rid, sid, at in db.session.execute(
            select(CheckIn.registration_id, CheckIn.themed_session_id, CheckIn.checked_in_at)
            .where(CheckIn.event_id == event.id, CheckIn.undone_at.is_(None))
        )
    ]
    sessions = [SessionRow(ts.id, ts.title, ts.lead_organisation.name) for ts in event.themed_sessions]
    return people, assignments, check_ins, sessions


def load_figures(event: Event) -> ReportFigures:
    people, assignments, check_ins, sessions = figure_rows(event)
    return compute_figures(people, assignments, check_ins, sessions, timezone=event.timezone,
                           kind_label=kind_label, country_label=country_name)


@dataclass(frozen=True)
class Charts:
    attendance: Markup
    sessions: Markup
    by_kind: Markup
    by_country: Markup
    arrivals: Markup


def _country_chart_rows(groups: list[GroupFigure]) -> list[charts.BarRow]:
    shown = groups if len(groups) <= CHART_COUNTRIES + 1 else groups[:CHART_COUNTRIES]
    rows = [charts.BarRow(g.label, (g.registered, g.checked_in)) for g in shown]
    rest = groups[len(shown):]
    if rest:
        rows.append(charts.BarRow(
            f"{len(rest)} other countries and not given",
            (sum(g.registered for g in rest), sum(g.checked_in for g in rest)),
        ))
    return rows


def draw_charts(figures: ReportFigures, for_print: bool = True) -> Charts:
    a = figures.attendance
    both = ("Registered", "Checked in")
    return Charts(
        attendance=charts.bar_chart(
            "Registrations and attendance",
            [charts.BarRow("Registered (confirmed places)", (a.registered,)),
             charts.BarRow("Checked in", (a.checked_in,)),
             charts.BarRow("No-shows", (a.no_shows,))],
            ("People",), "chart-attendance", for_print,
        ),
        sessions=charts.bar_chart(
            "Themed sessions: assigned and attended",
            [charts.BarRow(f"{s.position}. {s.title}", (s.assigned, s.attended)) for s in figures.sessions],
            ("Assigned", "Attended"), "chart-sessions", for_print,
        ),
        by_kind=charts.bar_chart(
            "By kind of organisation", [charts.BarRow(g.label, (g.registered, g.checked_in)) for g in figures.by_kind],
            both, "chart-kind", for_print,
        ),
        by_country=charts.bar_chart("By country", _country_chart_rows(figures.by_country), both, "chart-country",
                                    for_print),
        arrivals=charts.arrivals_chart("Arrivals over time", figures.arrivals, figures.bin_minutes, "chart-arrivals",
                                       for_print),
    )


# --- The whole report --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SectionPart:
    heading: str | None
    html: Markup


@dataclass(frozen=True)
class ReportSectionView:
    anchor: str
    position: int
    title: str
    lead: str
    shown: bool  # False: not ready (or not the viewer's to read); its text is not here at all
    draft: bool  # shown in a preview to someone who may read the draft
    parts: list[SectionPart]


@dataclass(frozen=True)
class ReportContent:
    event: Event
    introduction: Markup
    sections: list[ReportSectionView]
    figures: ReportFigures
    charts: Charts
    annex: Annex
    generated_at: datetime
    kind_labels: dict = field(default_factory=lambda: ORGANISATION_KIND_LABELS)
    feedback: Feedback | None = None  # the survey's figures and quotes; None when no survey was sent

    @property
    def date_text(self) -> str:
        day = self.event.start_date
        return f"{day.day} {day:%B %Y}"


def report_content(event: Event, viewer: StaffUser | None = None, for_print: bool = True) -> ReportContent:
    """What the report says. With no viewer (the PDF), ready sections only; a viewer's preview adds the drafts
    that viewer may read, marked as drafts. No other draft's text is ever read into the result. `for_print`
    draws the charts for WeasyPrint; a browser gets charts with their text in the SVG."""
    sections = _sections_by_session(event)
    views = []
    for i, ts in enumerate(event.themed_sessions, start=1):
        section = sections.get(ts.id)
        ready = section is not None and section.status == SectionStatus.READY
        readable_draft = section is not None and not ready and viewer is not None and may_edit(viewer, ts)
        shown = ready or readable_draft
        parts = []
        if shown:
            for name, heading in SECTION_PARTS:
                html = render_markdown(getattr(section, name))
                if html:
                    parts.append(SectionPart(heading, html))
        views.append(ReportSectionView(
            anchor=f"section-{i}", position=i, title=ts.title, lead=ts.lead_organisation.name,
            shown=shown, draft=readable_draft, parts=parts,
        ))
    people, assignments, check_ins, session_rows = figure_rows(event)
    figures = compute_figures(people, assignments, check_ins, session_rows, timezone=event.timezone,
                              kind_label=kind_label, country_label=country_name)
    return ReportContent(
        event=event,
        introduction=render_markdown(introduction_text(event)),
        sections=views,
        figures=figures,
        charts=draw_charts(figures, for_print),
        annex=annex(event, check_ins),
        generated_at=utcnow(),
        feedback=load_feedback(event, figures, for_print),
    )


def load_event(slug: str) -> Event | None:
    from ..events.service import get_event

    return get_event(slug)


def event_for_report(event_id: int) -> Event | None:
    return db.session.execute(
        select(Event).where(Event.id == event_id).options(selectinload(Event.partner_links))
    ).unique().scalar_one_or_none()
