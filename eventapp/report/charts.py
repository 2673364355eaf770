"""Charts for the report: the graphics as inline SVG drawn in Python, the words and numbers as HTML over them.

Bars differ by fill pattern (solid dark grey, diagonal hatching) as well as tone, and every bar carries its
number, so a grey-scale print loses nothing; the report prints each chart's numbers in a table below it too.

Why the text is HTML laid over the SVG rather than SVG <text>: WeasyPrint draws SVG text letter by letter,
which breaks Arabic and Devanagari shaping and right-to-left order and costs a layout per letter (most of
the report's drawing time). HTML text is shaped like the rest of the report. Everything is placed in
millimetres, the SVG's user unit, so both layers share one coordinate system.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from .figures import ArrivalBin

WIDTH = 160.0  # mm: the report's text width
LINE = 3.0  # mm: the height of one line of chart text
LABEL_CHARS = 44
PATTERNS = ("solid", "hatch")


@dataclass(frozen=True, slots=True)
class BarRow:
    label: str
    values: tuple[int, ...]


def nice_step(maximum: float, ticks: int = 5) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving about `ticks` gridlines up to `maximum`."""
    if maximum <= 0:
        return 1
    raw = maximum / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return max(factor * power, 1)
    return 10 * power


def axis_max(maximum: float, ticks: int = 5) -> tuple[float, float]:
    step = nice_step(maximum, ticks)
    return max(step * math.ceil(maximum / step), step), step


