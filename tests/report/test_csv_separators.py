"""CSV for every list separator: each field quoted, so a spreadsheet that splits on ";" or a tab finds no
formula in what an attendee typed."""

import csv
import io
import re

import pytest

from eventapp.demo.service import upsert_organisation
from eventapp.extensions import db
from eventapp.report import exports

from ..conftest import log_in

TYPED = {"full_name": "Ann;=2+2", "organisation": "Org;=1+1", "dietary_needs": "none\t=HYPERLINK(\"x\")",
         "job_title": 'Head, "R&D";@SUM(A1)'}
QUOTED_FIELD = r'"(?:[^"]|"")*"'


def _cells_as_a_spreadsheet_splits(line: str, separator: str) -> list[str]:
    """Split a CSV line as a spreadsheet whose list separator is `separator` does: not inside double quotes."""
    cells, cell, quoted = [], "", False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif char == separator and not quoted:
            cells.append(cell)
            cell = ""
            continue
        cell += char
    cells.append(cell)
    return [c[1:-1].replace('""', '"') if len(c) > 1 and c[0] == c[-1] == '"' else c for c in cells]


def _export(app, event, staff) -> str:
    client = app.test_client()
    log_in(client, staff("admin"))
    response = client.get(f"/organiser/events/{event.slug}/exports", query_string={
        "who": "all", "file_format": "csv",
        "columns": ["id", "full_name", "organisation", "job_title", "dietary_needs", "assigned_sessions"]})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return response.data.decode("utf-8-sig")


def test_every_field_is_quoted_and_reads_back_as_typed(app, world, staff):
    person = world.people[0]
    person.full_name, person.job_title, person.dietary_needs = (TYPED["full_name"], TYPED["job_title"],
                                                                TYPED["dietary_needs"])
    person.organisation = upsert_organisation(TYPED["organisation"], "ngo", "GB")
    db.session.commit()
    text = _export(app, world.event, staff)
    lines = text.split("\r\n")[:-1]
    assert len(lines) == 1 + len(world.people)
    for line in lines:
        assert re.fullmatch(rf"{QUOTED_FIELD}(,{QUOTED_FIELD})*", line), line
    row = next(r for r in csv.reader(io.StringIO(text)) if r[0] == str(person.id))
    assert row[1:5] == [TYPED["full_name"], TYPED["organisation"], TYPED["job_title"], TYPED["dietary_needs"]]


@pytest.mark.parametrize("separator", [";", "\t", ","])
def test_no_cell_is_a_formula_whatever_the_list_separator(app, world, staff, separator):
    person = world.people[0]
    person.full_name = "=cmd|' /C calc'!A0"
    person.organisation = upsert_organisation(TYPED["organisation"], "ngo", "GB")
    person.dietary_needs = TYPED["dietary_needs"]
    db.session.commit()
    for line in _export(app, world.event, staff).split("\r\n"):
        for cell in _cells_as_a_spreadsheet_splits(line, separator):
            assert not cell.startswith(exports.FORMULA_STARTS), (separator, line)


def test_to_csv_quotes_numbers_and_empty_cells_too():
    assert exports.to_csv(["No.", "Name"], [[7, ""], [8, "=1"]]).decode("utf-8-sig") == (
        '"No.","Name"\r\n"7",""\r\n"8","=1"\r\n')
