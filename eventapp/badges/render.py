"""Badge PDFs: badge data -> HTML (Jinja2) -> PDF (WeasyPrint), in parallel chunks joined as they finish."""

from __future__ import annotations

import io
import multiprocessing
import os
import re
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO, Literal

import jinja2

from eventapp.badges.layout import (
    CODE_SIZE_PT,
    PT_PER_MM,
    BadgeData,
    BadgeView,
    Header,
    SessionColumn,
    SheetLayout,
    cut_marks_mm,
    geometry_css,
    get_layout,
    paginate,
    qr_box_mm,
    registration_number_mm,
    sheet_views,
    size_class_css,
    text_direction,
)
from eventapp.badges.pdfjoin import PdfJoiner
from eventapp.badges.qr import qr_pdf_operators
from eventapp.pdf_urls import StaticOnlyFetcher

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"
TEMPLATE = "badges/sheet.html"
STYLESHEET = TEMPLATES_DIR / "badges" / "badges.css"
USER_AGENT_STYLESHEET = TEMPLATES_DIR / "badges" / "user-agent.css"

# Pages per WeasyPrint document. Each document pays a fixed cost (its stamps, font subsetting,
# writing the PDF); chunks bound memory and set how often progress is reported.
DEFAULT_CHUNK_PAGES = 25

Progress = Callable[[int, int], None]


# --- Planning: which parts are shared, which pages show what -----------------------------------


@dataclass(frozen=True, slots=True)
class Stamp:
    """A part laid out once and drawn on every badge that shows it."""

    kind: Literal["header", "sessions"]
    part: Header | SessionColumn


@dataclass(frozen=True, slots=True)
class SheetPlan:
    sheet: SheetLayout
    stamps: list[Stamp]
    pages: list[list[BadgeView]]
    stamps_used: list[list[tuple[int, ...]]]  # per page, per badge: indexes into stamps


def plan_sheets(badges: Sequence[BadgeData], sheet: SheetLayout) -> SheetPlan:
    """Fit every badge and collect the distinct headers and session columns among them."""
    stamps: list[Stamp] = []
    index_of: dict[Stamp, int] = {}

    def stamp(kind: Literal["header", "sessions"], part: Header | SessionColumn) -> int:
        key = Stamp(kind, part)
        if key not in index_of:
            index_of[key] = len(stamps)
            stamps.append(key)
        return index_of[key]

    pages = [sheet_views(page, sheet) for page in paginate(badges, sheet)]
    stamps_used = []
    for page in pages:
        used = []
        for view in page:
            indexes = [stamp("header", view.header)]
            if view.sessions:
                indexes.append(stamp("sessions", view.sessions))
            used.append(tuple(indexes))
        stamps_used.append(used)
    return SheetPlan(sheet, stamps, pages, stamps_used)


@lru_cache(maxsize=1)
def template_environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,  # names and organisations are user input: "<script>" prints as text
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["direction"] = text_direction
    return env


def plan_html(plan: SheetPlan) -> str:
    return (
        template_environment()
        .get_template(TEMPLATE)
        .render(
            title="Badges",
            stamps=plan.stamps,
            pages=plan.pages,
            marks=cut_marks_mm(plan.sheet),
            sessions_label="Sessions",
        )
    )


def badges_html(badges: Sequence[BadgeData], layout: str = "a4-4up") -> str:
    """The HTML WeasyPrint lays out, for looking at: stamp pages first, then the badge pages."""
    return plan_html(plan_sheets(badges, get_layout(layout)))


# --- WeasyPrint, once per process -------------------------------------------------------------


@lru_cache(maxsize=1)
def _badge_html_class():
    """weasyprint.HTML with templates/badges/user-agent.css as its user-agent stylesheet.

    WeasyPrint's own has hundreds of rules for elements badges never use, among them rules for
    every element's ::marker and footnote pseudo-elements; matching and computing them was most
    of the styling time.
    """
    import weasyprint
    from weasyprint.text.ffi import ffi

    _open_array_types(ffi)
    user_agent = weasyprint.CSS(filename=str(USER_AGENT_STYLESHEET), url_fetcher=StaticOnlyFetcher())

    class BadgeHTML(weasyprint.HTML):
        def _ua_stylesheets(self, forms=False):
            return [user_agent]

    return BadgeHTML


_SIZED_ARRAY = re.compile(r"^\s*(\w[\w ]*?)\s*\[(\d+)\]\s*$")


def _open_array_types(ffi) -> None:
    """Make cffi's ffi.new("T[n]", ...) ask for the open type "T[]" instead, for non-char T.

    WeasyPrint 70 asks for arrays by exact size when it subsets fonts ("hb_codepoint_t[1272]"),
    and cffi parses each type it has not seen with pycparser: about 7 ms for every new size,
    well over a second for the first in a process, paid again in every worker. The open type
    is parsed once; the array is the same size with the same contents.
    """
    if getattr(ffi.new, "open_arrays", False):
        return
    sized_new = ffi.new

    def new(cdecl, init=None):
        match = _SIZED_ARRAY.match(cdecl) if isinstance(cdecl, str) else None
        if match and match.group(1) != "char":
            size = int(match.group(2))
            if init is None:
                return sized_new(f"{match.group(1)}[]", size)
            if hasattr(init, "__len__") and len(init) == size:
                return sized_new(f"{match.group(1)}[]", init)
        return sized_new(cdecl, init)

    new.open_arrays = True  # type: ignore[attr-defined]
    ffi.new = new


