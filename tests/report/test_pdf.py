"""The report PDF read back with pdftotext and pypdf: its figures are the database's, the consent and draft
rules hold, the structure is there (cover, contents with page numbers, headers), fonts are embedded."""

from __future__ import annotations

import io
import re
from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

from pypdf import PdfReader
from sqlalchemy import text

from eventapp.extensions import db
from eventapp.report import pdf

from .conftest import ABSENT, ARABIC_NAME, DRAFT_TEXT, LISTED, READY_TEXT, UNLISTED, pdftotext


def sql(query: str, **params):
    return db.session.execute(text(query), params).all()


def scalar(query: str, **params) -> int:
    return db.session.execute(text(query), params).scalar_one()


def rows_after(pages: list[str], header: str, end: str | None = None) -> list[str]:
    """The lines of the table whose header line matches `header`: up to the line matching `end`, else up to the
    first line without a number (the next heading). A table that runs on to the next page continues after its
    repeated header there."""
    lines = "\n\f\n".join(pages).splitlines()
    start = next(i for i, line in enumerate(lines) if re.search(header, line))
    out = []
    between_pages = False
    for line in lines[start + 1:]:
        if between_pages:
            between_pages = not re.search(header, line)
            continue
        if not line.strip():
            continue
        if line.startswith("\f") or re.search(r"Page \d+ of \d+", line):
            between_pages = True
            continue
        if end and re.search(end, line):
            out.append(line)
            break
        if not end and not re.search(r"\d", line):
            break
        out.append(line)
    return out


def numbers_of(line: str) -> list[int]:
    return [int(n.replace(",", "")) for n in re.findall(r"(?<![\w:–-])(\d[\d,]*)(?![\w:%])", line)]


def test_the_report_pdf_reads_back_right(app, world, tmp_path, spy_server):
    """One build (WeasyPrint is the slow part), read back three ways."""
    data = pdf.build_report_pdf(world.event)
    pages = pdftotext(data, tmp_path)
    check_every_figure_is_the_database_count(world, pages)
    check_the_annex_names_only_those_who_consented_and_drafts_stay_out(world, pages)
    check_the_pdf_is_structured_paged_and_embeds_its_fonts(world, data, pages, spy_server)


def expected_counts(event_id: int) -> dict:
    confirmed = "r.event_id = :e AND r.status = 'confirmed'"
    live = "c.undone_at IS NULL"
    return {
        "registered": scalar(f"SELECT count(*) FROM registration r WHERE {confirmed}", e=event_id),
        "checked_in": scalar(
            f"SELECT count(DISTINCT c.registration_id) FROM check_in c JOIN registration r ON r.id = c.registration_id "
            f"WHERE {confirmed} AND {live}", e=event_id),
        "waitlisted": scalar("SELECT count(*) FROM registration WHERE event_id = :e AND status = 'waitlisted'",
                             e=event_id),
        "cancelled": scalar("SELECT count(*) FROM registration WHERE event_id = :e AND status = 'cancelled'",
                            e=event_id),
        "assigned": dict(sql(
            f"SELECT s.title, count(a.id) FROM themed_session s LEFT JOIN assignment a ON a.themed_session_id = s.id "
            f"LEFT JOIN registration r ON r.id = a.registration_id AND {confirmed} "
            f"WHERE s.event_id = :e AND (a.id IS NULL OR r.id IS NOT NULL) GROUP BY s.title", e=event_id)),
        "attended": dict(sql(
            f"SELECT s.title, count(DISTINCT c.registration_id) FROM themed_session s "
            f"LEFT JOIN check_in c ON c.themed_session_id = s.id AND {live} "
            f"LEFT JOIN registration r ON r.id = c.registration_id "
            f"WHERE s.event_id = :e AND (c.id IS NULL OR r.status = 'confirmed') GROUP BY s.title", e=event_id)),
        "kind": sql(
            f"SELECT o.kind, count(DISTINCT r.id), count(DISTINCT c.registration_id) FROM registration r "
            f"LEFT JOIN organisation o ON o.id = r.organisation_id "
            f"LEFT JOIN check_in c ON c.registration_id = r.id AND {live} "
            f"WHERE {confirmed} GROUP BY o.kind", e=event_id),
        "country": sql(
            f"SELECT r.country, count(DISTINCT r.id), count(DISTINCT c.registration_id) FROM registration r "
            f"LEFT JOIN check_in c ON c.registration_id = r.id AND {live} "
            f"WHERE {confirmed} GROUP BY r.country", e=event_id),
        "first_seen": [row[0] for row in sql(
            f"SELECT min(c.checked_in_at) FROM check_in c JOIN registration r ON r.id = c.registration_id "
            f"WHERE {confirmed} AND {live} GROUP BY c.registration_id", e=event_id)],
    }


