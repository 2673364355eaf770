"""What importing an attendee list would do, row by row, before anything is written: create (confirmed or on the
waiting list), update, leave unchanged, or refuse and why.

Every row is checked by the registration form itself (AttendeeForm, fed the row as if typed): the same rules for
names, e-mail addresses, countries and sessions as the public form, written once."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from functools import cache
from typing import NamedTuple

from iso3166 import countries
from sqlalchemy import exists, func, select
from werkzeug.datastructures import MultiDict

from ..extensions import db
from ..models import (
    ORGANISATION_KIND_LABELS,
    Event,
    Organisation,
    OrganisationKind,
    Registration,
    RegistrationStatus,
    SessionPreference,
    utcnow,
)
from . import addresses, organisations, statements
from .forms import AttendeeForm
from .import_file import LABELS, AttendeeFile
from .service import AttendeeDetails, places_taken

CREATE = "create"
WAITLIST = "waitlist"
UPDATE = "update"
UNCHANGED = "unchanged"
REFUSE = "refuse"
ACTION_LABELS = {CREATE: "created, confirmed", WAITLIST: "created, waiting list", UPDATE: "updated",
                 UNCHANGED: "unchanged", REFUSE: "refused"}

_FORM_FIELD_COLUMN = {"full_name": "full_name", "email": "email", "organisation": "organisation",
                      "organisation_kind": "organisation_kind", "country": "country", "job_title": "job_title",
                      "choice_1": "preferences", "choice_2": "preferences", "choice_3": "preferences",
                      "accessibility_needs": "accessibility_needs", "dietary_needs": "dietary_needs"}
_COUNTRY_ALIASES = {"uk": "GB", "united kingdom": "GB", "great britain": "GB", "england": "GB", "usa": "US",
                    "united states": "US", "russia": "RU", "south korea": "KR", "vietnam": "VN", "iran": "IR",
                    "tanzania": "TZ", "bolivia": "BO", "venezuela": "VE", "syria": "SY", "laos": "LA"}
RANK_FIELDS = ("choice_1", "choice_2", "choice_3")  # AttendeeForm's ranked choices
_PREFERENCE_SEPARATORS = re.compile(r"\s*[;|\n>]\s*")


@dataclass
class PlanRow:
    line: int
    action: str
    name: str
    email: str
    reasons: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    details: AttendeeDetails | None = None
    registration_id: int | None = None  # the registration an update changes

    @property
    def label(self) -> str:
        return ACTION_LABELS[self.action]


@dataclass
class Plan:
    rows: list[PlanRow]
    ignored_columns: list[str]
    counts: dict[str, int]

    @property
    def digest(self) -> str:
        """What the organiser was shown, in short: a confirmation for another plan is asked again."""
        text = "\n".join(f"{r.line}|{r.action}|{r.email}|{','.join(r.changes)}" for r in self.rows)
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    @property
    def to_write(self) -> int:
        return self.counts[CREATE] + self.counts[WAITLIST] + self.counts[UPDATE]


@cache
def _country_lookup() -> dict[str, str]:
    found = dict(_COUNTRY_ALIASES)
    for country in countries:
        for name in (country.alpha2, country.alpha3, country.name, country.apolitical_name):
            found[name.lower()] = country.alpha2
    return found


def country_code(typed: str) -> str | None:
    """A country's ISO code from its code (2 or 3 letters) or name; None when it is none of them."""
    return _country_lookup().get(" ".join(typed.split()).lower()) if typed else ""


def organisation_kind(typed: str) -> OrganisationKind | None:
    """A kind of organisation from its value or its label (or the label's first word); blank means Other."""
    if not typed.strip():
        return OrganisationKind.OTHER
    wanted = typed.strip().lower()
    for kind, label in ORGANISATION_KIND_LABELS.items():
        names = {kind.value, label.lower(), *(part.strip() for part in label.lower().split("/"))}
        if wanted in names:
            return kind
    return None


