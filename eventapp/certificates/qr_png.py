"""A QR code as a tiny 1-bit PNG, one pixel per module (quiet zone included), for a certificate's <img>.

Drawn by WeasyPrint as one small image (scaled with image-rendering: pixelated, so the modules stay sharp)
rather than an SVG path of a few hundred subpaths, which it parses and fills shape by shape.
"""

from __future__ import annotations

import base64
import struct
import zlib

from ..badges.qr import QUIET_ZONE_MODULES, qr_code


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def qr_png(text: str) -> bytes:
    modules = qr_code(text).modules
    size = len(modules) + 2 * QUIET_ZONE_MODULES
    light_row = [False] * size
    rows = [light_row] * QUIET_ZONE_MODULES + [
        [False] * QUIET_ZONE_MODULES + list(row) + [False] * QUIET_ZONE_MODULES for row in modules
    ] + [light_row] * QUIET_ZONE_MODULES
    raw = bytearray()
    for row in rows:
        raw.append(0)  # filter: none
        bits = "".join("0" if dark else "1" for dark in row).ljust((size + 7) // 8 * 8, "1")  # 1 is white
        raw.extend(int(bits[i:i + 8], 2) for i in range(0, len(bits), 8))
    header = struct.pack(">IIBBBBB", size, size, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(bytes(raw), 9)) + \
        _chunk(b"IEND", b"")


def qr_data_uri(text: str) -> str:
    return "data:image/png;base64," + base64.b64encode(qr_png(text)).decode("ascii")
