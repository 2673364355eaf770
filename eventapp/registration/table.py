"""The organiser's registrations table: one page of rows sorted, filtered and searched in SQL (one query for the
page, one for the count), whatever the size of the event."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import and_, exists, func, or_, select

from ..extensions import db
from ..models import (
    Assignment,
    CheckIn,
    Event,
    Organisation,
    OrganisationKind,
    Registration,
    RegistrationStatus,
    ThemedSession,
)

PER_PAGE_CHOICES = (25, 50, 100, 200)
SORTS = {
    "name": "Name",
    "organisation": "Organisation",
    "status": "Status",
    "registered": "Registered",
    "checked_in": "Checked in",
}
CHECKED_IN_CHOICES = {"yes": "Checked in", "no": "Not checked in"}
UNASSIGNED = "none"


@dataclass(frozen=True)
class TableQuery:
    """What the organiser asked for, already checked: anything unknown in the URL falls back to the default."""

    q: str = ""
    status: str = ""
    session: str = ""  # a themed session's id, UNASSIGNED, or "" for any
    kind: str = ""
    country: str = ""
    checked_in: str = ""
    sort: str = "registered"
    desc: bool = True
    page: int = 1
    per_page: int = 50

    @classmethod
    def from_args(cls, args: Mapping[str, str], event: Event) -> TableQuery:
        def pick(name: str, allowed) -> str:
            value = args.get(name, "")
            return value if value in allowed else ""

        session_ids = {str(s.id) for s in event.themed_sessions} | {UNASSIGNED}
        sort = pick("sort", SORTS) or "registered"
        direction = args.get("dir", "")
        desc = direction == "desc" if direction in ("asc", "desc") else sort == "registered"
        per_page = args.get("per_page", "")
        country = args.get("country", "").strip().upper()
        return cls(
            q=args.get("q", "").strip()[:100],
            status=pick("status", {s.value for s in RegistrationStatus}),
            session=pick("session", session_ids),
            kind=pick("kind", {k.value for k in OrganisationKind}),
            country=country if len(country) == 2 and country.isascii() and country.isalpha() else "",
            checked_in=pick("checked_in", CHECKED_IN_CHOICES),
            sort=sort,
            desc=desc,
            page=_page_number(args.get("page", "")),
            per_page=int(per_page) if per_page in {str(n) for n in PER_PAGE_CHOICES} else 50,
        )

    def args(self, **changes) -> dict[str, str | int]:
        """The query string that asks for this view (with `changes`), leaving out what is at its default."""
        view = replace(self, **changes)
        out: dict[str, str | int] = {}
        for name in ("q", "status", "session", "kind", "country", "checked_in"):
            if getattr(view, name):
                out[name] = getattr(view, name)
        if view.sort != "registered" or not view.desc:
            out["sort"] = view.sort
            out["dir"] = "desc" if view.desc else "asc"
        if view.per_page != 50:
            out["per_page"] = view.per_page
        if view.page != 1:
            out["page"] = view.page
        return out

    def sorted_by(self, column: str) -> dict[str, str | int]:
        """The arguments for a column heading's link: that column ascending, or the other way if it is the sort."""
        desc = not self.desc if column == self.sort else column == "registered"
        return self.args(sort=column, desc=desc, page=1)

    @property
    def filtered(self) -> bool:
        return any((self.q, self.status, self.session, self.kind, self.country, self.checked_in))


def _page_number(value: str) -> int:
    return int(value) if value.isascii() and value.isdigit() and 0 < len(value) <= 6 and int(value) > 0 else 1


@dataclass(frozen=True)
class Row:
    id: int
    full_name: str
    email: str
    status: RegistrationStatus
    organisation: str | None
    organisation_kind: OrganisationKind | None
    country: str | None
    sessions: str | None  # assigned sessions' titles, joined
    checked_in_at: datetime | None
    created_at: datetime


@dataclass(frozen=True)
class TablePage:
    rows: list[Row]
    total: int
    query: TableQuery

    @property
    def page(self) -> int:
        return self.query.page

    @property
    def per_page(self) -> int:
        return self.query.per_page

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def first_position(self) -> int:
        return (self.page - 1) * self.per_page + 1


def _door_check_in():
    return (
        select(func.min(CheckIn.checked_in_at))
        .where(CheckIn.registration_id == Registration.id, CheckIn.themed_session_id.is_(None),
               CheckIn.undone_at.is_(None))
        .correlate(Registration).scalar_subquery()
    )


def _assigned_titles():
    return (
        select(func.aggregate_strings(ThemedSession.title, "; "))
        .select_from(Assignment).join(ThemedSession, ThemedSession.id == Assignment.themed_session_id)
        .where(Assignment.registration_id == Registration.id)
        .correlate(Registration).scalar_subquery()
    )


