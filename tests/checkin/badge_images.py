"""Pictures of real badges, as eventapp renders them (PDF, then pdftoppm), for the camera and decoder tests; and
the same badge photographed badly: at an angle (a perspective warp) and in dim light (darkened, less contrast)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest


def real_badge_png(registration, event, folder: Path, dpi: int = 100) -> Path:
    """The badge eventapp prints for ``registration`` (A6, its own QR code), as a PNG at ``dpi``."""
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm (poppler-utils) is missing")
    from eventapp.badges.render import render_badge_pdf
    from eventapp.badges.service import badge_data

    pdf = folder / f"badge-{registration.id}.pdf"
    pdf.write_bytes(render_badge_pdf(badge_data(registration, event)))
    stem = folder / f"badge-{registration.id}"
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-singlefile", str(pdf), str(stem)], check=True, timeout=60)
    return stem.with_suffix(".png")


def photographed(png: Path, out: Path, tilt: float = 0.0, light: float = 1.0) -> Path:
    """The badge seen at an angle (``tilt``: 0 flat, 0.3 strongly slanted) and in dim light (``light`` < 1)."""
    from PIL import Image, ImageEnhance, ImageFilter

    image = Image.open(png).convert("RGB")
    w, h = image.size
    if tilt:
        # The badge's right edge further away: shorter and shifted, as a camera held to its left sees it.
        dx, dy = tilt * w, tilt * h / 2
        target = [(0, 0), (w - dx, dy), (w - dx, h - dy), (0, h)]
        image = image.transform((w, h), Image.Transform.PERSPECTIVE, _coefficients(target, w, h),
                                Image.Resampling.BILINEAR, fillcolor=(90, 90, 90))
    if light != 1.0:
        image = ImageEnhance.Contrast(image).enhance(0.6 + 0.4 * light)
        image = ImageEnhance.Brightness(image).enhance(light)
        image = image.filter(ImageFilter.GaussianBlur(0.6))
    image.save(out)
    return out


def _coefficients(target, w, h):
    """PIL's perspective coefficients mapping the output quad ``target`` back to the whole source image."""
    source = [(0, 0), (w, 0), (w, h), (0, h)]
    rows = []
    for (x, y), (u, v) in zip(target, source, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y, u])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y, v])
    return _solve(rows)


def _solve(rows: list[list[float]]) -> list[float]:
    """Gaussian elimination of an n x (n+1) augmented matrix."""
    n = len(rows)
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(rows[r][col]))
        rows[col], rows[pivot] = rows[pivot], rows[col]
        for r in range(n):
            if r != col:
                factor = rows[r][col] / rows[col][col]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[col], strict=True)]
    return [rows[i][n] / rows[i][i] for i in range(n)]