def check_every_figure_is_the_database_count(world, pages):
    from eventapp.countries import country_name
    from eventapp.models import ORGANISATION_KIND_LABELS, OrganisationKind

    want = expected_counts(world.event.id)
    assert want["checked_in"] and want["waitlisted"] == 2 and want["cancelled"] == 1  # the fixture is what we think

    attendance = rows_after(pages, r"Registrations and attendance\s+People$", r"^\s*Cancelled")
    table = {re.sub(r"\s{2,}.*", "", line.strip()): numbers_of(line)[-1] for line in attendance if numbers_of(line)}
    assert table["Registered (confirmed places)"] == want["registered"]
    assert table["Checked in"] == want["checked_in"]
    assert table["No-shows"] == want["registered"] - want["checked_in"]
    assert table["On the waiting list (no place)"] == want["waitlisted"]
    assert table["Cancelled"] == want["cancelled"]

    sessions = rows_after(pages, r"Themed session\s+Lead\s+Assigned\s+Attended")
    for title in ("Sticky change", "Counterparts", "Impact"):
        line = next(line for line in sessions if title in line)
        assert numbers_of(line)[-2:] == [want["assigned"][title], want["attended"][title]], line

    kinds = rows_after(pages, r"Kind of organisation\s+Registered\s+Checked in", r"All kinds")
    for kind, registered, present in want["kind"]:
        label = ORGANISATION_KIND_LABELS[OrganisationKind(kind)] if kind else "No organisation given"
        line = next(line for line in kinds if line.strip().startswith(label))
        assert numbers_of(line)[-2:] == [registered, present], line
    assert numbers_of(kinds[-1])[-2:] == [want["registered"], want["checked_in"]]
    assert len(kinds) == len(want["kind"]) + 1

    countries = rows_after(pages, r"Country\s+Registered\s+Checked in", r"All countries")
    for code, registered, present in want["country"]:
        label = country_name(code) if code else "Not given"
        line = next(line for line in countries if line.strip().startswith(label))
        assert numbers_of(line)[-2:] == [registered, present], line
    assert len(countries) == len(want["country"]) + 1

    # Arrivals: each person once, at their first live check-in, in the intervals the table shows.
    tz = ZoneInfo(world.event.timezone)
    firsts = Counter()
    intervals = rows_after(pages, r"Interval\s+Arrivals\s+Arrived so far")
    day = world.event.start_date
    bounds = []
    for line in intervals:
        start, end = re.search(r"(\d\d:\d\d)–(\d\d:\d\d)", line).groups()
        bounds.append((datetime.combine(day, datetime.strptime(start, "%H:%M").time(), tz),
                       datetime.combine(day, datetime.strptime(end, "%H:%M").time(), tz), numbers_of(line)[-2:]))
    for moment in want["first_seen"]:
        if isinstance(moment, str):  # SQLite hands back text from min()
            moment = datetime.fromisoformat(moment)
        moment = moment.replace(tzinfo=ZoneInfo("UTC")) if moment.tzinfo is None else moment
        firsts[next(i for i, (a, b, _) in enumerate(bounds) if a <= moment < b)] += 1
    running = 0
    for i, (_, _, (arrivals, so_far)) in enumerate(bounds):
        running += firsts[i]
        assert (arrivals, so_far) == (firsts[i], running)
    assert running == want["checked_in"]


