"""The badge's QR code: qrcode's symbol, as SVG from its path image factory and as PDF rectangles."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from functools import lru_cache

import qrcode
import qrcode.constants
import qrcode.util
from qrcode.compat.etree import ET
from qrcode.image.svg import SvgPathImage

# H survives a quarter of the symbol being scuffed or covered by a lanyard clip, and costs nothing
# here: "EA1:" + 26 base32 characters is 30 alphanumeric characters, which fit version 3 (29x29)
# at H as they do at Q.
ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_H
QUIET_ZONE_MODULES = 4  # the width the QR standard asks for


class RunLengthSvgPathImage(SvgPathImage):
    """qrcode's single-path SVG image, drawing one subpath per horizontal run of dark modules.

    The stock factory calls a drawer once per module and emits one square per dark module, which
    costs about 4 ms a code and gives WeasyPrint a path three times as long to parse and draw.
    The coordinates are the same module units as the stock factory's viewBox.
    """

    needs_drawrect = False

    def process(self) -> None:
        subpaths = [
            f"M{x} {y}h{length}v1h{-length}z" for x, y, length in dark_runs(self.modules, self.border)
        ]
        # No id attribute: several codes may share one HTML page, and ids must stay unique.
        self.path = ET.Element(ET.QName("path"), d="".join(subpaths), **self.QR_PATH_STYLE)
        self._img.append(self.path)


def dark_runs(modules: list[list[bool]], offset: int = 0) -> list[tuple[int, int, int]]:
    """(x, y, length) of every horizontal run of dark modules, shifted by offset (the quiet zone)."""
    runs = []
    for y, row in enumerate(modules, start=offset):
        x, width = 0, len(row)
        while x < width:
            if not row[x]:
                x += 1
                continue
            start = x
            while x < width and row[x]:
                x += 1
            runs.append((start + offset, y, x - start))
    return runs


def _lines(modules: list[list[bool]]) -> tuple[list[int], list[int]]:
    """The symbol's rows and columns as integers, first module in the highest bit."""
    rows = [int("".join("1" if dark else "0" for dark in row), 2) for row in modules]
    columns = [
        int("".join("1" if dark else "0" for dark in column), 2) for column in zip(*modules, strict=True)
    ]
    return rows, columns


@lru_cache(maxsize=8)
def _mask_flips(version: int, error_correction: int) -> tuple[tuple[list[int], list[int]], ...]:
    """For each of the 8 masks, which modules it flips relative to mask 0, as (rows, columns).

    A candidate symbol is function patterns + format bits + data XOR mask. With qrcode's "test"
    format bits (all light) the difference between mask m and mask 0 is (mask m XOR mask 0) over
    the data region, whatever the data: so it is worked out once per version.
    """
    probe = qrcode.QRCode(version=version, error_correction=error_correction, border=0)
    probe.add_data("0")
    probe.makeImpl(True, 0)
    rows0, columns0 = _lines(probe.modules)
    flips = []
    for mask in range(8):
        probe.makeImpl(True, mask)
        rows, columns = _lines(probe.modules)
        flips.append(
            (
                [a ^ b for a, b in zip(rows, rows0, strict=True)],
                [a ^ b for a, b in zip(columns, columns0, strict=True)],
            )
        )
    return tuple(flips)


_RUN = re.compile(r"0{5,}|1{5,}")
# Neither pattern overlaps itself, so str.count finds every occurrence.
_FINDER_LIKE = ("10111010000", "00001011101")


def mask_penalty(rows: list[int], columns: list[int]) -> int:
    """qrcode.util.lost_point for a symbol given as row and column integers: the same four
    rules and weights, with regular expressions and bit operations instead of module loops."""
    size = len(rows)
    width = f"0{size}b"
    text = "|".join(format(line, width) for line in (*rows, *columns))  # "|": no run crosses lines
    penalty = sum(len(run) - 2 for run in _RUN.findall(text))  # rule 1: runs of 5+ alike
    penalty += 40 * sum(text.count(pattern) for pattern in _FINDER_LIKE)  # rule 3: 1:1:3:1:1, 4 light
    full = (1 << size) - 1
    for upper, lower in zip(rows, rows[1:], strict=False):  # rule 2: 2x2 blocks alike
        alike = ~(upper ^ lower) & full
        across = ~(upper ^ (upper >> 1)) & (full >> 1)
        penalty += 3 * (alike & (alike >> 1) & across).bit_count()
    dark = sum(row.bit_count() for row in rows)  # rule 4: balance of dark and light
    return penalty + int(abs(dark / size**2 * 100 - 50) / 5) * 10


