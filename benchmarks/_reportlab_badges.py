"""The badges drawn with reportlab and segno in one process: the yardstick benchmarks/badges.py measures against.

What a developer would write with reportlab's canvas: the same A6 badges four to an A4 sheet, with the same
text sizes (eventapp/badges/layout.py fits them), the event band, names, organisation, sessions, registration
number, cut marks and a segno QR code made while drawing, as vector rectangles. Each text is set in the Noto
face for its script (reportlab does not fall back from font to font, nor shape Arabic or Devanagari).
"""

from __future__ import annotations

from pathlib import Path

import segno
from reportlab.lib.colors import HexColor
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from eventapp.badges import layout as L

FONTS = Path("/usr/share/fonts/truetype")
FACES = {  # name: (regular, bold)
    "latin": ("noto/NotoSans-Regular.ttf", "noto/NotoSans-Bold.ttf"),
    "arabic": ("noto/NotoSansArabic-Regular.ttf", "noto/NotoSansArabic-Bold.ttf"),
    "devanagari": ("noto/NotoSansDevanagari-Regular.ttf", "noto/NotoSansDevanagari-Bold.ttf"),
    "cjk": ("wqy/wqy-microhei.ttc", "wqy/wqy-microhei.ttc"),
}
BAND, BAND_TEXT, INK, GREY, ORG = (HexColor(c) for c in ("#0e4d64", "#d3e8ef", "#1d1d1b", "#6b6b6b", "#0e4d64"))


def register_fonts() -> None:
    for script, (regular, bold) in FACES.items():
        pdfmetrics.registerFont(TTFont(script, FONTS / regular))
        pdfmetrics.registerFont(TTFont(f"{script}-bold", FONTS / bold))


def _font(text: str, bold: bool) -> str:
    script = "latin"
    for char in text:
        point = ord(char)
        if 0x0600 <= point <= 0x06FF:
            script = "arabic"
            break
        if 0x0900 <= point <= 0x097F:
            script = "devanagari"
            break
        if 0x3000 <= point <= 0x9FFF:
            script = "cjk"
            break
    return f"{script}-bold" if bold else script


def _size(fitted: L.FittedText, style: L.TextStyle) -> float:
    return style.sizes_pt[int(fitted.css_class.rsplit("-", 1)[1])]


def _lines(canvas: Canvas, text: str, font: str, size: float, width: float) -> list[str]:
    if " " not in text.strip():  # one long word or a CJK run: break anywhere, like overflow-wrap: anywhere
        lines, line = [], ""
        for char in text:
            if line and canvas.stringWidth(line + char, font, size) > width:
                lines.append(line)
                line = ""
            line += char
        return [*lines, line] if line else lines
    return simpleSplit(text, font, size, width)


def _text_block(canvas, fitted, style, bold, colour, centre_x, top, width, align="centre") -> float:
    """Draws the text under top (points from the page's bottom); returns the y under its last line."""
    size = _size(fitted, style)
    font = _font(fitted.text, bold)
    leading = size * style.line_height
    canvas.setFillColor(colour)
    canvas.setFont(font, size)
    y = top
    for line in _lines(canvas, fitted.text, font, size, width):
        y -= leading
        if align == "centre":
            canvas.drawCentredString(centre_x, y + leading * 0.22, line)
        else:
            canvas.drawString(centre_x, y + leading * 0.22, line)
    return y


def _qr(canvas: Canvas, code: str, left: float, bottom: float, size: float) -> None:
    qr = segno.make_qr(code, error="h", boost_error=False)
    modules = qr.symbol_size(border=4)[0]
    unit = size / modules
    path = canvas.beginPath()
    for row, line in enumerate(qr.matrix_iter(border=4)):
        y = bottom + (modules - 1 - row) * unit
        start = None
        for column, dark in enumerate([*line, 0]):
            if dark and start is None:
                start = column
            elif not dark and start is not None:
                path.rect(left + start * unit, y, (column - start) * unit, unit)
                start = None
    canvas.setFillColor(INK)
    canvas.drawPath(path, stroke=0, fill=1)


