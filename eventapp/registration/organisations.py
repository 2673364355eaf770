"""The organisation an attendee types: found (whatever its case and spacing) or made; and the organisations the
form suggests as they type.

What is suggested is public (any visitor to the form sees it), so it is only what an organiser has accepted for
this event: its partners (convenors and funders, the organisations leading its themed sessions) and the
organisations of its confirmed registrations. Never what a stranger typed who is waiting, cancelled, or
registered for another event: free text from strangers would be a channel to deface the form or to learn who
else has signed up.
"""

from __future__ import annotations

import heapq
import time
from dataclasses import dataclass

from flask import current_app
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


def _accepted_names(event: Event) -> list[str]:
    """The names of the organisations an organiser has accepted for this event (the module's docstring), in
    alphabetical order whatever their case."""
    accepted = union(
        select(EventPartner.organisation_id).where(EventPartner.event_id == event.id),
        select(ThemedSession.lead_organisation_id).where(ThemedSession.event_id == event.id),
        select(Registration.organisation_id).where(
            Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED,
            Registration.organisation_id.is_not(None)),
    )
    return list(db.session.execute(
        select(Organisation.name).where(Organisation.id.in_(accepted))
        .order_by(func.lower(Organisation.name), Organisation.name)).scalars())


@dataclass(frozen=True)
class _Listed:
    names: tuple[str, ...]
    lowered: tuple[str, ...]
    until: float


def _listed(event: Event) -> _Listed:
    """The event's accepted names, read at most once every ORGANISATION_LIST_SECONDS by each worker process: to
    find them the database reads every confirmed registration of the event, too much for every view of the form
    and every pause in typing when thousands have registered. A newly confirmed (or cancelled) registration's
    organisation appears on (or leaves) the list within that time."""
    cache = current_app.extensions.setdefault("eventapp.accepted_organisations", {})
    now = time.monotonic()
    listed = cache.get(event.id)
    if listed is None or listed.until <= now:
        names = tuple(_accepted_names(event))
        listed = _Listed(names, tuple(name.lower() for name in names),
                         now + float(current_app.config.get("ORGANISATION_LIST_SECONDS", 30)))
        cache[event.id] = listed
    return listed


def organisation_names(event: Event) -> list[str] | None:
    """The organisations the form offers as the attendee types: all of them, or None when there are too many to
    put in a page (then `organisation_suggestions` answers as they type)."""
    names = _listed(event).names
    return list(names) if len(names) <= ORGANISATIONS_IN_PAGE else None


def organisation_suggestions(event: Event, typed: str) -> list[str]:
    """Up to SUGGESTIONS of the event's organisations whose names contain what was typed, whatever its case;
    those that start with it first. Fewer than SUGGESTION_MIN_CHARS characters suggest nothing."""
    typed = tidy_name("".join(ch for ch in typed[:200] if ch.isprintable()))[:100].lower()
    if len(typed) < SUGGESTION_MIN_CHARS:
        return []
    listed = _listed(event)
    found = [(not lowered.startswith(typed), index)
             for index, lowered in enumerate(listed.lowered) if typed in lowered]
    return [listed.names[index] for _, index in heapq.nsmallest(SUGGESTIONS, found)]
