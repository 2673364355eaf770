"""The organisation an attendee types: found (whatever its case and spacing) or made; and the organisations the
form suggests as they type.

What is suggested is public (any visitor to the form sees it), so it is only what an organiser has accepted for
this event: its partners (convenors and funders, the organisations leading its themed sessions) and the
organisations of its confirmed registrations. Never what a stranger typed who is waiting, cancelled, or
registered for another event: free text from strangers would be a channel to deface the form or to learn who
else has signed up.
"""

from __future__ import annotations

from sqlalchemy import func, select, union

from ..extensions import db
from ..models import (
    Event,
    EventPartner,
    Organisation,
    OrganisationKind,
    Registration,
    RegistrationStatus,
    ThemedSession,
    utcnow,
)
from . import statements

# Up to this many organisations, the form carries them all (a pick-list that works without JavaScript);
# beyond, it carries none and the page asks for suggestions as the person types, so that the form of a
# 10,000-person conference does not carry thousands of names on every load.
ORGANISATIONS_IN_PAGE = 200
SUGGESTIONS = 10
SUGGESTION_MIN_CHARS = 2


def tidy_name(name: str) -> str:
    return " ".join(name.split())


def find_or_make(name: str, kind: OrganisationKind, country: str | None) -> int:
    """The id of the organisation called `name` whatever its case and spacing, made if there is none (in the
    caller's transaction: a registration that fails leaves no organisation behind)."""
    name = tidy_name(name)
    connection = db.session.connection()
    found = connection.execute(statements.organisation_by_name(), {"name": name}).scalar_one_or_none()
    if found is not None:
        return found
    made = connection.execute(statements.insert_organisation_if_new(connection.dialect.name), {
        "name": name, "kind": kind, "country": country, "created_at": utcnow(),
    }).scalar_one_or_none()
    if made is not None:
        return made
    # Someone registered the same new organisation a moment ago (committed now: the insert waited for them).
    return connection.execute(statements.organisation_by_name(), {"name": name}).scalar_one()


def _accepted_ids(event: Event):
    """The ids of the organisations an organiser has accepted for this event (see the module's docstring)."""
    return union(
        select(EventPartner.organisation_id).where(EventPartner.event_id == event.id),
        select(ThemedSession.lead_organisation_id).where(ThemedSession.event_id == event.id),
        select(Registration.organisation_id).where(
            Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED,
            Registration.organisation_id.is_not(None)),
    ).subquery()


def organisation_names(event: Event) -> list[str] | None:
    """The organisations the form offers as the attendee types: all of them, or None when there are too many to
    put in a page (then `organisation_suggestions` answers as they type)."""
    names = list(db.session.execute(
        select(Organisation.name).where(Organisation.id.in_(select(_accepted_ids(event))))
        .order_by(Organisation.name).limit(ORGANISATIONS_IN_PAGE + 1)).scalars())
    return names if len(names) <= ORGANISATIONS_IN_PAGE else None


def organisation_suggestions(event: Event, typed: str) -> list[str]:
    """Up to SUGGESTIONS of the event's organisations whose names contain what was typed, whatever its case;
    those that start with it first. Fewer than SUGGESTION_MIN_CHARS characters suggest nothing."""
    typed = tidy_name("".join(ch for ch in typed[:200] if ch.isprintable()))[:100].lower()
    if len(typed) < SUGGESTION_MIN_CHARS:
        return []
    name = func.lower(Organisation.name)  # as the organisers' search does: wildcards typed are text (autoescape)
    return list(db.session.execute(
        select(Organisation.name)
        .where(Organisation.id.in_(select(_accepted_ids(event))), name.contains(typed, autoescape=True))
        .order_by(name.startswith(typed, autoescape=True).desc(), Organisation.name)
        .limit(SUGGESTIONS)
    ).scalars())
