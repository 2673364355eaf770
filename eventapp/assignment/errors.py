"""Errors an organiser's assignment request can cause, each with the sentence the page shows."""

from __future__ import annotations

from ..rules import RuleBroken


class AssignmentError(RuleBroken):
    """A rule an organiser's request breaks; `field` names the form field the sentence belongs next to."""


class UnknownRegistration(AssignmentError):
    """No such registration at this event (another event's, or no such id)."""


class NotConfirmed(AssignmentError):
    """Only confirmed registrations hold seats."""


class InvalidSession(AssignmentError):
    field = "themed_session_id"


class SessionFull(AssignmentError):
    field = "themed_session_id"


class NothingToDo(AssignmentError):
    """The action has nothing to act on (no assignment yet, everyone already seated, ...)."""


class NoOpenSeat(AssignmentError):
    pass


class StalePreview(AssignmentError):
    """Registrations or pins changed between the preview and the apply."""


class CannotSolve(AssignmentError):
    pass