def check_the_annex_names_only_those_who_consented_and_drafts_stay_out(world, pages):
    from eventapp.models import RegistrationStatus

    everything = "\n".join(pages)
    flat = re.sub(r"\s+", " ", everything)
    annex = flat[flat.index("Annex: participating organisations", flat.index("Figures")):]
    assert LISTED in annex
    assert UNLISTED not in flat and ABSENT not in flat  # no consent; consent but never came
    assert "Mallory" in annex  # typed HTML is printed as text
    consenting = {p.full_name for p in world.people if p.consent_listed}
    for person in world.people:
        if not person.consent_listed and person.full_name not in consenting:
            assert person.full_name not in flat, person.full_name
    assert "not listed by name" in annex
    assert "中国发展研究中心" in annex
    assert all(p.status != RegistrationStatus.CANCELLED or p.full_name not in annex for p in world.people)

    assert READY_TEXT in flat and "Findings one" in flat and "Ongoing questions" in flat
    assert "DRAFTSENTINEL" not in flat and "DRAFTFINDING" not in flat and DRAFT_TEXT not in flat
    assert "This section is not available yet." in flat  # the draft's place, and the section never started
    assert "[image not shown: tracker]" in flat


def check_the_pdf_is_structured_paged_and_embeds_its_fonts(world, data, pages, spy_server):
    _, hits = spy_server
    assert hits == []  # the section's image, raw <img> and the attendee's <img> name were never fetched
    cover = re.sub(r"\s+", " ", pages[0])
    event = world.event
    assert "The London Conference on Peer" in cover and "Central London" in cover
    assert f"{event.start_date.day} {event.start_date:%B %Y}" in cover
    for org in event.convenors:
        assert org.name in cover
    assert "Department for International Development (DFID)" in cover and "Page 1" not in cover

    contents = pages[1]
    assert "Contents" in contents
    for title, heading in (("Introduction", "Introduction"), ("Figures", "Figures"),
                           ("Annex: participating organisations", "Annex: participating organisations"),
                           ("1. Sticky change", "Sticky change")):
        match = re.search(rf"^\s*{re.escape(title)}[ .]*?(\d+)\s*$", contents, re.M)
        assert match, title
        target = pages[int(match.group(1)) - 1]
        assert heading in target and f"Page {match.group(1)} of" in target, title

    real = [p for p in pages if p.strip()]
    for number, page in enumerate(real[1:], start=2):
        assert f"Page {number} of {len(real)}" in page
        assert "Post-event report" in page  # the running header
    sticky = next(p for p in real if "Section led by Global Partners Governance" in p)
    assert "Sticky change" in sticky.splitlines()[0] or "Sticky change" in sticky[:300]

    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == len(real)
    assert reader.metadata.title.startswith("The London Conference")
    fonts = {}
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            fonts[str(font["/BaseFont"])] = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    assert fonts and all(fonts.values()), fonts  # every font embedded
    names = " ".join(fonts)
    for face in ("+Noto-Sans", "+Noto-Serif", "Noto-Sans-Arabic", "Noto-Sans-Devanagari", "WenQuanYi"):
        assert face in names, (face, names)
    # The Arabic name is shaped by its font and reads right to left (pdftotext gives logical order back).
    assert ARABIC_NAME in "\n".join(pdftotext_raw(data)) or "الجبوري" in "\n".join(pdftotext_raw(data))


def pdftotext_raw(data: bytes) -> list[str]:
    import subprocess
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(data)
        f.flush()
        return subprocess.run(["pdftotext", "-enc", "UTF-8", f.name, "-"], check=True,
                              capture_output=True).stdout.decode().split("\f")