class _WeasyPrint:
    """Per-process WeasyPrint state: one font configuration, one parsed stylesheet per layout.

    A FontConfiguration reloads every installed font's metadata and starts an empty Pango font
    cache, so it is made once per process and reused by every chunk.
    """

    def __init__(self) -> None:
        import weasyprint
        from weasyprint.text.fonts import FontConfiguration

        self.weasyprint = weasyprint
        self.html_class = _badge_html_class()
        self.font_config = FontConfiguration()
        # The report's fetcher: nothing is read but the app's static files (eventapp/pdf_urls.py).
        self.fetcher = StaticOnlyFetcher()
        self.stylesheets: dict[str, object] = {}

    def stylesheet(self, sheet: SheetLayout):
        if sheet.name not in self.stylesheets:
            css = STYLESHEET.read_text(encoding="utf-8") + size_class_css() + geometry_css(sheet)
            self.stylesheets[sheet.name] = self.weasyprint.CSS(string=css, font_config=self.font_config,
                                                               url_fetcher=self.fetcher)
        return self.stylesheets[sheet.name]

    def pdf(self, plan: SheetPlan) -> bytes:
        html = plan_html(plan)
        # Pango's font map is not safe to share between threads: a threaded web server rendering
        # single badges in this process takes turns.
        with _LOCK:
            document = self.html_class(string=html, base_url=str(TEMPLATES_DIR), url_fetcher=self.fetcher)
            return document.write_pdf(
                stylesheets=[self.stylesheet(plan.sheet)],
                font_config=self.font_config,
                finisher=_StampsAndCodes(plan),
            )


_LOCK = threading.RLock()


def _weasy() -> _WeasyPrint:
    global _WEASY
    with _LOCK:
        if _WEASY is None:
            _WEASY = _WeasyPrint()
        return _WEASY


_WEASY: _WeasyPrint | None = None


def _pdf_string(text: str) -> bytes:
    """The body of a PDF literal string in WinAnsi: backslash, parentheses escaped; others as '?'."""
    encoded = text.encode("cp1252", errors="replace")
    return encoded.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _reference_number(reference: bytes | str) -> int:
    return int(reference.split()[0])


class _StampsAndCodes:
    """WeasyPrint finisher: turns the stamp pages into form objects, draws them and the QR codes
    on the badge pages, and drops the stamp pages.

    Everything is drawn first on each page, in the PDF's default coordinates, before WeasyPrint's
    own transform, so it depends on no graphics state WeasyPrint leaves behind; nothing on the
    badge pages overlaps it. The QR codes are vector rectangles (qr.qr_pdf_operators).
    This works on pydyf objects as WeasyPrint 70 builds them: the tests render real PDFs and
    read back every code and text, so a change there shows.
    """

    def __init__(self, plan: SheetPlan) -> None:
        self.plan = plan

    def __call__(self, document, pdf) -> None:
        import pydyf

        plan, sheet = self.plan, self.plan.sheet
        kids = list(pdf.pages["Kids"])
        page_numbers = kids[::3]
        stamp_count = len(plan.stamps)
        if len(page_numbers) != stamp_count + len(plan.pages):
            raise RuntimeError(
                f"badge sheets laid out on {len(page_numbers)} pages, "
                f"expected {stamp_count} stamps + {len(plan.pages)} sheets"
            )
        page_height = sheet.page_height_mm * PT_PER_MM
        resources = pdf.objects[_reference_number(pdf.objects[page_numbers[0]]["Resources"])]

        # Stamps: each stamp page's content becomes a form clipped to cell 0. Forms get their
        # own copy of the resources, so no form lists itself among its resources.
        form_resources = pydyf.Dictionary(dict(resources))
        form_resources["XObject"] = pydyf.Dictionary(dict(resources["XObject"]))
        pdf.add_object(form_resources)
        cell_box = pydyf.Array(
            [0, page_height - sheet.cell_height_mm * PT_PER_MM, sheet.cell_width_mm * PT_PER_MM, page_height]
        )
        for index, number in enumerate(page_numbers[:stamp_count]):
            stream = pdf.objects[_reference_number(pdf.objects[number]["Contents"])]
            stream.extra.update(
                {
                    "Type": "/XObject",
                    "Subtype": "/Form",
                    "BBox": cell_box,
                    "Resources": form_resources.reference,
                }
            )
            resources["XObject"][f"EAStamp{index}"] = stream.reference
        pdf.pages["Kids"] = pydyf.Array(kids[3 * stamp_count :])
        pdf.pages["Count"] -= stamp_count

        # The registration number in Helvetica, one of the PDF standard fonts that every reader
        # has, so nothing is embedded. As a WeasyPrint box it cost a third of each badge's time.
        helvetica = pydyf.Dictionary(
            {"Type": "/Font", "Subtype": "/Type1", "BaseFont": "/Helvetica", "Encoding": "/WinAnsiEncoding"}
        )
        pdf.add_object(helvetica)
        fonts = resources["Font"]
        if isinstance(fonts, bytes | str):
            fonts = pdf.objects[_reference_number(fonts)]
        fonts["EAHelvetica"] = helvetica.reference

        for number, views, used in zip(page_numbers[stamp_count:], plan.pages, plan.stamps_used, strict=True):
            operators = []
            for view, stamps in zip(views, used, strict=True):
                left, top = sheet.cell_origin_mm(view.cell)
                for index in stamps:
                    operators.append(
                        b"q 1 0 0 1 %.3f %.3f cm /EAStamp%d Do Q"
                        % (left * PT_PER_MM, -top * PT_PER_MM, index)
                    )
                qr_left, qr_top, qr_size = qr_box_mm(sheet, view.cell)
                operators.append(
                    qr_pdf_operators(
                        view.badge.code,
                        qr_left * PT_PER_MM,
                        qr_top * PT_PER_MM,
                        qr_size * PT_PER_MM,
                        page_height,
                    )
                )
                number_left, baseline = registration_number_mm(sheet, view.cell)
                operators.append(
                    b"BT 0.42 g /EAHelvetica %.1f Tf %.3f %.3f Td (%s) Tj ET"
                    % (
                        CODE_SIZE_PT,
                        number_left * PT_PER_MM,
                        page_height - baseline * PT_PER_MM,
                        _pdf_string(f"#{view.badge.registration_id}"),
                    )
                )
            stream = pdf.objects[_reference_number(pdf.objects[number]["Contents"])]
            stream.stream.insert(0, b"\n".join(operators))


