"""Actions on an organiser's selection of registrations: reading the selection from a form, and cancelling many
through the same path as cancelling one (so the waiting list gets its offers as it does for a single cancel)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..models import Event, Registration, RegistrationStatus, StaffUser
from ..url_numbers import MAX_ID
from . import service, table

# More than any page of the table holds: a selection is what an organiser ticked, not a whole event.
MAX_SELECTION = 1000


def selection_ids(values: Iterable[str]) -> list[int]:
    """The registration ids of a form's repeated registration_id fields; anything that is not one is left out."""
    ids: list[int] = []
    for value in values:
        if value.isascii() and value.isdigit() and len(value) <= 10 and 0 < int(value) <= MAX_ID:
            ids.append(int(value))
    return list(dict.fromkeys(ids))[:MAX_SELECTION]


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
