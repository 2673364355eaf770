"""Session assignment, as the views, the CLI and other features call it: preview, apply, move, place, publish.

Every function that writes takes the event's registration lock (``holding_event_lock``), so two organisers
pressing "apply" at once, or an apply racing a cancellation, queue instead of interleaving; whatever they
read is read after the lock. The rules live in the modules named for their job: ``state`` (what the
database holds), ``reports`` (what the pages show), ``solving`` (preview and apply), ``seating`` (one
person at a time) and ``publishing`` (telling attendees).
"""

from __future__ import annotations

from .errors import (
    AssignmentError,
    CannotSolve,
    InvalidSession,
    NoOpenSeat,
    NotConfirmed,
    NothingToDo,
    SessionFull,
    StalePreview,
    UnknownRegistration,
)
from .publishing import MAIL_KIND, Published, publish
from .reports import AssignmentReport, Overview, overview
from .seating import Moved, Placed, PlacedAll, get_person, move, person_seats, place_all_late, place_late, unpin
from .solving import Applied, Plan, apply, preview

__all__ = [
    "MAIL_KIND",
    "Applied",
    "AssignmentError",
    "AssignmentReport",
    "CannotSolve",
    "InvalidSession",
    "Moved",
    "NoOpenSeat",
    "NotConfirmed",
    "NothingToDo",
    "Overview",
    "Placed",
    "PlacedAll",
    "Plan",
    "Published",
    "SessionFull",
    "StalePreview",
    "UnknownRegistration",
    "apply",
    "get_person",
    "move",
    "overview",
    "person_seats",
    "place_all_late",
    "place_late",
    "preview",
    "publish",
    "unpin",
]