class _Sessions(NamedTuple):
    by_number: dict[str, int]
    by_title: dict[str, int]
    ranks: int  # how many the form lets an attendee rank


def _sessions(event: Event) -> _Sessions:
    return _Sessions({str(n): s.id for n, s in enumerate(event.themed_sessions, start=1)},
                     {" ".join(s.title.split()).lower(): s.id for s in event.themed_sessions},
                     min(len(RANK_FIELDS), len(event.themed_sessions)))


def _session_ids(sessions: _Sessions, typed: str) -> tuple[list[int], list[str]]:
    """The ranked sessions a cell names (titles or their numbers in the programme, best first), and the names
    it gives that are no session of this event."""
    if not typed.strip():
        return [], []
    by_number, by_title = sessions.by_number, sessions.by_title
    parts = [p for p in _PREFERENCE_SEPARATORS.split(typed.strip()) if p]
    if len(parts) == 1 and "," in parts[0] and " ".join(parts[0].split()).lower() not in by_title:
        parts = [p.strip() for p in parts[0].split(",") if p.strip()]
    found, unknown = [], []
    for part in parts:
        key = " ".join(part.split()).lower()
        session_id = by_number.get(key.rstrip(".")) or by_title.get(key)
        if session_id is None:
            unknown.append(part)
        else:
            found.append(session_id)
    return found, unknown


def _name(cells: dict[str, str]) -> str:
    if cells.get("full_name"):
        return cells["full_name"]
    return " ".join(p for p in (cells.get("given_name", ""), cells.get("family_name", "")) if p)


def _checked(sessions: _Sessions, form: AttendeeForm, cells: dict[str, str], existing: Stored | None
             ) -> tuple[AttendeeDetails | None, list[str]]:
    """The row as the registration form reads it: its details, or the sentences saying what is wrong. `form` is
    the event's form, made once and filled afresh with each row (making one costs more than checking a row)."""
    reasons = []
    kind = organisation_kind(cells.get("organisation_kind", ""))
    if kind is None:
        reasons.append(f"Unknown kind of organisation “{cells['organisation_kind']}”: use one of "
                       + ", ".join(k.value for k in OrganisationKind) + ".")
    country = country_code(cells.get("country", ""))
    if country is None:
        reasons.append(f"Unknown country “{cells['country']}”.")
    session_ids, unknown = _session_ids(sessions, cells.get("preferences", ""))
    if unknown:
        reasons.append("Unknown session " + ", ".join(f"“{u}”" for u in unknown) + ".")
    rank_fields = RANK_FIELDS[:sessions.ranks]
    if len(session_ids) > len(rank_fields):
        reasons.append(f"At most {len(rank_fields)} sessions can be ranked.")
    typed = {
        "full_name": _name(cells), "email": cells.get("email", ""), "organisation": cells.get("organisation", ""),
        "organisation_kind": (kind or OrganisationKind.OTHER).value, "country": country or "",
        "job_title": cells.get("job_title", ""),
        **{name: str(sid) for name, sid in zip(rank_fields, session_ids, strict=False)},
    }
    for column in ("accessibility_needs", "dietary_needs"):
        if column in cells:
            typed[column] = cells[column]
        elif existing is not None:  # a column the file does not have leaves what is stored
            typed[column] = getattr(existing, column) or ""
    form.process(formdata=MultiDict(typed))
    if not form.validate():
        for name, errors in form.errors.items():
            column = _FORM_FIELD_COLUMN.get(name)
            if column == "country" and country is None or column == "preferences" and unknown:
                continue  # already said, in the row's own words
            label = LABELS.get(column, name)
            reasons.extend(f"{label}: {error}" for error in errors)
    if reasons:
        return None, reasons
    details = form.details()
    if existing is not None:
        details = replace(details, consent_listed=existing.consent_listed)
    return details, []


