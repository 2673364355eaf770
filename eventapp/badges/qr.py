"""The badge's QR code: segno's symbol as a small SVG, made once per badge code and kept (service.badge_qr_svgs)."""

from __future__ import annotations

import re
from collections.abc import Sequence

import segno

from ..pdf.pool import default_workers, process_pool

# H survives a quarter of the symbol being scuffed or covered by a lanyard clip, and costs nothing here:
# "EA1:" + 26 base32 characters is 30 alphanumeric characters, which fit version 3 (29x29) at H.
ERROR_CORRECTION = "h"
QUIET_ZONE_MODULES = 4  # the width the QR standard asks for

# What qr_svg() makes, and nothing else: the badge template inserts a stored SVG as markup only if it
# matches, so the cache can never put anything but one black path into a badge.
_QR_SVG = re.compile(r'<svg viewBox="0 0 (\d{2,3}) \1"><path stroke="#000" d="[Mmhv0-9 .-]+"/></svg>', re.ASCII)


def qr_svg(code: str) -> str:
    """The code's QR symbol, quiet zone included, as segno's inline SVG.

    The viewBox is in modules (37 for a badge code) and the <svg> has no size of its own: the stylesheet
    sizes it. One path of horizontal strokes, one per run of dark modules in a row.
    """
    symbol = segno.make_qr(code, error=ERROR_CORRECTION)
    return symbol.svg_inline(border=QUIET_ZONE_MODULES, omitsize=True, svgclass=None, lineclass=None)


def is_qr_svg(text: str | None) -> bool:
    """Whether text is an SVG as qr_svg() makes them (and so safe to insert as markup)."""
    return text is not None and _QR_SVG.fullmatch(text) is not None


# Below this many, making them here is quicker than starting worker processes.
PARALLEL_FROM = 200


def qr_svgs(codes: Sequence[str], workers: int | None = None) -> list[str]:
    """qr_svg() of every code, in order: in `workers` processes (default: one per CPU) when there are many."""
    workers = min(workers or default_workers(), -(-len(codes) // PARALLEL_FROM))
    if workers <= 1:
        return [qr_svg(code) for code in codes]
    with process_pool(workers, [__name__], lambda: None) as pool:
        return list(pool.map(qr_svg, codes, chunksize=-(-len(codes) // (4 * workers))))
