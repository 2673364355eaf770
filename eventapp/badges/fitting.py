"""Text on a badge: how wide it runs, how many lines it takes, the largest size at which it fits, its direction.

Pure functions over strings: the estimates err wide, so a text WeasyPrint sets never runs past the space
layout.py gives it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

Direction = Literal["ltr", "rtl"]

PT_PER_MM = 72 / 25.4


def _char_em(char: str) -> float:
    """Rough advance of one character in em for a bold sans face, erring wide."""
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 1.0
    category = unicodedata.category(char)
    if category in ("Mn", "Me", "Cf"):
        return 0.0
    if char == " ":
        return 0.27
    if char in "iljtfrI.,;:'!|()[]-\u2019":
        return 0.36
    if category == "Lu" or char in "mwMW@%":
        return 0.76
    return 0.62


@lru_cache(maxsize=8192)
def text_em(text: str) -> float:
    return sum(_char_em(c) for c in text)


def estimate_lines(text: str, size_pt: float, width_mm: float) -> int:
    """Lines the text takes at this size in a box this wide, wrapping greedily at spaces.

    A word wider than the box breaks anywhere (CSS overflow-wrap: anywhere), as do runs of
    Chinese or Japanese characters, which have no spaces.
    """
    width_em = width_mm * PT_PER_MM / size_pt
    space = _char_em(" ")
    lines, used = 0, 0.0
    for word in text.split():
        word_em = text_em(word)
        if lines and used + space + word_em <= width_em:
            used += space + word_em
            continue
        full, remainder = divmod(word_em, width_em)
        lines += int(full) + (1 if remainder else 0)
        used = remainder if remainder else width_em
    return max(lines, 1)


@dataclass(frozen=True, slots=True)
class TextStyle:
    """A text's sizes, largest first: it is set in the largest at which it fits in max_lines."""

    name: str
    sizes_pt: tuple[float, ...]
    max_lines: int
    line_height: float = 1.15


@dataclass(frozen=True, slots=True)
class FittedText:
    text: str
    css_class: str
    direction: Direction
    lines: int
    height_mm: float


GIVEN = TextStyle("given", (36, 32, 28, 24, 21, 18, 16, 14), max_lines=2, line_height=1.1)
FULL = TextStyle("full", (17, 15, 13.5, 12, 11, 10, 9), max_lines=2)
ORGANISATION = TextStyle("org", (14, 12.5, 11, 10, 9, 8), max_lines=3)
EVENT = TextStyle("event", (15, 13.5, 12, 11, 10, 9), max_lines=2, line_height=1.1)
DATE = TextStyle("date", (9, 8), max_lines=1, line_height=1.25)
SESSION = TextStyle("session", (10, 9, 8.5, 8, 7.5, 7, 6.5), max_lines=3)
DETAIL_RATIO = 0.8  # a session's time and room line, relative to its title
TEXT_STYLES = (GIVEN, FULL, ORGANISATION, EVENT, DATE, SESSION)


def size_class(style: TextStyle, step: int) -> str:
    return f"{style.name}-{step}"


def size_class_css() -> str:
    """A CSS class for every size of every text style, so sizes are written down once, here."""
    rules = []
    for style in TEXT_STYLES:
        for step, size in enumerate(style.sizes_pt):
            rules.append(
                f".{size_class(style, step)} {{ font-size: {size}pt; line-height: {style.line_height} }}"
            )
        if style is SESSION:
            rules += [
                f".detail-{step} {{ font-size: {round(size * DETAIL_RATIO, 2)}pt; line-height: 1.2 }}"
                for step, size in enumerate(style.sizes_pt)
            ]
    return "\n".join(rules) + "\n"


def text_direction(text: str, default: Direction = "ltr") -> Direction:
    """The direction of the first strong character: what HTML's dir="auto" does, which WeasyPrint lacks."""
    for char in text:
        bidi = unicodedata.bidirectional(char)
        if bidi == "L":
            return "ltr"
        if bidi in ("R", "AL"):
            return "rtl"
    return default


def fit_text(
    text: str, style: TextStyle, width_mm: float, min_step: int = 0, direction: Direction | None = None
) -> FittedText:
    """The text at the largest size (from step min_step down) at which it fits in max_lines.

    At the smallest size it takes as many lines as it needs: it wraps, it is never cut.
    """
    last = len(style.sizes_pt) - 1
    step = min(min_step, last)
    while True:
        size = style.sizes_pt[step]
        lines = estimate_lines(text, size, width_mm)
        if lines <= style.max_lines or step == last:
            break
        step += 1
    return FittedText(
        text=text,
        css_class=size_class(style, step),
        direction=direction or text_direction(text),
        lines=lines,
        height_mm=lines * size * style.line_height / PT_PER_MM,
    )


def collapse(text: str) -> str:
    """Runs of white space as one space, none at either end: how HTML prints the text."""
    return " ".join(text.split())