def short_label(text: str, limit: int = LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _fmt(value: float) -> str:
    return f"{value:,.0f}"


class _Canvas:
    """Collects SVG shapes and positioned text for one chart.

    For print (WeasyPrint) the text is HTML over the SVG, placed by style attributes; for a browser it is SVG
    <text>, which browsers shape properly, and which the app's Content-Security-Policy (no inline styles)
    lets through."""

    def __init__(self, uid: str, for_print: bool = True):
        self.uid = uid
        self.for_print = for_print
        self.description = ""  # the chart's numbers in words: its alternative text in a tagged PDF
        self.shapes: list[str] = []
        self.texts: list[str] = []

    def fill(self, pattern: str) -> str:
        if pattern == "hatch":
            return f'fill="url(#{self.uid}-hatch)" stroke="#000" stroke-width="0.2"'
        return 'fill="#3a3a3a"'

    def rect(self, x: float, y: float, w: float, h: float, pattern: str = "solid") -> None:
        if w > 0 and h > 0:
            self.shapes.append(f'<rect x="{x:.2f}" y="{y:.2f}" width="{w:.2f}" height="{h:.2f}" {self.fill(pattern)}/>')

    def line(self, x1: float, y1: float, x2: float, y2: float, width: float = 0.2, dash: str | None = None,
             colour: str = "#000") -> None:
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        self.shapes.append(f'<line x1="{x1:.2f}" y1="{y1:.2f}" x2="{x2:.2f}" y2="{y2:.2f}" stroke="{colour}" '
                           f'stroke-width="{width}"{dashed}/>')

    def text(self, x: float, y: float, words: str, anchor: str = "start", cls: str = "", width: float = 40) -> None:
        """Text whose line is vertically centred on y, starting, ending or centred at x."""
        if not self.for_print:
            size = {"tick": 2.3}.get(cls, 2.5)
            weight = ' font-weight="bold"' if cls == "value" else ""
            colour = "#333" if cls == "tick" else "#000"
            self.shapes.append(f'<text x="{x:.2f}" y="{y + size * 0.35:.2f}" font-size="{size}" text-anchor="{anchor}" '
                               f'fill="{colour}"{weight}>{escape(words)}</text>')
            return
        top = y - LINE / 2
        if anchor == "end":
            place = f"left:{x - width:.2f}mm;width:{width:.2f}mm;text-align:right"
        elif anchor == "middle":
            place = f"left:{x - width / 2:.2f}mm;width:{width:.2f}mm;text-align:center"
        else:
            place = f"left:{x:.2f}mm;width:{width:.2f}mm"
        self.texts.append(f'<span class="chart-text {cls}" style="top:{top:.2f}mm;{place}">{escape(words)}</span>')

    def render(self, height: float, title: str) -> Markup:
        defs = (
            f'<defs><pattern id="{self.uid}-hatch" patternUnits="userSpaceOnUse" width="1.4" height="1.4" '
            'patternTransform="rotate(45)"><rect width="1.4" height="1.4" fill="#fff"/>'
            '<line x1="0" y1="0" x2="0" y2="1.4" stroke="#000" stroke-width="0.55"/></pattern></defs>'
        )
        if not self.for_print:
            return Markup(  # noqa: S704 - every word went through escape(); the shapes hold only numbers
                f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" role="img" viewBox="0 0 {WIDTH:.0f} '
                f'{height:.2f}" width="{WIDTH:.0f}mm" height="{height:.2f}mm" font-family="sans-serif">'
                f"<title>{escape(title)} (the numbers are in the table below)</title>{defs}{''.join(self.shapes)}</svg>"
            )
        # The <title> is the chart's alternative text in a tagged PDF (WeasyPrint makes the SVG a Figure with it).
        alt = f"{title}. {self.description}" if self.description else title
        svg = (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-graphics" '
            f'viewBox="0 0 {WIDTH:.0f} {height:.2f}" width="{WIDTH:.0f}mm" height="{height:.2f}mm">'
            f"<title>{escape(alt)}</title>{defs}{''.join(self.shapes)}</svg>"
        )
        # Every word in texts went through escape(); the shapes hold only numbers.
        return Markup(  # noqa: S704
            f'<div class="chart" role="img" aria-label="{escape(title)} (the numbers are in the table below)" '
            f'style="width:{WIDTH:.0f}mm;height:{height:.2f}mm">{svg}{"".join(self.texts)}</div>'
        )


def _legend(canvas: _Canvas, names: Sequence[str], y: float) -> None:
    x = 0.0
    for name, pattern in zip(names, PATTERNS, strict=False):
        canvas.rect(x, y - 1.5, 5, 3, pattern)
        canvas.text(x + 6.5, y, name, width=45)
        x += 10 + 2.0 * len(name)


def describe_bars(rows: Sequence[BarRow], series: Sequence[str], fmt=_fmt) -> str:
    """The bars' numbers as a sentence, for the chart's alternative text."""
    def values(row: BarRow) -> str:
        if len(series) == 1:
            return fmt(row.values[0])
        return ", ".join(f"{name} {fmt(v)}" for name, v in zip(series, row.values, strict=False))

    return "; ".join(f"{row.label}: {values(row)}" for row in rows) + "."


def bar_chart(title: str, rows: Sequence[BarRow], series: Sequence[str], uid: str, for_print: bool = True,
              value_format: str = "{:,.0f}", axis_limit: float | None = None) -> Markup:
    """Horizontal bars: a label on the left of each group, one bar per series, the number after each bar.
    `value_format` writes the numbers (an average rating: "{:.1f}"); `axis_limit` fixes the scale's end."""
    canvas = _Canvas(uid, for_print)
    canvas.description = describe_bars(rows, series, value_format.format)
    n = len(series)
    bar_h = 4.0 if n == 1 else 3.2
    gap, row_gap = 0.6, 2.6
    group_h = n * bar_h + (n - 1) * gap + row_gap
    label_w, x0, top = 56.0, 58.0, 6.0
    plot_w = WIDTH - x0 - 12
    maximum, step = axis_max(axis_limit or max((v for r in rows for v in r.values), default=0))
    scale = plot_w / maximum
    bottom = top + group_h * len(rows)
    height = bottom + 5
    if n > 1:
        _legend(canvas, series, 2.0)
    tick = 0.0
    while tick <= maximum + 1e-9:
        x = x0 + tick * scale
        canvas.line(x, top - 1, x, bottom, 0.15, "0.6 0.6", "#999")
        canvas.text(x, bottom + 2.2, _fmt(tick), "middle", "tick", width=14)
        tick += step
    for i, row in enumerate(rows):
        y = top + i * group_h
        bars_h = group_h - row_gap
        canvas.text(x0 - 2, y + bars_h / 2, short_label(row.label), "end", "label", width=label_w)
        for j, value in enumerate(row.values):
            by = y + j * (bar_h + gap)
            w = value * scale
            canvas.rect(x0, by, w, bar_h, PATTERNS[j % len(PATTERNS)])
            canvas.text(x0 + w + 1, by + bar_h / 2, value_format.format(value), cls="value", width=14)
    canvas.line(x0, top - 1, x0, bottom, 0.3)
    return canvas.render(height, title)


def arrivals_chart(title: str, bins: Sequence[ArrivalBin], bin_minutes: int, uid: str,
                   for_print: bool = True) -> Markup:
    """Arrivals per interval as bars (each with its count), the running total as a dashed line on the right scale."""
    canvas = _Canvas(uid, for_print)
    when = "%H:%M" if bin_minutes < 1440 else "%d %b"
    busiest = max(bins, key=lambda b: b.arrivals) if bins else None
    canvas.description = (
        f"{bins[-1].cumulative:,} arrivals from {bins[0].starts_at.strftime(when)} to "
        f"{bins[-1].ends_at.strftime(when)}; the busiest interval began at {busiest.starts_at.strftime(when)} "
        f"with {busiest.arrivals:,} arrivals." if bins else "No check-ins were recorded.")
    left, right, top = 10.0, 12.0, 8.0
    plot_h = 55.0
    base = top + plot_h
    height = base + 11
    plot_w = WIDTH - left - right
    canvas.rect(0, 0.5, 5, 3)
    canvas.text(6.5, 2, "Arrivals in the interval (left scale)", width=60)
    canvas.line(70, 2, 78, 2, 0.35, "1.2 0.6")
    canvas.shapes.append('<rect x="73" y="1" width="2" height="2" fill="#fff" stroke="#000" stroke-width="0.25"/>')
    canvas.text(80, 2, "Arrived so far (right scale)", width=60)
    if not bins:
        canvas.text(WIDTH / 2, top + plot_h / 2, "No check-ins were recorded.", "middle", width=80)
        return canvas.render(height, title)
    maximum, step = axis_max(max(b.arrivals for b in bins))
    total_max, total_step = axis_max(bins[-1].cumulative)
    tick = 0.0
    while tick <= maximum + 1e-9:
        y = base - tick / maximum * plot_h
        canvas.line(left, y, left + plot_w, y, 0.15, "0.6 0.6", "#999")
        canvas.text(left - 1, y, _fmt(tick), "end", "tick", width=10)
        tick += step
    tick = 0.0
    while tick <= total_max + 1e-9:
        canvas.text(left + plot_w + 1, base - tick / total_max * plot_h, _fmt(tick), cls="tick", width=12)
        tick += total_step
    slot = plot_w / len(bins)
    bar_w = slot * 0.7
    label_every = max(1, math.ceil(len(bins) * 10 / plot_w))
    fmt = "%H:%M" if bin_minutes < 1440 else "%d %b"
    points = [(left, base)]
    for i, b in enumerate(bins):
        x = left + i * slot + (slot - bar_w) / 2
        h = b.arrivals / maximum * plot_h
        canvas.rect(x, base - h, bar_w, h)
        if b.arrivals:
            canvas.text(x + bar_w / 2, base - h - 1.8, _fmt(b.arrivals), "middle", "value", width=slot + 2)
        if i % label_every == 0:
            canvas.text(left + i * slot, base + 2.2, b.starts_at.strftime(fmt), "middle", "tick", width=12)
        points.append((left + (i + 1) * slot, base - b.cumulative / total_max * plot_h))
    canvas.text(left + plot_w, base + 2.2, bins[-1].ends_at.strftime(fmt), "middle", "tick", width=12)
    unit = f"Local time, {bin_minutes}-minute intervals" if bin_minutes < 1440 else "Date"
    canvas.text(left + plot_w / 2, base + 7, unit, "middle", width=80)
    polyline = " ".join(f"{x:.2f},{y:.2f}" for x, y in points)
    canvas.shapes.append(f'<polyline points="{polyline}" fill="none" stroke="#000" stroke-width="0.35" '
                         'stroke-dasharray="1.2 0.6"/>')
    for x, y in points[1:]:
        canvas.shapes.append(f'<rect x="{x - 0.9:.2f}" y="{y - 0.9:.2f}" width="1.8" height="1.8" fill="#fff" '
                             'stroke="#000" stroke-width="0.25"/>')
    canvas.line(left, base, left + plot_w, base, 0.3)
    return canvas.render(height, title)
