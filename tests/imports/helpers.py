"""Attendee files for the import tests, made in memory: CSV text and real XLSX workbooks (openpyxl)."""

from __future__ import annotations

import io

from openpyxl import Workbook

HEADER = ["name", "email", "organisation", "organisation_kind", "country", "job_title", "preferences"]


def person(i: int, **overrides) -> dict:
    row = {"name": f"Guest {i}", "email": f"guest{i}@example.org", "organisation": "Ministry of Planning",
           "organisation_kind": "government", "country": "KE", "job_title": "Adviser", "preferences": "2; 1"}
    row.update(overrides)
    return row


def csv_bytes(rows: list[dict], header: list[str] | None = None, delimiter: str = ",") -> bytes:
    import csv

    header = header or list(rows[0].keys())
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    keys = list(rows[0].keys())
    for row in rows:
        writer.writerow([row[k] for k in keys])
    return out.getvalue().encode()


def xlsx_bytes(rows: list[dict], header: list[str] | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    header = header or list(rows[0].keys())
    sheet.append(header)
    for row in rows:
        sheet.append(list(row.values()))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
