"""Pieces every feature's forms share: choices in WTForms' current shape, and the checks of typed text (printable
for any text; one line for names, organisations, titles and every other single-line field)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from wtforms import FieldList, Form, FormField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from .registration.addresses import AddressError, normalise_email

# NUL and other control characters cannot be stored (PostgreSQL refuses NUL) and are never meant.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# A single-line field holds none of: line breaks (CR, LF, VT, FF, NEL, the Unicode line and paragraph
# separators), any other control character (tab, NUL, C0, DEL, C1), or the bidi embedding, override and isolate
# controls (U+202A-U+202E, U+2066-U+2069), which make text display in another order than it reads: a name that
# shows as one thing and sorts, searches and prints as another. The bidi marks (U+200E, U+200F, U+061C), which
# right-to-left names do need, are allowed.
_LINE_BREAKS = "\n\r\x0b\x0c\x85\u2028\u2029"
_BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_NOT_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")

CONTROL_MESSAGE = "This contains characters that cannot be used here. Please retype it."
LINE_BREAK_MESSAGE = "This must fit on one line: please remove the line break."
BIDI_MESSAGE = ("This contains invisible characters that change the direction of the text. "
                "Please retype it without them.")


def printable(form, field) -> None:
    if field.data and _CONTROL.search(field.data):
        raise ValidationError(CONTROL_MESSAGE)


def single_line_problem(text: str) -> str | None:
    """The sentence saying why `text` cannot go in a single-line field, or None when it can."""
    found = _NOT_ONE_LINE.search(text)
    if found is None:
        return None
    character = found.group()
    if character in _LINE_BREAKS:
        return LINE_BREAK_MESSAGE
    if character in _BIDI_CONTROLS:
        return BIDI_MESSAGE
    return CONTROL_MESSAGE


def email_address(form, field) -> None:
    """An attendee's e-mail address, checked and put in its normal form (registration/addresses.py:
    email-validator's) for whatever the form does next."""
    if field.data:  # else DataRequired or Optional says so
        field.data = _normal_address(field.data)


def valid_email_address(form, field) -> None:
    """The same check, keeping the address as typed (a staff account's, mailed and shown as its owner wrote it)."""
    if field.data:
        _normal_address(field.data)


def _normal_address(typed: str) -> str:
    if problem := single_line_problem(typed):
        raise ValidationError(problem)
    try:
        return normalise_email(typed)
    except AddressError as error:
        raise ValidationError(error.message) from error


def single_line(form, field) -> None:
    """The validator of every single-line text field: refuses line breaks, control and bidi control characters."""
    if isinstance(field.data, str) and field.data and (problem := single_line_problem(field.data)):
        raise ValidationError(problem)


def choices(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


class ListedSelect(widgets.Select):
    """A <select> whose options' markup is made once per (value, label, selected) and then reused: the
    country list is 250 options, and escaping them afresh for every page was a large part of showing the
    registration form."""

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
