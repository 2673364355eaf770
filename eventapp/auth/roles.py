"""Access declarations: every route is either public or states the staff roles it needs."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from flask import abort, redirect, request, url_for
from flask_login import current_user

from ..models import StaffRole

F = TypeVar("F", bound=Callable)

# The attribute a route carries: "public", or the tuple of roles that may use it (admin always may).
ACCESS_ATTRIBUTE = "eventapp_access"


def public(view: F) -> F:
    """Mark a route as open to anyone; the access test fails for a route that says neither this nor a role."""
    setattr(view, ACCESS_ATTRIBUTE, "public")
    return view


def requires_role(*roles: StaffRole) -> Callable[[F], F]:
    """Logged-out visitors go to the login page; a staff member without one of the roles gets 403."""
    if not roles:
        raise ValueError("requires_role needs at least one role (admin is implied)")
    roles = tuple(StaffRole(r) for r in roles)

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if not current_user.has_role(*roles):
                abort(403)
            if "slug" in kwargs and not may_work_on_event(current_user, kwargs["slug"]):
                abort(403)
            return view(*args, **kwargs)

        setattr(wrapped, ACCESS_ATTRIBUTE, roles)
        return wrapped  # type: ignore[return-value]

    return decorate


def may_work_on_event(user, slug: str) -> bool:
    """Admins work on every event; other staff on the events an admin gave them, or every event if none."""
    if user.role == StaffRole.ADMIN:
        return True
    slugs = {event.slug for event in user.events}
    return not slugs or slug in slugs


def declared_access(view: Callable) -> str | tuple[StaffRole, ...] | None:
    return getattr(view, ACCESS_ATTRIBUTE, None)
