"""What goes on a badge and where: badge data, sheet geometry, and each badge's texts fitted to it.

Pure functions over plain data: no database, no Flask, no WeasyPrint. The template and the
stylesheet take every size and position from here (fitting.py sizes the texts, names.py picks
the name printed largest).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from .fitting import (
    DATE,
    DETAIL_RATIO,
    EVENT,
    FULL,
    GIVEN,
    ORGANISATION,
    PT_PER_MM,
    SESSION,
    Direction,
    FittedText,
    collapse,
    estimate_lines,
    fit_text,
    text_direction,
)
from .names import emphasised_name


@dataclass(frozen=True, slots=True)
class BadgeSession:
    """One themed session the attendee is assigned to, as printed (times already in the event's zone)."""

    title: str
    room: str = ""
    when: str = ""


@dataclass(frozen=True, slots=True)
class BadgeData:
    """Everything printed on one badge. Built by the caller from the database; rendering needs nothing else.

    code is the QR payload (tokens.badge_code(secret)). given_name, when known, is the part of
    full_name printed largest, the name people call you by; without it the first word is taken,
    or the whole name for names written without spaces (Chinese, Japanese). family_name, when
    known, is what "by surname" sorts on. direction forces "ltr" or "rtl" for the name and
    organisation; by default each text takes the direction of its first strong letter.
    sessions accepts BadgeSession or plain titles, and is stored as a tuple. qr_svg is the code's QR
    symbol as qr.qr_svg() made it when the code was issued; without it the renderer makes it.
    """

    registration_id: int | str
    full_name: str
    code: str
    event_name: str
    event_date: str
    organisation: str = ""
    sessions: tuple[BadgeSession, ...] = ()
    given_name: str | None = None
    family_name: str | None = None
    direction: Direction | None = None
    qr_svg: str | None = None

    def __post_init__(self) -> None:
        sessions = tuple(s if isinstance(s, BadgeSession) else BadgeSession(str(s)) for s in self.sessions)
        object.__setattr__(self, "sessions", sessions)
        if self.direction not in (None, "ltr", "rtl"):
            raise ValueError(f"direction must be 'ltr', 'rtl' or None, not {self.direction!r}")


# --- Sheets -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SheetLayout:
    """A page size cut into a grid of equal badge cells, filled row by row."""

    name: str
    page_width_mm: float
    page_height_mm: float
    columns: int
    rows: int
    cut_marks: bool

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    @property
    def cell_width_mm(self) -> float:
        return self.page_width_mm / self.columns

    @property
    def cell_height_mm(self) -> float:
        return self.page_height_mm / self.rows

    def cell_origin_mm(self, cell: int) -> tuple[float, float]:
        """Top-left corner of a cell, measured from the page's top-left corner."""
        row, column = divmod(cell, self.columns)
        return column * self.cell_width_mm, row * self.cell_height_mm


# A6 (105 x 148 mm) tiles A4 (210 x 297 mm) exactly, so the 4-up cells are A6 with half a
# millimetre more height and the two cuts run through the middle of the sheet.
LAYOUTS: dict[str, SheetLayout] = {
    "a4-4up": SheetLayout("a4-4up", 210, 297, columns=2, rows=2, cut_marks=True),
    "a6-single": SheetLayout("a6-single", 105, 148, columns=1, rows=1, cut_marks=False),
}


def get_layout(name: str) -> SheetLayout:
    try:
        return LAYOUTS[name]
    except KeyError:
        raise ValueError(f"unknown badge layout {name!r}; choose one of {', '.join(LAYOUTS)}") from None


def paginate(badges: Sequence[BadgeData], layout: SheetLayout) -> list[list[BadgeData]]:
    """The badges in sheet order, grouped page by page."""
    step = layout.per_page
    return [list(badges[start : start + step]) for start in range(0, len(badges), step)]


# Geometry inside a cell, in mm. Everything keeps INSET_MM clear of the cell edge: room for a
# printer's unprintable margin on the sheet's outer edges, for the cut marks, and for a cut a
# couple of mm off the line.
INSET_MM = 6.0
HEADER_HEIGHT_MM = 21.0
HEADER_PADDING_MM = 4.0  # left and right, inside the header band
QR_SIZE_MM = 37.0  # quiet zone included: a version 3 symbol is 29 + 2 x 4 modules, 1 mm each
QR_GAP_MM = 3.0
BODY_TOP_MM = INSET_MM + HEADER_HEIGHT_MM + 4.0
BODY_GAP_MM = 2.0  # above the full name and above the organisation
CODE_LINE_MM = 4.0  # the registration number, under the sessions
CODE_SIZE_PT = 7.0
SESSIONS_LABEL_MM = 5.0


def text_width_mm(layout: SheetLayout) -> float:
    return layout.cell_width_mm - 2 * INSET_MM


def body_height_mm(layout: SheetLayout) -> float:
    """Height for the names and organisation, between the header and the QR row."""
    return layout.cell_height_mm - BODY_TOP_MM - QR_SIZE_MM - INSET_MM - QR_GAP_MM


def side_width_mm(layout: SheetLayout) -> float:
    """Width of the sessions column beside the QR code."""
    return text_width_mm(layout) - QR_SIZE_MM - QR_GAP_MM


def qr_top_mm(layout: SheetLayout) -> float:
    return layout.cell_height_mm - INSET_MM - QR_SIZE_MM


def qr_box_mm(layout: SheetLayout, cell: int) -> tuple[float, float, float]:
    """(left, top, size) on the page of the QR square, quiet zone included, of a cell's badge."""
    left, top = layout.cell_origin_mm(cell)
    return left + INSET_MM, top + qr_top_mm(layout), QR_SIZE_MM


def cut_marks_mm(
    layout: SheetLayout, length_mm: float = 4.0, margin_mm: float = 5.0, thickness_mm: float = 0.25
) -> list[tuple[float, float, float, float]]:
    """Cut guides as thin boxes (left, top, width, height) in mm on the page.

    A short line at each end of every cut, margin_mm inside the sheet edge where printers still
    print, and a cross where cuts meet. All fall in the cells' blank inset.
    """
    if not layout.cut_marks:
        return []
    lines: list[tuple[float, float, float, float]] = []  # x1, y1, x2, y2
    width, height = layout.page_width_mm, layout.page_height_mm
    half = length_mm / 2
    for column in range(1, layout.columns):
        x = column * layout.cell_width_mm
        lines.append((x, margin_mm, x, margin_mm + length_mm))
        lines.append((x, height - margin_mm - length_mm, x, height - margin_mm))
        for row in range(1, layout.rows):
            y = row * layout.cell_height_mm
            lines.append((x, y - half, x, y + half))
    for row in range(1, layout.rows):
        y = row * layout.cell_height_mm
        lines.append((margin_mm, y, margin_mm + length_mm, y))
        lines.append((width - margin_mm - length_mm, y, width - margin_mm, y))
        for column in range(1, layout.columns):
            x = column * layout.cell_width_mm
            lines.append((x - half, y, x + half, y))
    t = thickness_mm
    return [
        (round(x1 - t / 2, 3), round(y1 - t / 2, 3), round(x2 - x1 + t, 3), round(y2 - y1 + t, 3))
        for x1, y1, x2, y2 in lines
    ]


def geometry_css(layout: SheetLayout) -> str:
    """CSS for the page, the cells and the regions of a badge, from the numbers above.

    Positions are classes, never style attributes: WeasyPrint shares one computed style among
    elements with the same classes, but computes it afresh for every element with a style
    attribute.
    """
    qr_left, qr_top, qr_size = qr_box_mm(layout, 0)  # cell 0's box on the page is the box in any cell
    side_left = qr_left + qr_size + QR_GAP_MM
    number_top = qr_top + qr_size - CODE_LINE_MM
    rules = [
        f"@page {{ size: {layout.page_width_mm}mm {layout.page_height_mm}mm; margin: 0 }}",
        f".page {{ width: {layout.page_width_mm}mm; height: {layout.page_height_mm}mm }}",
        f".badge {{ width: {layout.cell_width_mm}mm; height: {layout.cell_height_mm}mm }}",
        f"header {{ left: {INSET_MM}mm; width: {text_width_mm(layout)}mm; top: {INSET_MM}mm;"
        f" height: {HEADER_HEIGHT_MM}mm; padding: 0 {HEADER_PADDING_MM}mm; box-sizing: border-box }}",
        f".body {{ left: {INSET_MM}mm; width: {text_width_mm(layout)}mm; top: {BODY_TOP_MM}mm }}",
        f".side {{ left: {side_left}mm; top: {qr_top}mm; width: {side_width_mm(layout)}mm }}",
        f".qr {{ left: {qr_left}mm; top: {qr_top}mm; width: {qr_size}mm; height: {qr_size}mm }}",
        f".number {{ left: {side_left}mm; top: {number_top}mm; width: {side_width_mm(layout)}mm;"
        f" height: {CODE_LINE_MM}mm; font-size: {CODE_SIZE_PT}pt; line-height: {CODE_LINE_MM}mm }}",
    ]
    for cell in range(layout.per_page):
        left, top = layout.cell_origin_mm(cell)
        rules.append(f".cell-{cell} {{ left: {left}mm; top: {top}mm }}")
    for index, (left, top, width, height) in enumerate(cut_marks_mm(layout)):
        rules.append(
            f".mark-{index} {{ left: {left}mm; top: {top}mm; width: {width}mm; height: {height}mm }}"
        )
    # Vertical centring, in whole mm, as padding classes.
    tallest = int(max(body_height_mm(layout), HEADER_HEIGHT_MM)) + 1
    rules += [f".pad-{mm} {{ padding-top: {mm}mm }}" for mm in range(tallest)]
    return "\n".join(rules) + "\n"

# --- One badge, ready for the template ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FittedSession:
    title: FittedText
    detail: str  # time and room, one small line


@dataclass(frozen=True, slots=True)
class Header:
    """The event band at the top of a badge: the same on every badge of an event."""

    event: FittedText
    date: FittedText
    pad_mm: int  # centres the text in the band


@dataclass(frozen=True, slots=True)
class SessionColumn:
    """The sessions beside the QR code: shared by every badge with the same sessions."""

    sessions: tuple[FittedSession, ...]
    detail_class: str


@dataclass(frozen=True, slots=True)
class BadgeView:
    """A badge with every text sized and given its direction, in a cell of a sheet."""

    badge: BadgeData
    cell: int
    header: Header
    sessions: SessionColumn | None
    given: FittedText
    full: FittedText | None
    organisation: FittedText | None
    body_pad_mm: int  # centres the names and organisation in the body


def fit_header(badge: BadgeData, layout: SheetLayout) -> Header:
    return _fit_header(badge.event_name, badge.event_date, layout)


@lru_cache(maxsize=64)
def _fit_header(event_name: str, event_date: str, layout: SheetLayout) -> Header:
    width = text_width_mm(layout) - 2 * HEADER_PADDING_MM
    event = fit_text(collapse(event_name), EVENT, width)
    date = fit_text(collapse(event_date), DATE, width)
    used = event.height_mm + date.height_mm + 0.6
    return Header(event, date, max(0, int((HEADER_HEIGHT_MM - used) / 2)))


def _session_detail(session: BadgeSession) -> str:
    return " · ".join(part for part in (collapse(session.when), collapse(session.room)) if part)


@lru_cache(maxsize=256)
def fit_sessions(sessions: tuple[BadgeSession, ...], layout: SheetLayout) -> SessionColumn | None:
    """All sessions at one size, the largest at which they fit beside the QR code together.

    Cached: a conference has a handful of sessions, so a handful of combinations."""
    if not sessions:
        return None
    width = side_width_mm(layout)
    room = QR_SIZE_MM - SESSIONS_LABEL_MM - CODE_LINE_MM
    last = len(SESSION.sizes_pt) - 1
    for step in range(last + 1):
        fitted = tuple(
            FittedSession(fit_text(collapse(s.title), SESSION, width, step), _session_detail(s))
            for s in sessions
        )
        detail_size = SESSION.sizes_pt[step] * DETAIL_RATIO
        height = 0.0
        for session in fitted:
            detail_lines = estimate_lines(session.detail, detail_size, width) if session.detail else 0
            height += session.title.height_mm + detail_lines * detail_size * 1.2 / PT_PER_MM + 1.2
        if height <= room and all(s.title.lines <= SESSION.max_lines for s in fitted):
            break
    return SessionColumn(fitted, f"detail-{step}")


def fit_badge(badge: BadgeData, layout: SheetLayout, cell: int = 0) -> BadgeView:
    """Size every text so the names and organisation fit the body together."""
    width = text_width_mm(layout)
    available = body_height_mm(layout)
    emphasis, full_text = emphasised_name(badge)
    name_direction = badge.direction or text_direction(badge.full_name)
    organisation_text = collapse(badge.organisation)

    # Too tall together: shrink the organisation, the full name and the emphasised name by one
    # size each, in turn, so the emphasised name stays the biggest thing on the badge.
    styles = {"org": ORGANISATION, "full": FULL, "given": GIVEN}
    steps = dict.fromkeys(styles, 0)
    turn = 0
    while True:
        given = fit_text(emphasis, GIVEN, width, steps["given"], name_direction)
        full = fit_text(full_text, FULL, width, steps["full"], name_direction) if full_text else None
        organisation = (
            fit_text(organisation_text, ORGANISATION, width, steps["org"], badge.direction)
            if organisation_text
            else None
        )
        texts = [t for t in (given, full, organisation) if t is not None]
        height = sum(t.height_mm for t in texts) + BODY_GAP_MM * (len(texts) - 1)
        shrinkable = [name for name, style in styles.items() if steps[name] < len(style.sizes_pt) - 1]
        if height <= available or not shrinkable:
            break
        steps[shrinkable[turn % len(shrinkable)]] += 1
        turn += 1

    return BadgeView(
        badge=badge,
        cell=cell,
        header=fit_header(badge, layout),
        sessions=fit_sessions(badge.sessions, layout),
        given=given,
        full=full,
        organisation=organisation,
        body_pad_mm=max(0, int((available - height) / 2)),
    )


def sheet_views(page: Sequence[BadgeData], layout: SheetLayout) -> list[BadgeView]:
    return [fit_badge(badge, layout, cell) for cell, badge in enumerate(page)]
