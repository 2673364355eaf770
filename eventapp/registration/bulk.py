"""Actions on an organiser's selection of registrations: reading the selection from a form, and cancelling many
through the same path as cancelling one (so the waiting list gets its offers as it does for a single cancel)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from werkzeug.datastructures import MultiDict

from ..models import Event, Registration, RegistrationStatus, StaffUser
from ..url_numbers import MAX_ID
from . import service, table

# More than any page of the table holds: a selection is what an organiser ticked (or every row its filters
# match), not a whole big event; a message to a whole group goes through the messages page's groups.
MAX_SELECTION = 1000
# The table's form says "every row these filters match" with scope=matching and the filters as filter_<name>.
SCOPE_MATCHING = "matching"
FILTER_PREFIX = "filter_"


class SelectionTooLarge(ValueError):
    """More registrations match than a bulk action takes at a time; the message says so in a sentence."""


def selection_ids(values: Iterable[str]) -> list[int]:
    """The registration ids of a form's repeated registration_id fields; anything that is not one is left out."""
    ids: list[int] = []
    for value in values:
        if value.isascii() and value.isdigit() and len(value) <= 10 and 0 < int(value) <= MAX_ID:
            ids.append(int(value))
    return list(dict.fromkeys(ids))[:MAX_SELECTION]


def chosen_ids(event: Event, form: MultiDict, live_only: bool = False) -> list[int]:
    """The ids a bulk action is for: the rows ticked, or, with scope=matching, every row the table's filters
    match on every page (`live_only`: but the cancelled, for an action that leaves them out, so that they do not
    count towards the limit). Raises SelectionTooLarge beyond MAX_SELECTION rather than act on a part."""
    if form.get("scope") != SCOPE_MATCHING:
        return selection_ids(form.getlist("registration_id"))
    query = table.TableQuery.from_args(filters(form), event)
    ids = table.matching_ids(event, query, MAX_SELECTION + 1, live_only)
    if len(ids) > MAX_SELECTION:
        raise SelectionTooLarge(
            f"More than {MAX_SELECTION:,} registrations match these filters, and an action on a selection takes at "
            f"most {MAX_SELECTION:,} at a time. Narrow the filters, or write to a whole group from the messages "
            "page.")
    return ids


def selected(event: Event, ids: Sequence[int]) -> list[Registration]:
    return table.selected_registrations(event, list(ids))


def cancellable(registrations: Sequence[Registration]) -> list[Registration]:
    return [r for r in registrations if r.status != RegistrationStatus.CANCELLED]


def cancel_many(registrations: Sequence[Registration], by_staff: StaffUser) -> int:
    """Cancel each one as a single cancel would (their mail, their seats, the offers that follow); commits."""
    done = 0
    for registration in cancellable(registrations):
        service.cancel(registration, by_staff=by_staff)
        done += 1
    return done


def filters(form: MultiDict) -> dict[str, str]:
    """The table's filters the form carried (filter_<name> fields), by the table's own names."""
    return {name.removeprefix(FILTER_PREFIX): value for name, value in form.items(multi=False)
            if name.startswith(FILTER_PREFIX)}
