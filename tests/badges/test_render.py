"""Badge rendering: real PDFs, read back with pypdf and poppler, every QR code decoded from the page."""

from __future__ import annotations

import dataclasses
import io
import re
import shutil
import subprocess
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import segno
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from eventapp.badges import qr
from eventapp.badges.fitting import GIVEN, PT_PER_MM, estimate_lines, fit_text, text_direction
from eventapp.badges.layout import (
    INSET_MM,
    LAYOUTS,
    QR_SIZE_MM,
    BadgeData,
    BadgeSession,
    fit_badge,
    get_layout,
    paginate,
    qr_box_mm,
)
from eventapp.badges.names import emphasised_name, order_badges, surname
from eventapp.badges.render import badges_html, render_badge_pdf, render_badges_pdf
from eventapp.pdf.join import PdfJoiner
from eventapp.tokens import BADGE_ALPHABET, badge_code, new_badge_secret

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None,
    reason="pdftoppm/pdftotext not installed: apt-get install poppler-utils (see system-packages.test.txt)",
)

SESSIONS = (
    BadgeSession("Making evidence count: data for governance reform", "Room A (Churchill)", "10:30–12:00"),
    BadgeSession("Tax and accountability", "Room B", "13:30–15:00"),
    BadgeSession("Digital public infrastructure in fragile states", "Auditorium", "15:30–17:00"),
)
EVENT = {"event_name": "London Conference 2018", "event_date": "Tuesday 13 November 2018"}
LONG_NAME = "Maximilian-Alexander Wolfeschlegelsteinhausenbergerdorff von Hohenzollern-Sigmaringen"
LONG_ORGANISATION = (
    "International Institute for Comparative Research on Public Administration, Governance and "
    "Sustainable Development Policy in Low- and Middle-Income Countries"
)


def _badge(number: int, full_name: str, organisation: str = "", sessions=SESSIONS[:1], **extra) -> BadgeData:
    return BadgeData(
        registration_id=number,
        full_name=full_name,
        organisation=organisation,
        code=badge_code(new_badge_secret()),
        sessions=sessions,
        **EVENT,
        **extra,
    )


BADGES = [
    _badge(1, "José Álvarez-Núñez", "Universidad de Córdoba", SESSIONS[:2]),
    _badge(2, "محمد بن عبد الله", "جامعة القاهرة", SESSIONS[1:2]),
    _badge(3, "王小明", "北京大学", SESSIONS[2:]),
    _badge(4, "Анна Каренина", "Московский государственный университет", SESSIONS),
    _badge(5, "अमित शर्मा", "भारतीय प्रौद्योगिकी संस्थान दिल्ली", SESSIONS[:1]),
    _badge(6, "Siobhán O'Connor", "Trinity College Dublin", SESSIONS[1:]),
    _badge(7, LONG_NAME, LONG_ORGANISATION, SESSIONS),
    _badge(8, "<script>alert(1)</script>", "<b>Evil & Co</b>", ()),
    _badge(9, "Grace Hopper", "", SESSIONS[:1], given_name="Grace", family_name="Hopper"),
]


def _pages_text(pdf: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True
    ).stdout
    return text.decode().split("\f")


def _rasterise(pdf: Path, out: Path) -> list[Path]:
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(pdf), str(out / "page")], check=True)
    return sorted(out.glob("page-*.png"))


def _decoded(png: Path) -> list:
    import zxingcpp
    from PIL import Image

    with Image.open(png) as image:
        return zxingcpp.read_barcodes(image.convert("L"))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict:
    """Both layouts rendered once: 4-up through the in-process path in one-page chunks (so the
    joiner joins several), single badges through two worker processes."""
    folder = tmp_path_factory.mktemp("badges")
    calls: list[tuple[int, int]] = []
    a4 = folder / "a4.pdf"
    a4_pages = render_badges_pdf(
        BADGES, a4, layout="a4-4up", workers=1, chunk_pages=1, progress=lambda *call: calls.append(call)
    )
    a6 = folder / "a6.pdf"
    a6_pages = render_badges_pdf(BADGES, a6, layout="a6-single", workers=2, chunk_pages=4)
    return {
        "a4": a4,
        "a4_pages": a4_pages,
        "a6": a6,
        "a6_pages": a6_pages,
        "progress": calls,
        "folder": folder,
    }


# --- PDF structure ---------------------------------------------------------------------------


