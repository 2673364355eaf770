"""Badge PDFs: badge data -> HTML (Jinja2) -> PDF (WeasyPrint), in parallel chunks joined as they finish."""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Callable, Sequence
from functools import lru_cache, partial
from pathlib import Path
from typing import BinaryIO

import jinja2
from markupsafe import Markup

from ..pdf.chunks import write_chunked_pdf
from ..pdf.pool import default_workers
from .fitting import size_class_css, text_direction
from .layout import BadgeData, SheetLayout, cut_marks_mm, geometry_css, get_layout, paginate, sheet_views
from .qr import is_qr_svg, qr_svg

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"
TEMPLATE = "badges/sheet.html"
STYLESHEET = TEMPLATES_DIR / "badges" / "badges.css"

# Pages per WeasyPrint document. Each document pays a fixed cost (font subsetting, writing the
# PDF); chunks bound memory and set how often progress is reported.
DEFAULT_CHUNK_PAGES = 25

Progress = Callable[[int, int], None]


def qr_markup(badge: BadgeData) -> Markup:
    """The badge's QR code as inline SVG: the one made when its code was issued, or made now."""
    if is_qr_svg(badge.qr_svg):
        return Markup(badge.qr_svg)  # noqa: S704 - only what qr.qr_svg() makes passes is_qr_svg()
    return Markup(qr_svg(badge.code))  # noqa: S704 - segno's SVG of the code


@lru_cache(maxsize=1)
def template_environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,  # names and organisations are user input: "<script>" prints as text
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(direction=text_direction, qr_markup=qr_markup)
    return env


def badges_html(badges: Sequence[BadgeData], layout: str = "a4-4up") -> str:
    """The HTML WeasyPrint lays out: every badge fitted to its cell, sheet by sheet."""
    sheet = get_layout(layout)
    return (
        template_environment()
        .get_template(TEMPLATE)
        .render(
            title="Badges",
            pages=[sheet_views(page, sheet) for page in paginate(badges, sheet)],
            marks=cut_marks_mm(sheet),
            sessions_label="Sessions",
        )
    )


# --- WeasyPrint, once per process -------------------------------------------------------------


class _WeasyPrint:
    """Per-process WeasyPrint state: one font configuration, the stylesheets parsed once per layout.

    A FontConfiguration reloads every installed font's metadata and starts an empty Pango font
    cache, so it is made once per process and reused by every chunk.
    """

    def __init__(self) -> None:
        import weasyprint
        from weasyprint.text.fonts import FontConfiguration

        from ..pdf_urls import StaticOnlyFetcher

        self.weasyprint = weasyprint
        self.font_config = FontConfiguration()
        # The report's fetcher (eventapp/pdf_urls.py): nothing is read but the app's static files; the badges
        # need nothing fetched at all (the QR codes are inline SVG).
        self.url_fetcher = StaticOnlyFetcher()
        self.stylesheets: dict[str, list] = {}

    def stylesheets_for(self, sheet: SheetLayout) -> list:
        if sheet.name not in self.stylesheets:
            css = self.weasyprint.CSS
            self.stylesheets[sheet.name] = [
                css(filename=str(STYLESHEET), font_config=self.font_config, url_fetcher=self.url_fetcher),
                css(
                    string=size_class_css() + geometry_css(sheet),
                    font_config=self.font_config,
                    url_fetcher=self.url_fetcher,
                ),
            ]
        return self.stylesheets[sheet.name]

    def pdf(self, badges: Sequence[BadgeData], sheet: SheetLayout) -> bytes:
        html = badges_html(badges, sheet.name)
        # Pango's font map is not safe to share between threads: a threaded web server rendering
        # single badges in this process takes turns.
        with _LOCK:
            document = self.weasyprint.HTML(string=html, url_fetcher=self.url_fetcher)
            return document.write_pdf(stylesheets=self.stylesheets_for(sheet), font_config=self.font_config)


_LOCK = threading.RLock()
_WEASY: _WeasyPrint | None = None


def _weasy() -> _WeasyPrint:
    global _WEASY
    with _LOCK:
        if _WEASY is None:
            _WEASY = _WeasyPrint()
        return _WEASY


def _render_chunk(badges: Sequence[BadgeData], layout_name: str) -> bytes:
    return _weasy().pdf(badges, get_layout(layout_name))


# --- Public API -------------------------------------------------------------------------------


def render_badge_pdf(badge: BadgeData, layout: str = "a6-single") -> bytes:
    """One attendee's badge as a one-page PDF, rendered in this process."""
    out = io.BytesIO()
    render_badges_pdf([badge], out, layout=layout, workers=1)
    return out.getvalue()


def render_badges_pdf(
    badges: Sequence[BadgeData],
    out: str | os.PathLike[str] | BinaryIO,
    layout: str = "a4-4up",
    progress: Progress | None = None,
    workers: int | None = None,
    chunk_pages: int | None = None,
) -> int:
    """Render the badges, in the order given, into one PDF written to out (a path or binary file).

    The sheets are rendered in chunks of chunk_pages (default: up to 25, fewer so that every
    worker gets one) by worker processes (default: one per CPU; 1 renders in this process), and
    each chunk is appended to out, in order, as it finishes: memory holds a few chunks whatever
    the number of badges. progress(done, total), counted in badges, is called with 0 first and
    after each chunk is written. Returns the number of pages written.
    """
    sheet = get_layout(layout)
    total = len(badges)
    if total == 0:
        raise ValueError("no badges to render")
    workers = max(1, workers or default_workers())
    pages = -(-total // sheet.per_page)
    if chunk_pages is None:
        chunk_pages = min(DEFAULT_CHUNK_PAGES, -(-pages // workers))
    chunk_size = max(1, chunk_pages) * sheet.per_page
    chunks = [badges[start : start + chunk_size] for start in range(0, total, chunk_size)]
    return write_chunked_pdf(
        chunks, out, partial(_render_chunk, layout_name=sheet.name), title=f"Badges: {badges[0].event_name}",
        workers=workers, preload=[__name__, "weasyprint"], initializer=_weasy, progress=progress)
