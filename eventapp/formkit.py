"""Pieces every feature's forms share: choices in WTForms' current shape, and the printable-text check."""

from __future__ import annotations

import re
from collections.abc import Iterable

from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

# NUL and other control characters cannot be stored (PostgreSQL refuses NUL) and are never meant.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def printable(form, field) -> None:
    if field.data and _CONTROL.search(field.data):
        raise ValidationError("This contains characters that cannot be used here. Please retype it.")


def choices(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]
