"""Organiser exports: registrations with their check-ins as CSV or XLSX in the columns an organiser picks,
and the door list, a printable PDF for checking people in without a network.

Spreadsheet programs run a cell that starts with = + - @ (or a tab or carriage return) as a formula, and
names, organisations and dietary notes are typed by attendees. CSV cells that start so get a leading
apostrophe; XLSX cells are written as typed strings (never formulas), and get the same apostrophe, so both
files read alike and neither can run anything. Every CSV field is also quoted: a spreadsheet whose list
separator is ";" (or a tab) would otherwise split "Org;=1+1" into a cell that starts "=", after any defusing.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from ..countries import country_name
from ..extensions import db
from ..models import (
    ORGANISATION_KIND_LABELS,
    Assignment,
    CheckIn,
    Event,
    Organisation,
    Registration,
    RegistrationStatus,
    ThemedSession,
)
from ..templating import format_local_time

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TIME_FORMAT = "%Y-%m-%d %H:%M"

STATUS_FILTERS = {
    "confirmed": ("Confirmed places", (RegistrationStatus.CONFIRMED,)),
    "live": ("Confirmed and waiting list", (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)),
    "all": ("Everyone, cancellations included", tuple(RegistrationStatus)),
}


@dataclass
class ExportRow:
    """One registration with what the exports can show about it; times already in the event's zone."""

    id: int
    full_name: str
    given_name: str
    family_name: str
    email: str
    organisation: str
    organisation_kind: str
    country: str
    job_title: str
    status: str
    registered_at: str
    consent_listed: str
    dietary_needs: str
    accessibility_needs: str
    sort_key: str
    assigned_sessions: list[str] = field(default_factory=list)
    door_check_in: str = ""
    sessions_attended: list[str] = field(default_factory=list)
    session_check_in_times: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    value: Callable[[ExportRow], str | int]
    default: bool = False


def _joined(items: list[str]) -> str:
    return "; ".join(items)


COLUMNS: tuple[Column, ...] = (
    Column("id", "Registration no.", lambda r: r.id, True),
    Column("full_name", "Name", lambda r: r.full_name, True),
    Column("given_name", "Given name", lambda r: r.given_name),
    Column("family_name", "Family name", lambda r: r.family_name),
    Column("email", "E-mail", lambda r: r.email),
    Column("organisation", "Organisation", lambda r: r.organisation, True),
    Column("organisation_kind", "Kind of organisation", lambda r: r.organisation_kind),
    Column("country", "Country", lambda r: r.country),
    Column("job_title", "Job title", lambda r: r.job_title),
    Column("status", "Status", lambda r: r.status, True),
    Column("registered_at", "Registered at", lambda r: r.registered_at),
    Column("consent_listed", "Agreed to be listed", lambda r: r.consent_listed),
    Column("dietary_needs", "Dietary needs", lambda r: r.dietary_needs),
    Column("accessibility_needs", "Accessibility needs", lambda r: r.accessibility_needs),
    Column("assigned_sessions", "Assigned session", lambda r: _joined(r.assigned_sessions), True),
    Column("door_check_in", "Checked in at the door", lambda r: r.door_check_in, True),
    Column("sessions_attended", "Session attended", lambda r: _joined(r.sessions_attended), True),
    Column("session_check_in_times", "Session check-in time", lambda r: _joined(r.session_check_in_times)),
)
COLUMNS_BY_KEY = {c.key: c for c in COLUMNS}
DEFAULT_COLUMNS = tuple(c.key for c in COLUMNS if c.default)


