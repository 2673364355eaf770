"""A QR code as a tiny 1-bit PNG, one pixel per module (quiet zone included), for a certificate's <img>.

Drawn by WeasyPrint as one small image (scaled with image-rendering: pixelated, so the modules stay sharp)
rather than an SVG path of a few hundred subpaths, which it parses and fills shape by shape. segno writes
the PNG.
"""

from __future__ import annotations

import segno

from ..badges.qr import ERROR_CORRECTION, QUIET_ZONE_MODULES


def qr_data_uri(text: str) -> str:
    """The QR code of ``text`` as a data: URI of its PNG, for the certificate's <img>."""
    return segno.make_qr(text, error=ERROR_CORRECTION).png_data_uri(scale=1, border=QUIET_ZONE_MODULES)
