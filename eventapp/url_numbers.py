"""Whole numbers in URLs, read strictly and within bounds: ids in the path (the app's ``int`` converter: 404
otherwise) and numbers in the query string (``int_arg``: 400 with a sentence otherwise).

Werkzeug's own ``int`` takes any Unicode digits (``٣``) with no upper bound, and ``request.args.get(type=int)``
ends in ``int()``, which takes ``²`` through ``str.isdigit`` checks and answers numbers past what the database's
integer columns hold (an overflow on SQLite, an out-of-range error on PostgreSQL: a 500 either way).
"""

from __future__ import annotations

from flask import Flask, request
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

# The largest value of an INTEGER column on PostgreSQL (and so of every id here).
MAX_ID = 2**31 - 1
MAX_PAGE = 1_000_000


def is_id(value: int) -> bool:
    """Could ``value`` be a row's id? (Asking the database about one that cannot be fails instead of answering.)"""
    return 0 < value <= MAX_ID
_ASCII_DIGITS = frozenset("0123456789")


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` for the whole app: ASCII digits without a leading zero, 1 to MAX_ID unless a rule says
    otherwise (``<int(max=9):n>``); anything else matches no route, so a 404."""

    regex = r"[1-9][0-9]{0,18}"

    def __init__(self, map, fixed_digits: int = 0, min: int = 1, max: int = MAX_ID, signed: bool = False) -> None:
        if signed:
            raise ValueError("ids in URLs are never negative")
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max)


class BadNumber(BadRequest):
    eventapp_message = True  # errors.py shows the description: it says what to send


def parse_whole_number(text: str, minimum: int, maximum: int) -> int | None:
    """``text`` as a whole number from minimum to maximum written in ASCII digits; None for anything else."""
    if not text or len(text) > len(str(maximum)) or not _ASCII_DIGITS.issuperset(text):
        return None
    value = int(text)
    return value if minimum <= value <= maximum else None


def int_arg(name: str, default: int, *, minimum: int = 1, maximum: int = MAX_PAGE) -> int:
    """The query argument ``name`` as a whole number (``default`` when absent or empty); 400 when it is not one
    from minimum to maximum."""
    text = request.args.get(name, "")
    if text == "":
        return default
    value = parse_whole_number(text, minimum, maximum)
    if value is None:
        raise BadNumber(f"The \u201c{name}\u201d in this address must be a whole number from {minimum} to {maximum}.")
    return value


def register_url_numbers(app: Flask) -> None:
    """Before any blueprint: a rule takes its converter when it is added."""
    app.url_map.converters["int"] = BoundedIntConverter
