"""The overview's morning figures beyond the counts: registrations per day (in the event's time zone), mail
failures and what needs attention. Every figure is one aggregate query, so the page costs the same number of
queries for a hundred registrations as for ten thousand."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists, func, literal_column, select

from ..extensions import db
from ..mail import log as mail_log
from ..models import (
    Assignment,
    Event,
    MailStatus,
    OutboundMail,
    Registration,
    RegistrationStatus,
    utcnow,
)

# Offers whose deadline falls within this many hours are flagged.
LAPSING_HOURS = 24


def _utc_hour(column):
    """The UTC hour a timestamp falls in, as text "YYYY-MM-DD HH", on SQLite and PostgreSQL alike; grouping by the
    hour lets Python place each hour in the event's day, time zone rules and all, from at most 24 rows a day."""
    if db.engine.dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), literal_column("'YYYY-MM-DD HH24'"))
    return func.strftime("%Y-%m-%d %H", column)


@dataclass(frozen=True)
class Day:
    day: date
    count: int

    @property
    def label(self) -> str:
        return f"{self.day:%d %b}"


def registrations_per_day(event: Event) -> list[Day]:
    """Registrations by the day (in the event's zone) they came in, every day from the first to the last."""
    hour = _utc_hour(Registration.created_at).label("hour")
    rows = db.session.execute(select(hour, func.count()).where(Registration.event_id == event.id)
                              .group_by(hour)).all()
    zone = ZoneInfo(event.timezone)
    per_day: Counter[date] = Counter()
    for text, count in rows:
        if not text:
            continue
        at = datetime.strptime(text, "%Y-%m-%d %H").replace(tzinfo=UTC)
        per_day[at.astimezone(zone).date()] += count
    if not per_day:
        return []
    first, last = min(per_day), max(per_day)
    return [Day(first + timedelta(days=n), per_day.get(first + timedelta(days=n), 0))
            for n in range((last - first).days + 1)]


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    day: Day


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    peak: int
    total: int


def day_chart(days: list[Day], width: int = 640, height: int = 160, last: int = 60) -> Chart | None:
    """Bars for the last `last` days with registrations (the table beside the chart holds every day)."""
    shown = days[-last:]
    if not shown:
        return None
    peak = max(d.count for d in shown) or 1
    slot = min(width / len(shown), 32.0)  # a few days do not make bars as wide as the page
    gap = max(1.0, slot * .2)
    bars = [Bar(x=round(i * slot + gap / 2, 2), y=round(height - d.count / peak * height, 2),
                width=round(slot - gap, 2), height=round(d.count / peak * height, 2), day=d)
            for i, d in enumerate(shown)]
    return Chart(width, height, bars, peak, sum(d.count for d in days))


@dataclass(frozen=True)
class Attention:
    lapsing_offers: int
    unassigned: int
    badges_to_print: int
    mail_failed: int
    top_failure: str | None


def attention(event: Event, now: datetime | None = None) -> Attention:
    now = now or utcnow()
    lapsing = db.session.execute(select(func.count()).where(
        Registration.event_id == event.id, Registration.status == RegistrationStatus.WAITLISTED,
        Registration.offer_expires_at > now, Registration.offer_expires_at <= now + timedelta(hours=LAPSING_HOURS),
    )).scalar_one()
    unassigned = 0
    if event.themed_sessions:
        unassigned = db.session.execute(select(func.count()).where(
            Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED,
            ~exists().where(Assignment.registration_id == Registration.id),
        )).scalar_one()
    from ..badges.service import BatchRequest, count_for_batch

    badges = count_for_batch(BatchRequest(event_id=event.id, only_new_or_changed=True))
    failed = db.session.execute(select(func.count()).where(
        and_(OutboundMail.event_id == event.id, OutboundMail.status == MailStatus.FAILED))).scalar_one()
    top = mail_log.failures_by_reason(event)[0].reason if failed else None
    return Attention(lapsing, unassigned, badges, failed, top)
