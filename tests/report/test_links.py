"""Links in the report: only web pages, mail addresses and places in the document, in the page and in the PDF
(read back with pypdf); and the one restricted fetcher the report and the badges both render with."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from eventapp.badges import render as badge_render
from eventapp.badges.layout import BadgeData
from eventapp.demo.service import seed_demo
from eventapp.extensions import db
from eventapp.models import ReportSection, SectionStatus
from eventapp.pdf_urls import FetchRefused, LinkRefused, StaticOnlyFetcher, allowed_link
from eventapp.report import pdf
from eventapp.report.markdown import render_markdown
from eventapp.tokens import badge_code, new_badge_secret

# What an editor might type, and whether it stays a link.
HOSTILE = ["//host/share", "../../etc/passwd", "/etc/shadow", "etc/hosts", "\\\\host\\share", "%2Fetc%2Fpasswd",
           "file:///etc/passwd", "FILE:/etc/passwd", "javascript:alert(1)", "data:text/html,x", "ftp://host/x",
           "https:/etc/passwd", "https:///etc/passwd", "#", "?x=1", "mailto:", "http://"]
KEPT = ["https://gpg.example/report?a=1", "http://tbi.example", "HTTPS://NSGI.EXAMPLE/", "mailto:team@gpg.example",
        "#figures"]


@pytest.mark.parametrize("href", HOSTILE)
def test_paths_and_other_schemes_are_not_links(href):
    assert not allowed_link(href)
    html = str(render_markdown(f"See [the share]({href}) and [ref][r].\n\n[r]: {href}"))
    assert "<a " not in html, html
    assert "the share" in html


@pytest.mark.parametrize("href", KEPT)
def test_web_mail_and_in_document_links_are_kept(href):
    assert allowed_link(href)
    html = str(render_markdown(f"See [this]({href})."))
    assert re.search(r'<a href="[^"]+"', html), html


def _uris(data: bytes) -> tuple[list[str], int]:
    """Every link annotation's URI, and how many links point inside the document."""
    uris, internal = [], 0
    for page in PdfReader(io.BytesIO(data)).pages:
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/Subtype") != "/Link":
                continue
            action = annotation.get("/A")
            if action is not None and "/URI" in action.get_object():
                uris.append(str(action.get_object()["/URI"]))
            else:
                internal += 1
    return uris, internal


def test_the_report_pdf_links_only_to_web_pages_mail_and_itself(app):
    event = seed_demo(attendees=3).event
    typed = " ".join(f"[link {i}]({href})" for i, href in enumerate(HOSTILE[:8] + KEPT))
    db.session.add(ReportSection(themed_session_id=event.themed_sessions[0].id, status=SectionStatus.READY,
                                 narrative=typed, key_findings="[shadow](/etc/shadow)", lessons="", open_questions=""))
    db.session.commit()
    uris, internal = _uris(pdf.build_report_pdf(event))
    assert sorted(uris) == sorted(["https://gpg.example/report?a=1", "http://tbi.example", "HTTPS://NSGI.EXAMPLE/",
                                   "mailto:team@gpg.example"])
    assert not any(uri.lower().startswith("file:") for uri in uris)
    assert internal >= 5  # the contents page and the "#figures" link


@pytest.mark.parametrize("href", ["/etc/shadow", "../x.pdf", "//host/share", "file:///etc/passwd"])
def test_a_link_that_gets_past_the_markdown_stops_the_pdf(href):
    with pytest.raises(LinkRefused, match="would link to 'file:"):
        pdf.render_pdf(f'<p><a href="{href}">x</a></p>')
    assert pdf.render_pdf('<p id="top"><a href="https://x.example">x</a> <a href="#top">top</a></p>').startswith(
        b"%PDF")


def test_the_fetcher_refuses_file_urls_outside_the_static_folder():
    fetcher = StaticOnlyFetcher()
    for url in ("file:///etc/passwd", "file://host/share/x.css", "http://127.0.0.1/x.css", "data:text/css,x"):
        with pytest.raises(FetchRefused):
            fetcher.fetch(url)
    assert fetcher.refused == ["file:///etc/passwd", "file://host/share/x.css", "http://127.0.0.1/x.css",
                               "data:text/css,x"]


def test_badges_render_with_the_same_restricted_fetcher(tmp_path):
    badge = BadgeData(registration_id=1, full_name="Ada Lovelace", organisation="GPG",
                      code=badge_code(new_badge_secret()), sessions=(), event_name="Conference",
                      event_date="13 November 2018")
    assert badge_render.render_badge_pdf(badge).startswith(b"%PDF")
    fetcher = badge_render._weasy().url_fetcher
    assert type(fetcher) is StaticOnlyFetcher and fetcher.root == StaticOnlyFetcher().root
    assert fetcher.served == [] and fetcher.refused == []  # a badge fetches nothing at all
    with pytest.raises(FetchRefused):
        fetcher.fetch("file:///etc/passwd")
