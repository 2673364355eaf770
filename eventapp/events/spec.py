"""An event described as a file (YAML): read and checked into an EventSpec, every problem with its line; and
written back. Pure: no database. Times in the file are local to the event's time zone; in the spec, UTC."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

import yaml
from iso3166 import countries

from ..mail.reminders import LONGEST_NOTICE_DAYS
from ..models import EventState, OrganisationKind, PartnerRole

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
TIME_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")
MAX_CAPACITY = 1_000_000
MAX_OFFER_HOURS = 24 * 60
DEFAULT_REMINDER_DAYS = 3  # as a new event's settings
MAX_RETENTION_MONTHS = 240


@cache
def time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def slugify(text: str) -> str:
    """A slug suggested from a name: "Nairobi Forum 2027" -> "nairobi-forum-2027"."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    return "-".join(words)[:80].strip("-")


@dataclass(frozen=True)
class Problem:
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


class SpecError(Exception):
    """The file is refused whole: every problem found, in the order of the file."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = sorted(problems, key=lambda p: (p.line or 0))


@dataclass(frozen=True)
class OrganisationSpec:
    name: str
    role: PartnerRole
    kind: OrganisationKind | None = None  # None: as it is (a new organisation: other)
    short_name: str | None = None
    country: str | None = None
    description: str | None = None
    website: str | None = None


@dataclass(frozen=True)
class SessionSpec:
    title: str
    lead: str  # the organisation's full name (the file may use its short name)
    capacity: int
    room: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class SlotSpec:
    name: str
    starts: datetime
    ends: datetime
    sessions: tuple[SessionSpec, ...] = ()


@dataclass(frozen=True)
class EventSpec:
    name: str
    slug: str
    starts: datetime
    ends: datetime
    timezone: str
    venue: str
    short_name: str | None = None
    tagline: str | None = None
    description: str | None = None
    programme_notes: str | None = None
    venue_address: str | None = None
    capacity: int | None = None
    state: EventState | None = None  # None: a new event is a draft, an existing one keeps its state
    registration_opens: datetime | None = None
    registration_closes: datetime | None = None
    offer_hours: int = 48
    edit_deadline: datetime | None = None
    organisations: tuple[OrganisationSpec, ...] = ()
    slots: tuple[SlotSpec, ...] = ()
    privacy_controller: str | None = None
    privacy_contact: str | None = None
    privacy_retention_months: int | None = None
    reminder_days: int = DEFAULT_REMINDER_DAYS

    def shifted(self, by: timedelta) -> EventSpec:
        """The same event moved by `by` on its own clock (09:00 stays 09:00 across a change of summer time)."""
        zone = ZoneInfo(self.timezone)

        def move(moment: datetime | None) -> datetime | None:
            if moment is None:
                return None
            local = moment.astimezone(zone).replace(tzinfo=None) + by
            return local.replace(tzinfo=zone).astimezone(UTC)

        slots = tuple(replace(s, starts=move(s.starts), ends=move(s.ends)) for s in self.slots)
        return replace(self, starts=move(self.starts), ends=move(self.ends), slots=slots,
                       registration_opens=move(self.registration_opens),
                       registration_closes=move(self.registration_closes), edit_deadline=move(self.edit_deadline))


# --- reading ----------------------------------------------------------------------------------------------------

NULL_TAG = "tag:yaml.org,2002:null"
TOP_KEYS = {"name", "short_name", "slug", "tagline", "description", "programme_notes", "starts", "ends", "timezone",
            "venue", "venue_address", "capacity", "state", "registration", "organisations", "slots", "privacy",
            "reminder_days"}
REGISTRATION_KEYS = {"opens", "closes", "offer_hours", "edit_deadline"}
ORGANISATION_KEYS = {"name", "short_name", "kind", "country", "role", "description", "website"}
SLOT_KEYS = {"name", "starts", "ends", "sessions"}
SESSION_KEYS = {"title", "lead", "room", "capacity", "description"}
PRIVACY_KEYS = {"controller", "contact", "retention_months"}


def _line(node) -> int:
    return node.start_mark.line + 1


class _Reader:
    """Walks the composed YAML nodes, so that every value keeps its line; collects problems instead of stopping."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.zone: ZoneInfo | None = None

    def problem(self, node, message: str) -> None:
        self.problems.append(Problem(_line(node) if node is not None else None, message))

    def mapping(self, node, allowed: set[str], what: str) -> dict[str, tuple]:
        """{key: (key node, value node)} of a mapping, unknown and repeated keys reported."""
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, f"{what} should be a set of 'key: value' lines.")
            return {}
        found: dict[str, tuple] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key not in allowed:
                self.problem(key_node, f"unknown key {key!r} in {what} (known: {', '.join(sorted(allowed))}).")
            elif key in found:
                self.problem(key_node, f"{key!r} is given twice in {what}.")
            else:
                found[key] = (key_node, value_node)
        return found

    def text(self, entries: dict, key: str, what: str, required: bool = False, limit: int = 300,
             multiline: bool = False) -> str | None:
        key_node, node = entries.get(key, (None, None))
        if node is None or (isinstance(node, yaml.ScalarNode) and node.tag == NULL_TAG):
            if required:
                self.problem(key_node, f"{what} needs {key!r}.") if key_node else self.missing(what, key)
            return None
        if not isinstance(node, yaml.ScalarNode):
            self.problem(node, f"{key!r} in {what} should be text.")
            return None
        value = node.value.strip() if multiline else " ".join(node.value.split())
        if not value:
            if required:
                self.problem(node, f"{key!r} in {what} is empty.")
            return None
        if len(value) > limit:
            self.problem(node, f"{key!r} in {what} is longer than {limit} characters.")
        checked = value.replace("\n", "").replace("\t", "") if multiline else value
        if _CONTROL.search(checked):
            self.problem(node, f"{key!r} in {what} contains control characters.")
        return value

    def missing(self, what: str, key: str) -> None:
        self.problems.append(Problem(self.where, f"{what} needs {key!r}."))

    where: int | None = None

    def number(self, entries: dict, key: str, what: str, low: int, high: int, required: bool = False) -> int | None:
        raw = self.text(entries, key, what, required=required)
        if raw is None:
            return None
        node = entries[key][1]
        if not re.fullmatch(r"\d+", raw) or not low <= int(raw) <= high:
            self.problem(node, f"{key!r} in {what} should be a whole number from {low} to {high}, not {raw!r}.")
            return None
        return int(raw)

    def moment(self, entries: dict, key: str, what: str, required: bool = False) -> datetime | None:
        raw = self.text(entries, key, what, required=required)
        if raw is None:
            return None
        node = entries[key][1]
        for fmt in TIME_FORMATS:
            try:
                local = datetime.strptime(raw, fmt)
            except ValueError:
                continue
            return local.replace(tzinfo=self.zone).astimezone(UTC)
        self.problem(node, f"{key!r} in {what} should be a local date and time like 2027-06-15 09:00, not {raw!r}.")
        return None

    def sequence(self, entries: dict, key: str, what: str) -> list:
        _, node = entries.get(key, (None, None))
        if node is None or (isinstance(node, yaml.ScalarNode) and node.tag == NULL_TAG):
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, f"{key!r} in {what} should be a list (lines starting with '- ').")
            return []
        return node.value


