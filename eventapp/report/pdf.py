"""HTML -> PDF with WeasyPrint, fetching nothing but the app's own static files, read from disk, and linking
nowhere but web pages, mail addresses and places in the document (eventapp/pdf_urls.py says why and how)."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from ..pdf_urls import STATIC_ROOT, FetchRefused, LinkRefused, StaticOnlyFetcher, refuse_other_links

__all__ = ["STATIC_ROOT", "FetchRefused", "LinkRefused", "StaticOnlyFetcher", "render_pdf", "build_report_pdf"]

Progress = Callable[[int, int, str | None], None]


_gc_lock = threading.Lock()
_gc_holders = 0
_gc_was_enabled = False


@contextmanager
def cycle_collector_paused() -> Iterator[None]:
    """Python's cycle collector off while a PDF is built, then one collection of the young objects only.

    A build allocates hundreds of thousands of small objects (rows, boxes, styles, glyph strings). With the
    collector on, those allocations set off full collections that walk the whole heap, app and fonts included,
    again and again: a fifth of the build's time (10,000 attendees: 1.9 s of CPU with it, 1.45 s without). Off
    for the build, everything the build allocated stays in the youngest generation, and `gc.collect(0)` at the
    end frees its garbage without walking the older heap, so memory is back where it was. Nested and concurrent
    builds share one pause: the last to finish switches the collector back on."""
    global _gc_holders, _gc_was_enabled
    with _gc_lock:
        if _gc_holders == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_holders += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_holders -= 1
            last = _gc_holders == 0
            if last and _gc_was_enabled:
                gc.enable()
        if last:
            gc.collect(0)


# The report as an accessible document: tagged (headings, lists, tables with their header cells, figures with
# their alternative text), PDF/UA-1, with its language and title from the HTML and bookmarks from its headings.
ACCESSIBLE = {"pdf_tags": True, "pdf_variant": "pdf/ua-1"}


def render_pdf(html: str, progress: Progress | None = None, fetcher: StaticOnlyFetcher | None = None,
               steps: tuple[int, int] = (0, 2), options: dict | None = None) -> bytes:
    """Lay out and write the PDF; `steps` places the two stages in the caller's progress count; `options` go to
    WeasyPrint's write_pdf (ACCESSIBLE for the report)."""
    import weasyprint

    fetcher = fetcher or StaticOnlyFetcher()
    done, total = steps
    with cycle_collector_paused():
        if progress:
            progress(done, total, "Laying out the pages…")
        document = weasyprint.HTML(string=html, base_url=fetcher.base_url, url_fetcher=fetcher).render()
        refuse_other_links(document)  # a second wall behind the Markdown's own (report/markdown.py)
        if progress:
            progress(done + 1, total, f"Writing {len(document.pages)} pages…")
        data = document.write_pdf(**(options or {}))
        del document
    if progress:
        progress(done + 2, total, "Done")
    return data


REPORT_STEPS = 4  # counting, writing the HTML, laying out, writing the PDF


def report_html(content) -> str:
    from flask import render_template

    return render_template("report/pdf.html", content=content)


def build_report_pdf(event, progress: Progress | None = None) -> bytes:
    """The whole report as PDF bytes: ready sections only (no viewer), figures as they are now."""
    from . import service

    with cycle_collector_paused():
        if progress:
            progress(0, REPORT_STEPS, "Counting registrations and check-ins…")
        content = service.report_content(event, viewer=None)
        if progress:
            progress(1, REPORT_STEPS, "Writing the report…")
        html = report_html(content)
        del content
        return render_pdf(html, progress, steps=(2, REPORT_STEPS), options=ACCESSIBLE)


def report_filename(event) -> str:
    return f"{event.slug}-report.pdf"