def qr_code(code: str) -> qrcode.QRCode:
    """The QR symbol for a code: the symbol qrcode's own make() builds, in about a quarter of the time.

    qrcode picks the mask by building and scoring 8 candidate symbols module by module (about
    6 ms); here one candidate is built and the other 7 are derived from it with XOR.
    """
    qr = qrcode.QRCode(error_correction=ERROR_CORRECTION, border=QUIET_ZONE_MODULES)
    qr.add_data(code)
    qr.best_fit()
    qr.makeImpl(True, 0)
    rows, columns = _lines(qr.modules)
    best, best_rows, best_penalty = 0, rows, None
    for mask, (row_flips, column_flips) in enumerate(_mask_flips(qr.version, ERROR_CORRECTION)):
        candidate_rows = [a ^ b for a, b in zip(rows, row_flips, strict=True)]
        candidate_columns = [a ^ b for a, b in zip(columns, column_flips, strict=True)]
        penalty = mask_penalty(candidate_rows, candidate_columns)
        if best_penalty is None or penalty < best_penalty:  # the first lowest, as qrcode picks
            best, best_rows, best_penalty = mask, candidate_rows, penalty
    # What makeImpl(False, best) builds, without placing the data again: the chosen candidate
    # with the real format (and version) bits and the always-dark module.
    width = f"0{qr.modules_count}b"
    qr.modules = [[bit == "1" for bit in format(row, width)] for row in best_rows]
    qr.setup_type_info(False, best)
    if qr.version >= 7:
        qr.setup_type_number(False)
    qr.modules[qr.modules_count - 8][8] = True
    return qr


@dataclass(frozen=True, slots=True)
class QrSymbol:
    """A code's QR symbol as geometry: its width in modules (quiet zone included) and its dark runs.

    The runs are packed three bytes each (x, y, length; a symbol is at most 185 modules wide),
    so the cache holds a symbol in under a kilobyte rather than fifteen as tuples.
    """

    modules: int
    packed_runs: bytes

    @property
    def runs(self) -> list[tuple[int, int, int]]:
        packed = self.packed_runs
        return [(packed[i], packed[i + 1], packed[i + 2]) for i in range(0, len(packed), 3)]


@lru_cache(maxsize=4096)
def qr_symbol(code: str) -> QrSymbol:
    qr = qr_code(code)
    runs = dark_runs(qr.modules, QUIET_ZONE_MODULES)
    return QrSymbol(qr.modules_count + 2 * QUIET_ZONE_MODULES, bytes(n for run in runs for n in run))


@lru_cache(maxsize=1024)
def qr_svg(code: str) -> str:
    """The code's QR symbol, quiet zone included, as SVG from qrcode's path image factory.

    For web pages (an attendee's badge preview, the organisers' reprint page). The <svg> carries
    width/height in mm at one mm per module and a viewBox in modules; CSS may resize it.
    """
    image = qr_code(code).make_image(image_factory=RunLengthSvgPathImage)
    return image.to_string(encoding="unicode")


def qr_data_uri(code: str) -> str:
    """The SVG as a data: URI, for an <img src>."""
    return "data:image/svg+xml;base64," + base64.b64encode(qr_svg(code).encode()).decode("ascii")


def qr_pdf_operators(
    code: str, left_pt: float, top_pt: float, size_pt: float, page_height_pt: float
) -> bytes:
    """PDF content operators filling the symbol's dark runs as rectangles, in default user space
    (points, origin bottom-left), for a square of size_pt whose top-left corner is (left_pt, top_pt)
    measured from the page's top-left. The quiet zone is left unpainted, so it must be white.

    The same geometry as qr_svg(), drawn directly: WeasyPrint's SVG renderer takes about 20 ms
    to draw one symbol, these operators about 0.1 ms, and the result is the same vector shapes.
    """
    symbol = qr_symbol(code)
    module = size_pt / symbol.modules
    bottom = page_height_pt - top_pt - size_pt  # y of the square's bottom edge
    top_row = symbol.modules - 1
    parts = [b"q 0 g"]
    parts.extend(
        b"%.3f %.3f %.3f %.3f re"
        % (left_pt + x * module, bottom + (top_row - y) * module, length * module, module)
        for x, y, length in symbol.runs
    )
    parts.append(b"f Q")
    return b"\n".join(parts)