class Stored(NamedTuple):
    """What an import compares a row with: a live registration's details, read without the ORM (thousands)."""

    id: int
    full_name: str
    email: str
    organisation: str
    country: str | None
    job_title: str | None
    accessibility_needs: str | None
    dietary_needs: str | None
    consent_listed: bool
    preferences: tuple[int, ...]


def _changes(registration: Stored, details: AttendeeDetails) -> list[str]:
    stored = {
        "Name": (registration.full_name, details.full_name.strip()),
        "E-mail": (registration.email, details.email),
        "Organisation": (organisations.tidy_name(registration.organisation).lower(),
                         organisations.tidy_name(details.organisation_name).lower()),
        "Country": (registration.country or None, details.country),
        "Job title": (registration.job_title or None, details.job_title),
        "Preferences": (registration.preferences, details.preferences),
        "Accessibility needs": (registration.accessibility_needs or None, details.accessibility_needs),
        "Dietary needs": (registration.dietary_needs or None, details.dietary_needs),
    }
    return [label for label, (before, after) in stored.items() if before != after]


def _live_registrations(event: Event) -> dict[str, Stored]:
    live = (Registration.event_id == event.id, Registration.status != RegistrationStatus.CANCELLED)
    ranked: dict[int, list[int]] = {}
    for registration_id, session_id in db.session.execute(
            select(SessionPreference.registration_id, SessionPreference.themed_session_id)
            .join(Registration, Registration.id == SessionPreference.registration_id).where(*live)
            .order_by(SessionPreference.registration_id, SessionPreference.rank)):
        ranked.setdefault(registration_id, []).append(session_id)
    rows = db.session.execute(
        select(Registration.email_key, Registration.id, Registration.full_name, Registration.email,
               func.coalesce(Organisation.name, ""), Registration.country, Registration.job_title,
               Registration.accessibility_needs, Registration.dietary_needs, Registration.consent_listed)
        .outerjoin(Organisation, Organisation.id == Registration.organisation_id).where(*live))
    return {key: Stored(*rest, tuple(ranked.get(rest[0], ()))) for key, *rest in rows}


def free_places(event: Event) -> int | None:
    """How many newcomers would be confirmed now (None: no limit), as the capacity rule decides: none while
    anyone waits for an offer. A forecast for the preview; the import decides under the event's lock."""
    db.session.refresh(event, ["capacity"])
    if event.capacity is None:
        return None
    waiting = db.session.execute(select(exists().where(*statements.waiting_without_offer_where(event.id)))
                                 ).scalar_one()
    return 0 if waiting else max(0, event.capacity - places_taken(event, utcnow()))


def plan_import(event: Event, attendees: AttendeeFile) -> Plan:
    """What importing `attendees` into `event` would do, row by row; writes nothing."""
    live = _live_registrations(event)
    free = free_places(event)
    sessions = _sessions(event)
    seen: dict[str, int] = {}
    form = AttendeeForm(event, formdata=MultiDict(), meta={"csrf": False})
    rows = []
    for line, cells in attendees.rows:
        row = PlanRow(line, REFUSE, _name(cells), cells.get("email", ""))
        rows.append(row)
        try:
            key = addresses.key_of_normal(addresses.normalise_email(row.email))
        except addresses.AddressError:
            key = None
        if key is not None and key in seen:
            row.reasons.append(f"The same e-mail address as line {seen[key]}: each person once.")
            continue
        if key is not None:
            seen[key] = line
        existing = live.get(key) if key else None
        details, row.reasons = _checked(sessions, form, cells, existing)
        if details is None:
            continue
        row.details, row.email = details, details.email
        if existing is not None:
            row.registration_id = existing.id
            row.changes = _changes(existing, details)
            row.action = UPDATE if row.changes else UNCHANGED
        elif free is None or free > 0:
            row.action = CREATE
            free = None if free is None else free - 1
        else:
            row.action = WAITLIST
    counts = dict.fromkeys(ACTION_LABELS, 0)
    for row in rows:
        counts[row.action] += 1
    return Plan(rows, attendees.ignored, counts)