def test_page_counts_and_sizes(rendered):
    a4 = PdfReader(rendered["a4"])
    assert rendered["a4_pages"] == len(a4.pages) == 3  # 9 badges, 4 a sheet
    for page in a4.pages:
        assert float(page.mediabox.width) == pytest.approx(210 * PT_PER_MM, abs=0.5)
        assert float(page.mediabox.height) == pytest.approx(297 * PT_PER_MM, abs=0.5)
    a6 = PdfReader(rendered["a6"])
    assert rendered["a6_pages"] == len(a6.pages) == len(BADGES)
    for page in a6.pages:
        assert float(page.mediabox.width) == pytest.approx(105 * PT_PER_MM, abs=0.5)
        assert float(page.mediabox.height) == pytest.approx(148 * PT_PER_MM, abs=0.5)


def test_progress_reports_each_chunk(rendered):
    assert rendered["progress"] == [(0, 9), (4, 9), (8, 9), (9, 9)]


def _images_in(resources, seen=None) -> list:
    seen = set() if seen is None else seen
    found = []
    xobjects = resources.get("/XObject") if resources else None
    for name, reference in (xobjects.get_object() if xobjects else {}).items():
        if id(reference) in seen:
            continue
        seen.add(id(reference))
        xobject = reference.get_object()
        if xobject.get("/Subtype") == "/Image":
            found.append(name)
        elif xobject.get("/Subtype") == "/Form":
            found += _images_in(xobject.get("/Resources"), seen)
    return found


def test_qr_codes_are_vector(rendered):
    for key in ("a4", "a6"):
        for page in PdfReader(rendered[key]).pages:
            assert _images_in(page.get("/Resources")) == []
            # The QR modules are stroked runs, one line segment each, in the page's own content.
            assert page.get_contents().get_data().count(b" l\n") > 100


# --- What a person sees ------------------------------------------------------------------------


@needs_poppler
@pytest.mark.parametrize("layout", ["a4", "a6"])
def test_every_qr_decodes_to_its_attendee(rendered, layout, tmp_path):
    sheet = get_layout("a4-4up" if layout == "a4" else "a6-single")
    pages = paginate(BADGES, sheet)
    pngs = _rasterise(rendered[layout], tmp_path)
    assert len(pngs) == len(pages)
    px_per_mm = 150 / 25.4
    for png, page in zip(pngs, pages, strict=True):
        results = _decoded(png)
        assert len(results) == len(page)
        for result in results:
            corners = [result.position.top_left, result.position.top_right, result.position.bottom_right]
            centre_x = (corners[0].x + corners[2].x) / 2 / px_per_mm
            centre_y = (corners[0].y + corners[2].y) / 2 / px_per_mm
            cell = int(centre_y // sheet.cell_height_mm) * sheet.columns + int(
                centre_x // sheet.cell_width_mm
            )
            assert result.text == page[cell].code
            assert result.format.name == "QRCode" and result.ec_level == "H"
            # The symbol itself, without its quiet zone, is at least 25 mm wide.
            width_mm = abs(corners[1].x - corners[0].x) / px_per_mm
            assert width_mm >= 25
            left, top, size = qr_box_mm(sheet, cell)
            assert left <= centre_x - width_mm / 2 and centre_x + width_mm / 2 <= left + size


def _normalised(text: str) -> str:
    # Arabic may come back as presentation forms and with direction marks; spaces are layout.
    text = unicodedata.normalize("NFKC", text)
    return "".join(c for c in text if not c.isspace() and unicodedata.category(c) != "Cf")


@needs_poppler
def test_names_and_organisations_are_text(rendered):
    pages = _pages_text(rendered["a6"])
    for badge, text in zip(BADGES, pages, strict=False):
        found = _normalised(text)
        if badge.registration_id == 5:
            # Devanagari: poppler maps shaped clusters back to characters in its own order, so
            # look for every letter of the name and a word of the organisation.
            assert set(_normalised(badge.full_name)) <= set(found)
            assert "भारतीय" in text
        else:
            assert _normalised(badge.full_name) in found, badge.full_name
            assert _normalised(badge.organisation) in found, badge.organisation
        for session in badge.sessions:
            assert _normalised(session.title) in found
        assert _normalised(EVENT["event_name"]) in found
        assert f"#{badge.registration_id}" in text


@needs_poppler
def test_markup_in_names_prints_as_text(rendered):
    text = _normalised(_pages_text(rendered["a6"])[7])
    assert "<script>alert(1)</script>" in text
    assert "<b>Evil&Co</b>" in text
    assert "&lt;" not in text