def export_rows(event: Event, statuses: Sequence[RegistrationStatus],
                ids: Sequence[int] | None = None) -> list[ExportRow]:
    """Registrations of the event with the given statuses (and among `ids`, an organiser's selection, if given),
    sorted by family name; three queries."""
    tz = event.timezone
    rows: dict[int, ExportRow] = {}
    query = (
        select(Registration, Organisation.name, Organisation.kind)
        .outerjoin(Organisation, Organisation.id == Registration.organisation_id)
        .where(Registration.event_id == event.id, Registration.status.in_(list(statuses)))
    )
    if ids is not None:
        query = query.where(Registration.id.in_(list(ids)))
    for reg, org_name, org_kind in db.session.execute(query):
        family = reg.family_name or ""
        rows[reg.id] = ExportRow(
            id=reg.id, full_name=reg.full_name, given_name=reg.given_name or "", family_name=family,
            email=reg.email, organisation=org_name or "",
            organisation_kind=ORGANISATION_KIND_LABELS.get(org_kind, "") if org_kind else "",
            country=country_name(reg.country), job_title=reg.job_title or "", status=reg.status.value,
            registered_at=format_local_time(reg.created_at, tz, TIME_FORMAT),
            consent_listed="yes" if reg.consent_listed else "no",
            dietary_needs=reg.dietary_needs or "", accessibility_needs=reg.accessibility_needs or "",
            sort_key=f"{(family or reg.full_name).casefold()}\0{reg.full_name.casefold()}\0{reg.id:09d}",
        )
    titles = {ts.id: ts.title for ts in event.themed_sessions}
    for rid, sid in db.session.execute(
        select(Assignment.registration_id, Assignment.themed_session_id)
        .join(ThemedSession, ThemedSession.id == Assignment.themed_session_id)
        .where(ThemedSession.event_id == event.id)
        .order_by(Assignment.time_slot_id)
    ):
        if rid in rows:
            rows[rid].assigned_sessions.append(titles.get(sid, ""))
    session_times: dict[int, list[tuple[datetime, str]]] = defaultdict(list)
    for rid, sid, at in db.session.execute(
        select(CheckIn.registration_id, CheckIn.themed_session_id, CheckIn.checked_in_at)
        .where(CheckIn.event_id == event.id, CheckIn.undone_at.is_(None))
        .order_by(CheckIn.checked_in_at)
    ):
        row = rows.get(rid)
        if row is None:
            continue
        if sid is None:
            row.door_check_in = format_local_time(at, tz, TIME_FORMAT)
        else:
            session_times[rid].append((at, titles.get(sid, "")))
    for rid, items in session_times.items():
        rows[rid].sessions_attended = [title for _, title in items]
        rows[rid].session_check_in_times = [format_local_time(at, tz, TIME_FORMAT) for at, _ in items]
    return sorted(rows.values(), key=lambda r: r.sort_key)


def defuse(value):
    """A cell a spreadsheet will show as text, never run: a leading apostrophe before = + - @ tab CR."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def table(rows: Iterable[ExportRow], columns: Sequence[str]) -> tuple[list[str], list[list]]:
    chosen = [COLUMNS_BY_KEY[key] for key in columns]
    header = [c.label for c in chosen]
    body = [[defuse(c.value(row)) for c in chosen] for row in rows]
    return header, body


def to_csv(header: list[str], body: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow(header)
    writer.writerows(body)
    # UTF-8 with a byte-order mark, so spreadsheet programs read names in every script correctly.
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(header: list[str], body: list[list], title: str = "Registrations") -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    bold = Font(bold=True)
    header_cells = []
    for label in header:
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for values in body:
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # a string is stored as a string, even one openpyxl would take for a formula
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


MIMETYPES = {"csv": "text/csv; charset=utf-8",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def spreadsheet(header: list[str], body: list[list], file_format: str, title: str = "Registrations"
                ) -> tuple[bytes, str]:
    """The table as a file of `file_format` ("csv" or "xlsx"): (data, mimetype)."""
    if file_format == "xlsx":
        return to_xlsx(header, body, title=title), MIMETYPES["xlsx"]
    return to_csv(header, body), MIMETYPES["csv"]


def export_filename(event: Event, extension: str) -> str:
    return f"{event.slug}-registrations.{extension}"


# --- The door list -----------------------------------------------------------------------------------------


def door_list_pdf(event: Event, progress=None) -> bytes:
    """Confirmed registrations sorted by family name, with organisation, session and a box to tick."""
    from flask import render_template

    from .pdf import render_pdf

    if progress:
        progress(0, 3, "Reading the registrations…")
    rows = export_rows(event, (RegistrationStatus.CONFIRMED,))
    html = render_template("report/door_list.html", event=event, rows=rows,
                           printed_at=format_local_time(_now(), event.timezone, "%d %B %Y, %H:%M"))
    return render_pdf(html, progress, steps=(1, 3))


def _now():
    from ..models import utcnow

    return utcnow()