def parse_event_file(text: str) -> EventSpec:
    """Read an event file; raises SpecError listing every problem (with its line) if there is any."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise SpecError([Problem(mark.line + 1 if mark else None,
                                 f"not readable as YAML: {getattr(error, 'problem', None) or error}")]) from None
    reader = _Reader()
    if root is None:
        raise SpecError([Problem(None, "the file is empty.")])
    top = reader.mapping(root, TOP_KEYS, "the event")
    reader.where = _line(root)
    spec = _read_event(reader, top)
    if reader.problems or spec is None:
        raise SpecError(reader.problems)
    return spec


def _read_event(r: _Reader, top: dict) -> EventSpec | None:
    what = "the event"
    timezone = r.text(top, "timezone", what, required=True, limit=64)
    if timezone is not None:
        if timezone in time_zones():
            r.zone = ZoneInfo(timezone)
        else:
            r.problem(top["timezone"][1], f"unknown time zone {timezone!r}: use an IANA name such as Africa/Nairobi.")
    if r.zone is None:
        r.zone = ZoneInfo("UTC")  # to check the times against each other all the same
    name = r.text(top, "name", what, required=True)
    slug = r.text(top, "slug", what, limit=80)
    if slug is None and name:
        slug = slugify(name)
    if slug is not None and not SLUG.match(slug):
        r.problem(top.get("slug", (None, None))[1],
                  f"the slug {slug!r} may hold only lower-case letters, digits and hyphens (not at either end).")
    texts = {
        "venue": r.text(top, "venue", what, required=True), "short_name": r.text(top, "short_name", what, limit=80),
        "tagline": r.text(top, "tagline", what),
        "description": r.text(top, "description", what, limit=20_000, multiline=True),
        "programme_notes": r.text(top, "programme_notes", what, limit=5_000, multiline=True),
        "venue_address": r.text(top, "venue_address", what, limit=1_000, multiline=True),
        "capacity": r.number(top, "capacity", what, 0, MAX_CAPACITY),
    }
    starts = r.moment(top, "starts", what, required=True)
    ends = r.moment(top, "ends", what, required=True)
    if starts and ends and ends <= starts:
        r.problem(top["ends"][1], "the event ends before it starts.")
    state = r.text(top, "state", what)
    if state is not None and state not in {s.value for s in EventState}:
        r.problem(top["state"][1], f"state should be one of {', '.join(s.value for s in EventState)}, not {state!r}.")
        state = None

    _, reg_node = top.get("registration", (None, None))
    reg = r.mapping(reg_node, REGISTRATION_KEYS, "registration") if reg_node is not None else {}
    opens = r.moment(reg, "opens", "registration")
    closes = r.moment(reg, "closes", "registration")
    if opens and closes and closes <= opens:
        r.problem(reg["closes"][1], "registration closes before it opens.")
    if closes and ends and closes > ends:
        r.problem(reg["closes"][1], "registration closes after the event has ended.")
    offer_hours = r.number(reg, "offer_hours", "registration", 1, MAX_OFFER_HOURS)
    reminder_days = r.number(top, "reminder_days", what, 0, LONGEST_NOTICE_DAYS)
    edit_deadline = r.moment(reg, "edit_deadline", "registration")

    _, privacy_node = top.get("privacy", (None, None))
    privacy = r.mapping(privacy_node, PRIVACY_KEYS, "privacy") if privacy_node is not None else {}
    contact = r.text(privacy, "contact", "privacy", limit=254)
    if contact and "@" not in contact and not contact.startswith(("https://", "http://")):
        r.problem(privacy["contact"][1], "the privacy contact should be an e-mail address or a web address.")
    controller = r.text(privacy, "controller", "privacy")
    retention = r.number(privacy, "retention_months", "privacy", 1, MAX_RETENTION_MONTHS)

    organisations = _read_organisations(r, top)
    slots = _read_slots(r, top, organisations, starts, ends)
    if r.problems or None in (name, slug, starts, ends, timezone):
        return None
    return EventSpec(
        name=name, slug=slug, starts=starts, ends=ends, timezone=timezone, **texts,
        state=EventState(state) if state else None,
        registration_opens=opens, registration_closes=closes, offer_hours=offer_hours or 48,
        edit_deadline=edit_deadline, organisations=tuple(organisations.values()), slots=slots,
        privacy_controller=controller, privacy_contact=contact, privacy_retention_months=retention,
        reminder_days=DEFAULT_REMINDER_DAYS if reminder_days is None else reminder_days,
    )


def _read_organisations(r: _Reader, top: dict) -> dict[str, OrganisationSpec]:
    """{every name a session may give as its lead (full and short, lower-cased): the organisation}"""
    by_name: dict[str, OrganisationSpec] = {}
    for node in r.sequence(top, "organisations", "the event"):
        entries = r.mapping(node, ORGANISATION_KEYS, "an organisation")
        r.where = _line(node)
        what = f"organisation at line {_line(node)}"
        name = r.text(entries, "name", what, required=True, limit=200)
        short = r.text(entries, "short_name", what, limit=40)
        kind = r.text(entries, "kind", what)
        if kind is not None and kind not in {k.value for k in OrganisationKind}:
            r.problem(entries["kind"][1],
                      f"kind should be one of {', '.join(k.value for k in OrganisationKind)}, not {kind!r}.")
            kind = None
        role = r.text(entries, "role", what, required=True)
        if role is not None and role not in {p.value for p in PartnerRole}:
            r.problem(entries["role"][1], f"role should be convenor or funder, not {role!r}.")
            role = None
        country = r.text(entries, "country", what, limit=2)
        if country is not None:
            country = country.upper()
            if country not in countries:
                r.problem(entries["country"][1], f"{country!r} is not an ISO 3166 two-letter country code.")
        if name is None or role is None:
            continue
        organisation = OrganisationSpec(
            name=name, role=PartnerRole(role), kind=OrganisationKind(kind) if kind else None, short_name=short,
            country=country,
            description=r.text(entries, "description", what, limit=5_000, multiline=True),
            website=r.text(entries, "website", what))
        for key in {name.lower(), (short or name).lower()}:
            if key in by_name:
                r.problem(node, f"the organisation name {key!r} is used twice.")
            by_name[key] = organisation
    # Each organisation once, in the file's order.
    return {o.name.lower(): o for o in dict.fromkeys(by_name.values())}


def _read_slots(r: _Reader, top: dict, organisations: dict[str, OrganisationSpec],
                starts: datetime | None, ends: datetime | None) -> tuple[SlotSpec, ...]:
    leads = {key: org for org in organisations.values() for key in {org.name.lower(), (org.short_name or "").lower()}
             if key}
    slots: list[tuple[SlotSpec, int]] = []
    titles: dict[str, int] = {}
    rooms: list[tuple[str, str, SlotSpec, int]] = []  # (room, session title, its slot, line)
    for node in r.sequence(top, "slots", "the event"):
        entries = r.mapping(node, SLOT_KEYS, "a slot")
        r.where = _line(node)
        what = f"slot at line {_line(node)}"
        name = r.text(entries, "name", what, required=True, limit=120)
        slot_starts = r.moment(entries, "starts", what, required=True)
        slot_ends = r.moment(entries, "ends", what, required=True)
        if slot_starts and slot_ends and slot_ends <= slot_starts:
            r.problem(entries["ends"][1], f"the slot {name!r} ends before it starts.")
        elif slot_starts and slot_ends and starts and ends and (slot_starts < starts or slot_ends > ends):
            r.problem(node, f"the slot {name!r} is outside the event's times.")
        sessions = []
        for session_node in r.sequence(entries, "sessions", what):
            session = _read_session(r, session_node, leads, titles)
            if session is not None:
                sessions.append((session, _line(session_node)))
        if name is None or slot_starts is None or slot_ends is None:
            continue
        slot = SlotSpec(name=name, starts=slot_starts, ends=slot_ends, sessions=tuple(s for s, _ in sessions))
        rooms += [(s.room, s.title, slot, line) for s, line in sessions if s.room]
        for other, line in slots:
            if other.name.lower() == name.lower():
                r.problem(node, f"two slots are called {name!r} (the other at line {line}).")
            elif other.starts == slot_starts:
                r.problem(node, f"the slot {name!r} starts at the same time as {other.name!r}: put their sessions "
                                "in one slot (sessions in a slot run in parallel).")
        slots.append((slot, _line(node)))
    _check_rooms(r, rooms)
    return tuple(slot for slot, _ in slots)


def _read_session(r: _Reader, node, leads: dict[str, OrganisationSpec], titles: dict[str, int]) -> SessionSpec | None:
    entries = r.mapping(node, SESSION_KEYS, "a session")
    r.where = _line(node)
    what = f"session at line {_line(node)}"
    title = r.text(entries, "title", what, required=True)
    lead = r.text(entries, "lead", what, required=True, limit=200)
    capacity = r.number(entries, "capacity", what, 0, MAX_CAPACITY, required=True)
    organisation = leads.get(lead.lower()) if lead else None
    if lead and organisation is None:
        r.problem(entries["lead"][1], f"the lead {lead!r} of {title!r} is not one of the event's organisations.")
    if title:
        if title.lower() in titles:
            r.problem(node, f"two sessions are called {title!r} (the other at line {titles[title.lower()]}).")
        titles[title.lower()] = _line(node)
    if title is None or organisation is None or capacity is None:
        return None
    return SessionSpec(title=title, lead=organisation.name, capacity=capacity,
                       room=r.text(entries, "room", what, limit=120),
                       description=r.text(entries, "description", what, limit=5_000, multiline=True))


def _check_rooms(r: _Reader, rooms: list[tuple[str, str, SlotSpec, int]]) -> None:
    """No room holds two sessions at once: in one slot, or in two slots whose times overlap."""
    for i, (room, title, slot, line) in enumerate(rooms):
        for other_room, other_title, other_slot, other_line in rooms[:i]:
            if room.lower() != other_room.lower():
                continue
            if slot is other_slot:
                r.problems.append(Problem(line, f"{title!r} and {other_title!r} (line {other_line}) are both in "
                                                f"{room!r} at the same time, in the slot {slot.name!r}."))
            elif slot.starts < other_slot.ends and other_slot.starts < slot.ends:
                r.problems.append(Problem(line, f"{title!r} and {other_title!r} (line {other_line}) are both in "
                                                f"{room!r}, and their slots {slot.name!r} and {other_slot.name!r} "
                                                "overlap."))