def _words(pdf: Path) -> list[list[tuple[str, float, float, float, float]]]:
    """Every word on every page with its box in mm, from pdftotext -bbox."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, check=True).stdout
    root = ET.fromstring(html)
    namespace = {"x": "http://www.w3.org/1999/xhtml"}
    pages = []
    for page in root.iterfind(".//x:page", namespace):
        pages.append(
            [
                (
                    word.text or "",
                    *(float(word.get(key)) / PT_PER_MM for key in ("xMin", "yMin", "xMax", "yMax")),
                )
                for word in page.iterfind("x:word", namespace)
            ]
        )
    return pages


def _assert_text_inside_badges(pdf: Path, badges: list[BadgeData], sheet) -> None:
    slack = 1.0  # mm: glyph boxes are a little wider than the ink
    for page_words, page in zip(_words(pdf), paginate(badges, sheet), strict=True):
        assert page_words
        for text, x0, y0, x1, y1 in page_words:
            cell = int(((y0 + y1) / 2) // sheet.cell_height_mm) * sheet.columns + int(
                ((x0 + x1) / 2) // sheet.cell_width_mm
            )
            assert cell < len(page), text
            left, top = sheet.cell_origin_mm(cell)
            assert left + INSET_MM - slack <= x0 and x1 <= left + sheet.cell_width_mm - INSET_MM + slack, text
            assert top + INSET_MM - slack <= y0 and y1 <= top + sheet.cell_height_mm - INSET_MM + slack, text
            qr_left, qr_top, qr_size = qr_box_mm(sheet, cell)
            overlaps_qr = x0 < qr_left + qr_size and x1 > qr_left and y0 < qr_top + qr_size and y1 > qr_top
            assert not overlaps_qr, text


@needs_poppler
@pytest.mark.parametrize("layout", ["a4", "a6"])
def test_no_text_leaves_its_badge_or_covers_the_qr(rendered, layout):
    _assert_text_inside_badges(
        rendered[layout], BADGES, get_layout("a4-4up" if layout == "a4" else "a6-single")
    )


@needs_poppler
def test_extreme_lengths_shrink_and_wrap_inside_the_badge(tmp_path):
    """Names of 120 characters and organisations of 200, with and without spaces, in three scripts,
    under a three-line event name: all of it inside the badge, none over the QR code."""
    words = "Wolfeschlegelsteinhausenbergerdorff " * 4
    institute = "International Institute for Comparative Research on Public Administration " * 3
    extremes = [
        _badge(1, words[:120], institute[:200], SESSIONS),
        _badge(2, "W" * 120, "M" * 200, SESSIONS),
        _badge(3, "王" * 60, "北" * 100, SESSIONS),
        _badge(4, "محمد " * 24, "جامعة " * 33, SESSIONS),
    ]
    long_event = {
        "event_name": "London Conference 2018: Evidence, Accountability and Governance in Fragile and "
        "Conflict-Affected States",
        "event_date": "Tuesday 13 November 2018, Lancaster House, London",
    }
    extremes = [dataclasses.replace(badge, **long_event) for badge in extremes]
    pdf = tmp_path / "extremes.pdf"
    render_badges_pdf(extremes, pdf, workers=1)
    _assert_text_inside_badges(pdf, extremes, LAYOUTS["a4-4up"])


def test_workers_from_a_threaded_process_come_from_a_fork_server(tmp_path, monkeypatch):
    """A web server's job thread is not a process to fork: the workers come from a fork server."""
    from eventapp.pdf import pool

    monkeypatch.setattr(pool, "single_threaded", lambda: False)
    out = tmp_path / "badges.pdf"
    assert render_badges_pdf(BADGES[:4], out, layout="a6-single", workers=2, chunk_pages=2) == 4
    assert [page.extract_text().count("London Conference 2018") for page in PdfReader(out).pages] == [1] * 4


def test_a_failed_render_leaves_no_file(tmp_path, monkeypatch):
    from eventapp.badges import render

    def broken(badges, layout_name):
        raise RuntimeError("renderer broke")

    monkeypatch.setattr(render, "_render_chunk", broken)
    out = tmp_path / "badges.pdf"
    with pytest.raises(RuntimeError, match="renderer broke"):
        render_badges_pdf(BADGES, out, workers=1)
    assert not out.exists()