def _conditions(event: Event, query: TableQuery) -> tuple[list, bool]:
    """The WHERE clause, and whether it needs the organisation joined."""
    conditions = [Registration.event_id == event.id]
    needs_organisation = False
    if query.status:
        conditions.append(Registration.status == RegistrationStatus(query.status))
    if query.session == UNASSIGNED:
        conditions.append(~exists().where(Assignment.registration_id == Registration.id))
    elif query.session:
        conditions.append(exists().where(Assignment.registration_id == Registration.id,
                                         Assignment.themed_session_id == int(query.session)))
    if query.kind:
        conditions.append(Organisation.kind == OrganisationKind(query.kind))
        needs_organisation = True
    if query.country:
        conditions.append(Registration.country == query.country)
    if query.checked_in:
        door = exists().where(CheckIn.registration_id == Registration.id, CheckIn.themed_session_id.is_(None),
                              CheckIn.undone_at.is_(None))
        conditions.append(door if query.checked_in == "yes" else ~door)
    if query.q:
        needle = query.q.lower()
        conditions.append(or_(
            func.lower(Registration.full_name).contains(needle, autoescape=True),
            func.lower(Registration.email).contains(needle, autoescape=True),
            func.lower(Organisation.name).contains(needle, autoescape=True),
        ))
        needs_organisation = True
    return conditions, needs_organisation


def _order(query: TableQuery, checked_in_at) -> list:
    name = func.lower(func.coalesce(Registration.family_name, Registration.full_name))
    key = {
        "name": [name, func.lower(Registration.full_name)],
        "organisation": [func.lower(func.coalesce(Organisation.name, "")), name],
        "status": [Registration.status, name],
        "registered": [Registration.created_at],
        "checked_in": [checked_in_at.is_(None) if query.desc else checked_in_at.is_not(None), checked_in_at, name],
    }[query.sort]
    if query.sort != "checked_in":
        key = [k.desc() if query.desc else k.asc() for k in key]
    elif query.desc:
        key = [key[0], key[1].desc(), key[2]]
    return [*key, Registration.id.desc() if query.desc else Registration.id.asc()]


def registrations_page(event: Event, query: TableQuery) -> TablePage:
    """One page of the table: the rows with their organisation, assigned sessions and door check-in."""
    conditions, needs_organisation = _conditions(event, query)
    counted = select(func.count()).select_from(Registration)
    if needs_organisation:
        counted = counted.outerjoin(Organisation, Organisation.id == Registration.organisation_id)
    total = db.session.execute(counted.where(*conditions)).scalar_one()
    pages = max(1, math.ceil(total / query.per_page))
    if query.page > pages:
        query = replace(query, page=pages)
    checked_in_at = _door_check_in().label("checked_in_at")
    statement = (
        select(Registration.id, Registration.full_name, Registration.email, Registration.status,
               Organisation.name, Organisation.kind, Registration.country, _assigned_titles().label("sessions"),
               checked_in_at, Registration.created_at)
        .outerjoin(Organisation, Organisation.id == Registration.organisation_id)
        .where(*conditions)
        .order_by(*_order(query, checked_in_at))
        .offset((query.page - 1) * query.per_page).limit(query.per_page)
    )
    rows = [Row(*values) for values in db.session.execute(statement)]
    return TablePage(rows=rows, total=total, query=query)


def matching_ids(event: Event, query: TableQuery, limit: int, live_only: bool = False) -> list[int]:
    """The ids of the registrations the table's filters and search match (every page), at most `limit`;
    `live_only` leaves the cancelled out."""
    conditions, needs_organisation = _conditions(event, query)
    if live_only:
        conditions.append(Registration.status != RegistrationStatus.CANCELLED)
    statement = select(Registration.id)
    if needs_organisation:
        statement = statement.outerjoin(Organisation, Organisation.id == Registration.organisation_id)
    return list(db.session.execute(statement.where(*conditions).order_by(Registration.id).limit(limit)).scalars())


def filter_choices(event: Event) -> dict[str, list[tuple[str, str]]]:
    """What the filters offer: the event's sessions, and the countries its registrations come from (one query)."""
    countries = db.session.execute(
        select(Registration.country).where(Registration.event_id == event.id, Registration.country.is_not(None))
        .distinct().order_by(Registration.country)
    ).scalars().all()
    from ..countries import country_name

    return {
        "session": [(str(s.id), s.title) for s in sorted(event.themed_sessions, key=lambda s: s.position)]
        + [(UNASSIGNED, "Not assigned")],
        "country": [(code, country_name(code)) for code in countries],
    }


def selected_registrations(event: Event, ids: list[int]) -> list[Registration]:
    """The registrations of this event among `ids` (anything else is ignored), by name."""
    if not ids:
        return []
    return list(db.session.execute(
        select(Registration).where(and_(Registration.event_id == event.id, Registration.id.in_(ids[:5000])))
        .order_by(func.lower(Registration.full_name), Registration.id)
    ).scalars())
