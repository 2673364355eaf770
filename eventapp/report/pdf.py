"""HTML -> PDF with WeasyPrint, fetching nothing but the app's own static files, read from disk.

Section text, names and organisations are typed by editors and attendees. Whatever gets through into the HTML,
the fetcher given to WeasyPrint opens no socket and reads no file outside eventapp/static/: it has no urllib
handlers at all, answers only file: URLs that resolve (symlinks followed) inside the static folder, and
refuses everything else, http, https, ftp, data and file paths elsewhere alike.
"""

from __future__ import annotations

import gc
import mimetypes
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib import request
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse, path2url

STATIC_ROOT = Path(__file__).resolve().parents[1] / "static"

Progress = Callable[[int, int, str | None], None]


class FetchRefused(ValueError):
    """WeasyPrint asked for something other than one of the app's static files."""


class StaticOnlyFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves files under one folder from disk and refuses every other URL."""

    def __init__(self, root: Path = STATIC_ROOT):
        # Deliberately not URLFetcher.__init__: that installs the HTTP, FTP, file and data handlers.
        request.OpenerDirector.__init__(self)
        self._timeout = 0
        self._http_headers = {}
        self._allowed_protocols = ("file",)
        self._fail_on_errors = False
        self._request = None
        self.root = root.resolve()
        self.served: list[str] = []
        self.refused: list[str] = []

    @property
    def base_url(self) -> str:
        return path2url(str(self.root)) + "/"

    def local_path(self, url: str) -> Path | None:
        try:
            parts = urlsplit(url)
        except ValueError:
            return None
        if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
            return None
        path = Path(request.url2pathname(unquote(parts.path))).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            return None
        return path

    def fetch(self, url, headers=None):
        path = self.local_path(url)
        if path is None:
            self.refused.append(url)
            raise FetchRefused(f"refused to fetch {url[:200]!r}: only the app's static files are read")
        self.served.append(url)
        mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime_type})

    def open(self, url, data=None, timeout=None):
        return self.fetch(url.full_url if isinstance(url, request.Request) else url)


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