@needs_poppler
def test_single_badge(tmp_path):
    pdf = tmp_path / "one.pdf"
    pdf.write_bytes(render_badge_pdf(BADGES[1]))
    assert len(PdfReader(pdf).pages) == 1
    assert _normalised(BADGES[1].full_name) in _normalised(_pages_text(pdf)[0])
    [result] = _decoded(_rasterise(pdf, tmp_path)[0])
    assert result.text == BADGES[1].code


def test_html_escapes_user_text_and_sets_direction():
    html = badges_html(BADGES[:8], "a4-4up")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert re.search(r'dir="rtl">محمد بن عبد الله<', html)
    assert "style=" not in html  # positions are classes: WeasyPrint shares their styles


# --- Joining ----------------------------------------------------------------------------------


class _Unseekable(io.RawIOBase):
    """An output that can only be written forward, like a pipe or an HTTP response."""

    def __init__(self) -> None:
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, chunk) -> int:
        self.data += chunk
        return len(chunk)


def test_joiner_streams_to_an_unseekable_output(rendered):
    out = _Unseekable()
    joiner = PdfJoiner(out)
    for _ in range(3):
        joiner.append(rendered["a4"])
    joiner.append(str(rendered["a6"]))
    assert joiner.close() == 3 * 3 + len(BADGES)
    reader = PdfReader(io.BytesIO(bytes(out.data)))
    assert len(reader.pages) == 18
    assert "Анна" in reader.pages[0].extract_text()  # the first sheet's fourth badge
    assert "Анна" in reader.pages[3].extract_text()  # the same sheet, second copy
    assert "Анна" in reader.pages[9 + 3].extract_text()  # the fourth single badge


# --- QR codes ---------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet=BADGE_ALPHABET, min_size=26, max_size=26))
def test_qr_svg_is_segnos_symbol_at_h_in_37_modules(secret):
    code = badge_code(secret)
    svg = qr.qr_svg(code)
    symbol = segno.make_qr(code, error="h")
    assert (symbol.version, symbol.error) == (3, "H")  # 29 modules + 2 x 4 of quiet zone: 1 mm each in 37 mm
    assert svg == symbol.svg_inline(border=4, omitsize=True, svgclass=None, lineclass=None)
    assert svg.startswith('<svg viewBox="0 0 37 37">') and qr.is_qr_svg(svg)
    assert QR_SIZE_MM * 29 / 37 >= 25


def test_only_qr_svgs_pass_as_markup():
    svg = qr.qr_svg(BADGES[0].code)
    assert qr.is_qr_svg(svg)
    for tampered in (
        svg.replace("<path ", '<path onclick="alert(1)" '),
        svg.replace("</svg>", '<image href="http://example.org/x.png"/></svg>'),
        svg.replace('d="M', 'd="M0 0"/><script>alert(1)</script><path d="M'),
        '<svg viewBox="0 0 37 37"><path stroke="#000" d="M1 1h1"/></svg><b>',
        "",
        None,
    ):
        assert not qr.is_qr_svg(tampered)


def test_a_kept_qr_code_is_drawn_and_a_tampered_one_is_not(monkeypatch):
    """The template uses the QR code kept for the badge, without making it again; one that is not an
    SVG as qr_svg() makes them is never inserted: the code's own is made instead."""
    from eventapp.badges import render

    kept = dataclasses.replace(BADGES[0], qr_svg=qr.qr_svg(BADGES[0].code))
    tampered = dataclasses.replace(BADGES[1], qr_svg='<svg onload="alert(1)"></svg>')
    made = []
    monkeypatch.setattr(render, "qr_svg", lambda code: made.append(code) or qr.qr_svg(code))
    html = badges_html([kept, tampered], "a4-4up")
    assert made == [BADGES[1].code]
    assert kept.qr_svg in html and qr.qr_svg(BADGES[1].code) in html
    assert "onload" not in html and html.count("<svg ") == 2


def test_qr_codes_are_made_in_worker_processes_when_many(monkeypatch):
    codes = [badge_code(new_badge_secret()) for _ in range(qr.PARALLEL_FROM + 1)]
    assert qr.qr_svgs(codes, workers=2) == [qr.qr_svg(code) for code in codes]
    assert qr.qr_svgs(codes[:3]) == [qr.qr_svg(code) for code in codes[:3]]


# --- Layout, pure -----------------------------------------------------------------------------


