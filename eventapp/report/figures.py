"""The report's figures from plain rows: no database, no Flask, so they are easy to test and to benchmark.

Definitions, used the same way on every page, in the PDF and in the tests:

- registered: registrations with a confirmed place (the waiting list and cancellations are counted apart);
- checked in: registered people with at least one live check-in (at the door or at a themed session; an
  undone check-in does not count); no-shows: registered people with none;
- per themed session: assigned (confirmed registrations assigned to it) and attended (registered people with a
  live check-in at that session), where session check-in was used there (any live check-in at its door);
- by organisation kind and by country (the attendee's own country): registered and checked in;
- arrivals: each checked-in person counted once, at their first live check-in, in intervals of local time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

CONFIRMED = "confirmed"
WAITLISTED = "waitlisted"
CANCELLED = "cancelled"

NO_ORGANISATION = "No organisation given"
NO_COUNTRY = "Not given"

# Interval widths for the arrivals chart, in minutes: the narrowest that keeps the chart to MAX_BINS bars.
BIN_CHOICES = (5, 10, 15, 20, 30, 60, 120, 180, 240, 360, 720, 1440, 2880, 10080)
MAX_BINS = 16


@dataclass(frozen=True, slots=True)
class PersonRow:
    registration_id: int
    status: str  # confirmed, waitlisted, cancelled
    organisation_kind: str | None
    country: str | None


@dataclass(frozen=True, slots=True)
class AssignmentRow:
    registration_id: int
    themed_session_id: int


@dataclass(frozen=True, slots=True)
class CheckInRow:
    """A live check-in (undone ones are left out by whoever reads them): themed_session_id None is the door."""

    registration_id: int
    themed_session_id: int | None
    checked_in_at: datetime  # aware


@dataclass(frozen=True, slots=True)
class SessionRow:
    id: int
    title: str
    lead: str


@dataclass(frozen=True, slots=True)
class Attendance:
    registered: int
    checked_in: int
    waitlisted: int
    cancelled: int

    @property
    def no_shows(self) -> int:
        return self.registered - self.checked_in

    @property
    def rate(self) -> float:
        return self.checked_in / self.registered if self.registered else 0.0


@dataclass(frozen=True, slots=True)
class SessionFigure:
    session_id: int
    position: int  # 1-based, the event's order
    title: str
    lead: str
    assigned: int
    attended: int
    session_check_in_used: bool = True  # False: nobody was checked in at its door, so attended means nothing


@dataclass(frozen=True, slots=True)
class GroupFigure:
    key: str | None
    label: str
    registered: int
    checked_in: int


@dataclass(frozen=True, slots=True)
class ArrivalBin:
    starts_at: datetime  # local time of the event
    ends_at: datetime
    arrivals: int
    cumulative: int


@dataclass(frozen=True, slots=True)
class ReportFigures:
    attendance: Attendance
    sessions: list[SessionFigure]
    by_kind: list[GroupFigure]
    by_country: list[GroupFigure]
    arrivals: list[ArrivalBin]
    bin_minutes: int
    timezone: str

    @property
    def arrivals_total(self) -> int:
        return self.arrivals[-1].cumulative if self.arrivals else 0


def compute_figures(
    people: Iterable[PersonRow],
    assignments: Iterable[AssignmentRow],
    check_ins: Iterable[CheckInRow],
    sessions: Sequence[SessionRow],
    *,
    timezone: str = "UTC",
    kind_label: Callable[[str], str] = str,
    country_label: Callable[[str], str] = str,
) -> ReportFigures:
    statuses = Counter()
    registered: dict[int, PersonRow] = {}
    for person in people:
        statuses[person.status] += 1
        if person.status == CONFIRMED:
            registered[person.registration_id] = person

    first_seen: dict[int, datetime] = {}
    attended: dict[int, set[int]] = {}
    used: set[int] = set()
    for check_in in check_ins:
        rid = check_in.registration_id
        if check_in.themed_session_id is not None:
            used.add(check_in.themed_session_id)
        if rid not in registered:
            continue
        seen = first_seen.get(rid)
        if seen is None or check_in.checked_in_at < seen:
            first_seen[rid] = check_in.checked_in_at
        if check_in.themed_session_id is not None:
            attended.setdefault(check_in.themed_session_id, set()).add(rid)

    assigned = Counter(a.themed_session_id for a in assignments if a.registration_id in registered)
    session_figures = [
        SessionFigure(
            session_id=s.id, position=i, title=s.title, lead=s.lead,
            assigned=assigned.get(s.id, 0), attended=len(attended.get(s.id, ())),
            session_check_in_used=s.id in used,
        )
        for i, s in enumerate(sessions, start=1)
    ]

    attendance = Attendance(
        registered=len(registered),
        checked_in=len(first_seen),
        waitlisted=statuses[WAITLISTED],
        cancelled=statuses[CANCELLED],
    )
    by_kind = _groups(registered.values(), first_seen, lambda p: p.organisation_kind, kind_label, NO_ORGANISATION)
    by_country = _groups(
        registered.values(), first_seen, lambda p: (p.country or "").upper() or None, country_label, NO_COUNTRY
    )
    bins, width = arrival_bins(first_seen.values(), timezone)
    return ReportFigures(
        attendance=attendance, sessions=session_figures, by_kind=by_kind, by_country=by_country,
        arrivals=bins, bin_minutes=width, timezone=timezone,
    )


def _groups(
    people: Iterable[PersonRow],
    checked_in: dict[int, datetime],
    key_of: Callable[[PersonRow], str | None],
    label_of: Callable[[str], str],
    missing: str,
) -> list[GroupFigure]:
    totals: Counter = Counter()
    present: Counter = Counter()
    for person in people:
        key = key_of(person)
        totals[key] += 1
        if person.registration_id in checked_in:
            present[key] += 1
    groups = [
        GroupFigure(key=key, label=label_of(key) if key is not None else missing, registered=n,
                    checked_in=present[key])
        for key, n in totals.items()
    ]
    # Largest first; the "not given" group last, whatever its size.
    groups.sort(key=lambda g: (g.key is None, -g.registered, g.label.casefold()))
    return groups


def arrival_bins(moments: Iterable[datetime], timezone: str = "UTC") -> tuple[list[ArrivalBin], int]:
    """Arrivals counted per interval of local time, with the empty intervals between the first and the last."""
    zone = ZoneInfo(timezone)
    local = sorted(m.astimezone(zone) for m in moments)
    if not local:
        return [], BIN_CHOICES[0]
    # Intervals counted from midnight before the first arrival, so 15-minute bars start at :00, :15, ...
    origin = local[0].replace(hour=0, minute=0, second=0, microsecond=0)
    for width in BIN_CHOICES:  # the narrowest width whose aligned intervals number at most MAX_BINS
        step = timedelta(minutes=width)
        if (local[-1] - origin) // step - (local[0] - origin) // step < MAX_BINS:
            break

    def floor(moment: datetime) -> datetime:
        return origin + ((moment - origin) // step) * step

    counts = Counter(floor(m) for m in local)
    bins = []
    start = floor(local[0])
    last = floor(local[-1])
    total = 0
    while start <= last:
        n = counts.get(start, 0)
        total += n
        bins.append(ArrivalBin(starts_at=start, ends_at=start + step, arrivals=n, cumulative=total))
        start += step
    return bins, width
