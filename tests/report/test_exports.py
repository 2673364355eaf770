"""Exports: the columns the organiser picks, check-in times and sessions attended, no formula a spreadsheet would
run, and the door list PDF."""

import csv
import io

from openpyxl import load_workbook
from sqlalchemy import select

from eventapp.extensions import db
from eventapp.models import Registration
from eventapp.report import exports

from ..conftest import log_in
from .conftest import LISTED, UNLISTED, pdftotext

HOSTILE = ['=HYPERLINK("http://evil.example","x")', "+1+2", "-3+4", "@SUM(A1)", "\tTab", "\rCR"]


def test_csv_has_the_picked_columns_checkins_and_no_formulas(app, world, staff):
    people = world.people
    for person, value in zip(people[10:16], HOSTILE, strict=True):
        person.full_name = value
    people[16].dietary_needs = "=1+1"
    db.session.commit()
    client = app.test_client()
    log_in(client, staff("admin"))
    url = f"/organiser/events/{world.event.slug}/exports"
    form = client.get(url).get_data(as_text=True)
    assert 'type="checkbox"' in form and "Checked in at the door" in form and "Session attended" in form
    response = client.get(url, query_string={"who": "all", "file_format": "csv", "columns": [
        "id", "full_name", "dietary_needs", "door_check_in", "sessions_attended", "session_check_in_times"]})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark for spreadsheet programs
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["Registration no.", "Name", "Dietary needs", "Checked in at the door", "Session attended",
                       "Session check-in time"]
    assert len(rows) == 1 + len(people)  # everyone, cancellations included
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(exports.FORMULA_STARTS), cell
    names = {row[1] for row in rows}
    for value in HOSTILE:
        assert "'" + value in names
    assert "'=1+1" in {row[2] for row in rows}
    listed = next(row for row in rows if row[1] == LISTED)
    assert listed[3].startswith(str(world.event.start_date)) and listed[4] in ("Sticky change", "Counterparts", "Impact")
    absent = next(row for row in rows if row[0] == str(people[2].id))
    assert absent[3] == "" and absent[4] == ""


def test_xlsx_stores_strings_never_formulas(app, world, staff):
    world.people[0].organisation.name = '=cmd|"/c calc"!A1'
    db.session.commit()
    client = app.test_client()
    log_in(client, staff("admin"))
    response = client.get(f"/organiser/events/{world.event.slug}/exports", query_string={
        "who": "confirmed", "file_format": "xlsx", "columns": ["full_name", "organisation", "assigned_sessions"]})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("Name", "Organisation", "Assigned session")
    assert len(values) == 1 + sum(1 for p in world.people if p.status.value == "confirmed")
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f"
    assert ('\'=cmd|"/c calc"!A1') in {v[1] for v in values}


def test_the_form_explains_a_bad_request(app, world, staff):
    client = app.test_client()
    log_in(client, staff("admin"))
    response = client.get(f"/organiser/events/{world.event.slug}/exports", query_string={"who": "all",
                                                                                          "file_format": "csv"})
    assert response.status_code == 400 and "Pick at least one column." in response.get_data(as_text=True)
    response = client.get(f"/organiser/events/{world.event.slug}/exports",
                          query_string={"who": "x", "file_format": "exe", "columns": ["nope"]})
    assert response.status_code == 400


def test_the_door_list_is_sorted_with_a_box_to_tick(app, world, tmp_path):
    data = exports.door_list_pdf(world.event)
    pages = pdftotext(data, tmp_path)
    text = "\n".join(pages)
    confirmed = db.session.execute(select(Registration).where(
        Registration.event_id == world.event.id, Registration.status == "confirmed")).scalars().all()
    assert f"{len(confirmed)} confirmed" in text
    assert UNLISTED in text or "Unlistedperson" in text  # the door list is for staff: everyone confirmed
    flat = " ".join(text.split())
    # Sorted by family name: Absentperson, Listedperson, Unlistedperson come in that order.
    positions = [flat.index(name) for name in ("Absentperson", "Listedperson", "Unlistedperson")]
    assert positions == sorted(positions)
    rows = exports.export_rows(world.event, ("confirmed",))
    keys = [(r.family_name or r.full_name).casefold() for r in rows]
    assert keys == sorted(keys) and len(rows) == len(confirmed)
    assert "Sticky change" in text and "Organisation" in text and "Session" in text