def _render_chunk(badges: Sequence[BadgeData], layout_name: str) -> bytes:
    return _weasy().pdf(plan_sheets(badges, get_layout(layout_name)))


# --- Public API -------------------------------------------------------------------------------


def render_badge_pdf(badge: BadgeData, layout: str = "a6-single") -> bytes:
    """One attendee's badge as a one-page PDF, rendered in this process."""
    out = io.BytesIO()
    render_badges_pdf([badge], out, layout=layout, workers=1)
    return out.getvalue()


def _default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _single_threaded() -> bool:
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:  # no /proc: assume the worst
        return False


def _pool(workers: int) -> ProcessPoolExecutor:
    if _single_threaded():
        # Forking a single-threaded process is safe and instant, and the workers share the
        # WeasyPrint this process imports once here (about a second) instead of each importing it.
        _badge_html_class()
        context = multiprocessing.get_context("fork")
    else:
        # Forking a threaded process (a web server's, or one where a library started threads)
        # can leave a lock held forever in the child. Fork instead from a clean single-threaded
        # server, which imports this module and WeasyPrint once for as long as this process lives.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__, "weasyprint"])
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_weasy)


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
    workers = max(1, workers or _default_workers())
    pages = -(-total // sheet.per_page)
    if chunk_pages is None:
        chunk_pages = min(DEFAULT_CHUNK_PAGES, -(-pages // workers))
    chunk_size = max(1, chunk_pages) * sheet.per_page
    chunks = [badges[start : start + chunk_size] for start in range(0, total, chunk_size)]
    workers = min(workers, len(chunks))
    if progress:
        progress(0, total)
    title = f"Badges: {badges[0].event_name}"
    if not isinstance(out, str | os.PathLike):
        return _write_chunks(chunks, out, sheet, progress, total, workers, title)
    try:
        with open(out, "wb") as handle:
            return _write_chunks(chunks, handle, sheet, progress, total, workers, title)
    except BaseException:
        Path(out).unlink(missing_ok=True)  # no half-written PDF left behind to be printed
        raise


def _write_chunks(
    chunks: list[Sequence[BadgeData]],
    handle: BinaryIO,
    sheet: SheetLayout,
    progress: Progress | None,
    total: int,
    workers: int,
    title: str,
) -> int:
    joiner = PdfJoiner(handle, title=title)
    done = 0

    def append(pdf: bytes, count: int) -> None:
        nonlocal done
        joiner.append(io.BytesIO(pdf))
        done += count
        if progress:
            progress(done, total)

    if workers == 1:
        for chunk in chunks:
            append(_render_chunk(chunk, sheet.name), len(chunk))
    else:
        # At most two chunks per worker in flight: every worker stays busy while finished chunks
        # wait their turn to be appended in order, and memory stays bounded.
        pool = _pool(workers)
        try:
            pending: dict[int, Future[bytes]] = {}
            submitted = 0
            for index in range(len(chunks)):
                while submitted < len(chunks) and submitted < index + 2 * workers:
                    pending[submitted] = pool.submit(_render_chunk, chunks[submitted], sheet.name)
                    submitted += 1
                append(pending.pop(index).result(), len(chunks[index]))
        finally:
            # On an error (or the caller giving up) drop the chunks not yet started.
            pool.shutdown(wait=True, cancel_futures=True)
    return joiner.close()
