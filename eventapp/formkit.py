"""Pieces every feature's forms share: choices in WTForms' current shape, and the printable-text check."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from wtforms import widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

# NUL and other control characters cannot be stored (PostgreSQL refuses NUL) and are never meant.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def printable(form, field) -> None:
    if field.data and _CONTROL.search(field.data):
        raise ValidationError("This contains characters that cannot be used here. Please retype it.")


def choices(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


class ListedSelect(widgets.Select):
    """A <select> whose options' markup is made once per (value, label, selected) and then reused: the
    country list is 250 options, and escaping them afresh was half the cost of showing the registration form."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw:
            return super().render_option(choice, **kwargs)
        return _option_markup(choice.value, choice.label, bool(getattr(choice, "selected", False)))


@lru_cache(maxsize=8192)
def _option_markup(value, label, selected: bool):
    choice = SelectChoice(value, label)
    choice.selected = selected
    return widgets.Select.render_option(choice)
