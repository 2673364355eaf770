"""The report PDF is an accessible document: tagged (pdfinfo says so), its language and title set, bookmarks from
its headings, every chart a Figure with alternative text holding its numbers, every table a real table whose data
cells point at their header cells; checked with pdfua (a PDF/UA-1 checker on PyPI) with no errors."""

from __future__ import annotations

import re
import subprocess

import pikepdf
from pdfua import Severity, validate

from eventapp.report import pdf, service

from .test_feedback import answer_all
from .test_pdf import scalar


def structure(root) -> list:
    """Every structure element under the StructTreeRoot, depth first."""
    out, stack = [], [root.StructTreeRoot]
    while stack:
        element = stack.pop()
        kids = element.get("/K")
        children = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
        for kid in reversed(children):
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                out.append(kid)
                stack.append(kid)
    return out


def bookmarks(outline) -> list[str]:
    titles, item = [], outline.get("/First")
    while item is not None:
        titles.append(str(item.Title))
        if "/First" in item:
            titles += bookmarks(item)
        item = item.get("/Next")
    return titles


def test_the_report_pdf_is_tagged_and_structured(app, world, tmp_path):
    answer_all(world.event)  # the survey's chart and tables too
    data = pdf.build_report_pdf(world.event)
    path = tmp_path / "report.pdf"
    path.write_bytes(data)

    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.M)
    assert re.search(rf"^Title:\s+{re.escape(world.event.name)}: post-event report$", info, re.M)

    document = pikepdf.open(path)
    root = document.Root
    assert str(root.Lang) == "en"
    assert bool(root.MarkInfo.Marked)
    assert bool(root.ViewerPreferences.DisplayDocTitle)
    marks = bookmarks(root.Outlines)
    for heading in ("Introduction", "Figures", "Annex: participating organisations",
                    *(ts.title for ts in world.event.themed_sessions)):
        assert heading in marks

    elements = structure(root)
    kinds = [str(e.S) for e in elements]
    assert {"/H1", "/H2", "/H3", "/P", "/L", "/LI", "/Table", "/TR", "/TH", "/TD", "/Figure"} <= set(kinds)

    # Every chart is a Figure with its numbers as alternative text.
    alts = [str(e.get("/Alt", "")) for e in elements if e.S == "/Figure"]
    assert alts and all(alts)
    html = pdf.report_html(service.report_content(world.event))
    assert len(alts) == html.count('<div class="chart"')
    registered = scalar("SELECT count(*) FROM registration WHERE event_id = :e AND status = 'confirmed'",
                        e=world.event.id)
    attendance = next(a for a in alts if a.startswith("Registrations and attendance"))
    assert f"Registered (confirmed places): {registered};" in attendance
    assert any(a.startswith("Average rating per themed session") for a in alts)

    # Every table of the HTML is a Table, and each data cell names its column's header cell.
    tables = [e for e in elements if e.S == "/Table"]
    assert len(tables) >= html.count("<table")  # a table that runs onto the next page is one Table per page
    header_ids = {str(e.ID) for e in elements if e.S == "/TH"}
    cells = [e for e in elements if e.S == "/TD"]
    assert cells and all(e.A.Headers and {str(h) for h in e.A.Headers} <= header_ids for e in cells)

    report = validate(str(path))
    errors = [f for f in report.findings if f.severity == Severity.ERROR]
    assert errors == [], [(f.rule_id, f.message) for f in errors]