def draw_badge(canvas: Canvas, view: L.BadgeView, sheet: L.SheetLayout) -> None:
    page_height = sheet.page_height_mm * mm
    cell_left, cell_top = sheet.cell_origin_mm(view.cell)
    left = (cell_left + L.INSET_MM) * mm
    top = page_height - (cell_top + L.INSET_MM) * mm
    width = L.text_width_mm(sheet) * mm

    canvas.setFillColor(BAND)
    canvas.roundRect(left, top - L.HEADER_HEIGHT_MM * mm, width, L.HEADER_HEIGHT_MM * mm, 2.5 * mm, stroke=0, fill=1)
    inner = width - 2 * L.HEADER_PADDING_MM * mm
    y = _text_block(canvas, view.header.event, L.EVENT, True, HexColor("#ffffff"), left + width / 2,
                    top - view.header.pad_mm * mm, inner)
    _text_block(canvas, view.header.date, L.DATE, False, BAND_TEXT, left + width / 2, y - 0.6 * mm, inner)

    y = page_height - (cell_top + L.BODY_TOP_MM + view.body_pad_mm) * mm
    y = _text_block(canvas, view.given, L.GIVEN, True, INK, left + width / 2, y, width)
    if view.full:
        y = _text_block(canvas, view.full, L.FULL, False, INK, left + width / 2, y - L.BODY_GAP_MM * mm, width)
    if view.organisation:
        _text_block(canvas, view.organisation, L.ORGANISATION, True, ORG, left + width / 2,
                    y - L.BODY_GAP_MM * mm, width)

    qr_left, qr_top, qr_size = L.qr_box_mm(sheet, view.cell)
    _qr(canvas, view.badge.code, qr_left * mm, page_height - (qr_top + qr_size) * mm, qr_size * mm)

    side_left = qr_left * mm + (L.QR_SIZE_MM + L.QR_GAP_MM) * mm
    side_width = L.side_width_mm(sheet) * mm
    y = page_height - qr_top * mm
    if view.sessions:
        canvas.setFillColor(GREY)
        canvas.setFont("latin", 7)
        y -= 0.8 * mm + 7 * 1.2
        canvas.drawString(side_left, y + 1.5, "SESSIONS")
        detail_size = L.SESSION.sizes_pt[int(view.sessions.detail_class.rsplit("-", 1)[1])] * L.DETAIL_RATIO
        for session in view.sessions.sessions:
            y = _text_block(canvas, session.title, L.SESSION, True, INK, side_left, y - 1.2 * mm, side_width,
                            align="start")
            if session.detail:
                canvas.setFont(_font(session.detail, False), detail_size)
                for line in simpleSplit(session.detail, _font(session.detail, False), detail_size, side_width):
                    y -= detail_size * 1.2
                    canvas.drawString(side_left, y + 1, line)
    canvas.setFillColor(GREY)
    canvas.setFont("latin", L.CODE_SIZE_PT)
    baseline = page_height - (qr_top + qr_size - 1.5) * mm
    canvas.drawString(side_left, baseline, f"#{view.badge.registration_id}")


def render(badges: list[L.BadgeData], out: Path, layout: str = "a4-4up") -> int:
    """Draws every badge into out; returns the number of pages."""
    register_fonts()
    sheet = L.get_layout(layout)
    canvas = Canvas(str(out), pagesize=(sheet.page_width_mm * mm, sheet.page_height_mm * mm))
    pages = L.paginate(badges, sheet)
    for page in pages:
        for view in L.sheet_views(page, sheet):
            draw_badge(canvas, view, sheet)
        canvas.setFillColor(INK)
        for x, y, w, h in L.cut_marks_mm(sheet):
            canvas.rect(x * mm, (sheet.page_height_mm - y - h) * mm, w * mm, h * mm, stroke=0, fill=1)
        canvas.showPage()
    canvas.save()
    return len(pages)