def test_emphasised_name():
    assert emphasised_name(_badge(1, "José Álvarez-Núñez")) == ("José", "José Álvarez-Núñez")
    assert emphasised_name(_badge(1, "María José García", given_name="María José")) == (
        "María José",
        "María José García",
    )
    assert emphasised_name(_badge(1, "Nagy Ilona", family_name="Nagy")) == ("Ilona", "Nagy Ilona")
    assert emphasised_name(_badge(1, "王小明")) == ("王小明", "")
    assert emphasised_name(_badge(1, "  Suharto ")) == ("Suharto", "")


def test_text_direction():
    assert text_direction("محمد بن عبد الله") == "rtl"
    assert text_direction("123 שלום") == "rtl"
    assert text_direction("«José»") == "ltr"
    assert text_direction("2018") == "ltr"
    assert fit_badge(BADGES[1], LAYOUTS["a4-4up"]).given.direction == "rtl"
    forced = BadgeData(1, "Ali", "EA1:X", "E", "D", direction="rtl")
    assert fit_badge(forced, LAYOUTS["a4-4up"]).given.direction == "rtl"


def test_long_texts_shrink_and_wrap():
    width = 93
    short = fit_text("Ann", GIVEN, width)
    long = fit_text("Wolfeschlegelsteinhausenbergerdorff", GIVEN, width)
    assert short.css_class == "given-0"
    assert GIVEN.sizes_pt[int(long.css_class.split("-")[1])] < GIVEN.sizes_pt[0]
    assert long.lines <= GIVEN.max_lines
    assert estimate_lines("王小明" * 30, 20, 50) > 1
    view = fit_badge(BADGES[6], LAYOUTS["a4-4up"])
    assert view.organisation is not None and view.organisation.lines >= 2


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=300))
def test_fit_text_always_gives_a_class(text):
    fitted = fit_text(text, GIVEN, 93)
    assert fitted.css_class in {f"given-{step}" for step in range(len(GIVEN.sizes_pt))}
    assert fitted.lines >= 1 and fitted.height_mm > 0


def test_order_by_surname_organisation_session():
    people = [
        _badge(1, "Li Zhu", "Oxford", SESSIONS[2:]),
        _badge(2, "Ana Álvarez", "", SESSIONS[1:]),
        _badge(3, "Bob alvarez", "DFID", ()),
        _badge(4, "Grace Hopper", "Navy", SESSIONS, given_name="Grace"),
        _badge(5, "Ilona Nagy", "DFID", SESSIONS[:1], family_name="Nagy"),
    ]
    ids = lambda badges: [b.registration_id for b in badges]  # noqa: E731
    assert ids(order_badges(people, "surname")) == [2, 3, 4, 5, 1]
    assert ids(order_badges(people, "organisation")) == [3, 5, 4, 1, 2]
    assert ids(order_badges(people, "session")) == [1, 4, 5, 2, 3]  # "Digital…" < "Making…" < "Tax…"
    assert surname(people[3]) == "Hopper" and surname(people[4]) == "Nagy"
    with pytest.raises(ValueError):
        order_badges(people, "age")  # type: ignore[arg-type]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=20), st.text(max_size=10)), max_size=12))
def test_ordering_is_a_stable_permutation(rows):
    badges = [_badge(i, name, organisation, ()) for i, (name, organisation) in enumerate(rows)]
    for by in ("surname", "organisation", "session"):
        ordered = order_badges(badges, by)
        assert sorted(b.registration_id for b in ordered) == list(range(len(badges)))
        assert order_badges(ordered, by) == ordered


def test_cut_marks_stay_in_the_blank_inset():
    from eventapp.badges.layout import cut_marks_mm

    sheet = LAYOUTS["a4-4up"]
    marks = cut_marks_mm(sheet)
    assert len(marks) == 6
    for left, top, width, height in marks:
        assert (
            0 < left
            and left + width < sheet.page_width_mm
            and 0 < top
            and top + height < sheet.page_height_mm
        )
        for cell in range(sheet.per_page):
            x, y = sheet.cell_origin_mm(cell)
            inside_content = (
                left + width > x + INSET_MM
                and left < x + sheet.cell_width_mm - INSET_MM
                and top + height > y + INSET_MM
                and top < y + sheet.cell_height_mm - INSET_MM
            )
            assert not inside_content
    assert cut_marks_mm(LAYOUTS["a6-single"]) == []


def test_unknown_layout_is_refused():
    with pytest.raises(ValueError, match="a4-4up"):
        get_layout("letter")
