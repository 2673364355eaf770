"""Pieces every feature's forms share: choices in WTForms' current shape, and the printable-text check."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from wtforms import FieldList, Form, FormField, widgets
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


def error_list(form) -> list[tuple[str | None, str]]:
    """Every error of a submitted form as (id of the field to link to, sentence), in the order the fields appear:
    what the error summary at the top of a page lists. Form-wide errors come first and link nowhere."""
    if not isinstance(form, Form) or not form.errors:
        return []
    found: list[tuple[str | None, str]] = [(None, str(e)) for e in getattr(form, "form_errors", ())]
    for field in form:
        found.extend(_field_errors(field))
    return found


def _field_errors(field) -> list[tuple[str | None, str]]:
    if not field.errors:
        return []
    if isinstance(field, FieldList | FormField):  # errors live on the parts
        parts = field.entries if isinstance(field, FieldList) else list(field.form)
        return [item for part in parts for item in _field_errors(part)]
    hidden = field.type in ("HiddenField", "CSRFTokenField")
    label = field.label.text if field.label and field.label.text else ""
    target = None if hidden else field.id
    return [(target, f"{label}: {message}" if label and not hidden else str(message)) for message in field.errors]
