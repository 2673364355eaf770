"""Reading an attendee list (CSV or XLSX) into rows keyed by what each column means, whatever its header says.
Pure: no database, no request."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from ..rules import RuleBroken

MAX_ROWS = 20_000
MAX_CELL_CHARS = 2_000

# What each column means -> the headers accepted for it, compared without case, spaces, dashes or underscores.
# The import page and the README list these.
HEADERS: dict[str, tuple[str, ...]] = {
    "full_name": ("name", "full name", "attendee", "attendee name", "participant", "participant name"),
    "given_name": ("first name", "given name", "forename", "first"),
    "family_name": ("last name", "family name", "surname", "last"),
    "email": ("email", "e-mail", "email address", "e-mail address", "mail"),
    "organisation": ("organisation", "organization", "company", "institution", "employer", "affiliation",
                     "organisation name", "organization name"),
    "organisation_kind": ("organisation kind", "organization kind", "organisation type", "organization type",
                          "kind", "type", "sector"),
    "country": ("country", "country code", "country name"),
    "job_title": ("job title", "title", "position", "job", "role"),
    "preferences": ("preferences", "sessions", "session preferences", "ranked sessions", "choices"),
    "accessibility_needs": ("accessibility", "accessibility needs"),
    "dietary_needs": ("dietary", "dietary needs", "dietary requirements", "diet"),
}
LABELS = {
    "full_name": "Name", "given_name": "First name", "family_name": "Last name", "email": "E-mail",
    "organisation": "Organisation", "organisation_kind": "Kind of organisation", "country": "Country",
    "job_title": "Job title", "preferences": "Preferences", "accessibility_needs": "Accessibility needs",
    "dietary_needs": "Dietary needs",
}


def _key(header: str) -> str:
    return re.sub(r"[\s_\-.]+", "", header.strip().lower())


_BY_KEY = {_key(header): column for column, headers in HEADERS.items() for header in headers}


class ImportFileError(RuleBroken):
    """The file as a whole cannot be read as an attendee list; `message` says why, for the upload field."""

    field = "file"


@dataclass(frozen=True)
class AttendeeFile:
    columns: dict[str, int]  # meaning -> position in a row
    ignored: list[str]  # headers that mean nothing to the import
    rows: list[tuple[int, dict[str, str]]]  # (line in the file, meaning -> text), blank lines left out


def map_headers(headers: list[str]) -> tuple[dict[str, int], list[str]]:
    columns: dict[str, int] = {}
    ignored = []
    for index, header in enumerate(headers):
        column = _BY_KEY.get(_key(header or ""))
        if column is None or column in columns:
            if (header or "").strip():
                ignored.append(header.strip())
            continue
        columns[column] = index
    if "email" not in columns:
        raise ImportFileError("The file has no e-mail column: its first row must name the columns, one of them "
                              "“email” (or “E-mail”, “Email address”).")
    if "full_name" not in columns and "given_name" not in columns:
        raise ImportFileError("The file has no name column: name the column “name”, or give “First name” and "
                              "“Last name” columns.")
    return columns, ignored


def read_attendee_file(filename: str, data: bytes) -> AttendeeFile:
    """The rows of a CSV or XLSX file whose first row names the columns. Raises ImportFileError."""
    if not data:
        raise ImportFileError("The file is empty.")
    is_xlsx = filename.lower().endswith((".xlsx", ".xlsm")) or data[:2] == b"PK"
    lines = _xlsx_lines(data) if is_xlsx else _csv_lines(data)
    try:
        _, headers = next(lines)
    except StopIteration:
        raise ImportFileError("The file is empty.") from None
    columns, ignored = map_headers([str(h or "") for h in headers])
    rows = []
    for line, cells in lines:
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportFileError(f"The file has more than {MAX_ROWS:,} attendees: split it into smaller files.")
        rows.append((line, {column: cells[index].strip()[:MAX_CELL_CHARS] if index < len(cells) else ""
                            for column, index in columns.items()}))
    return AttendeeFile(columns, ignored, rows)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")  # what Excel on Windows writes as "CSV"


def _csv_lines(data: bytes) -> Iterator[tuple[int, list[str]]]:
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for cells in reader:
            yield reader.line_num, cells
    except csv.Error as error:
        raise ImportFileError(f"The file is not a CSV file this import can read (line {reader.line_num}).") from error


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_lines(data: bytes) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise ImportFileError("The file is not an XLSX workbook this import can read. Save it as .xlsx or .csv."
                              ) from error
    try:
        sheet = book.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell(value) for value in values]
    finally:
        book.close()
