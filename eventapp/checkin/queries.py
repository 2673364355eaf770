"""What the check-in pages read: the event, the name search, the live counts and the scan log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, distinct, func, or_, select
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import (
    Assignment,
    CheckIn,
    Event,
    Organisation,
    Registration,
    RegistrationStatus,
    ScanLog,
    ScannerDevice,
    StaffUser,
    ThemedSession,
)
from .service import EventRef

SEARCH_LIMIT = 25
SEARCH_MAX_CHARS = 100
LOG_PAGE_SIZE = 50


def event_ref(slug: str) -> EventRef | None:
    row = db.session.execute(
        select(Event.id, Event.slug, Event.name, Event.timezone, Event.assignment_published_at, Event.state).where(
            Event.slug == slug
        )
    ).one_or_none()
    if row is None:
        return None
    return EventRef(
        id=row.id, slug=row.slug, name=row.name, timezone=row.timezone,
        assignments_published=row.assignment_published_at is not None, state=row.state,
    )


@dataclass(frozen=True)
class SearchHit:
    registration_id: int
    name: str
    organisation: str | None
    job_title: str | None
    status: str
    checked_in_at: datetime | None

    def as_json(self, timezone: str) -> dict:
        from ..templating import format_local_time

        return {
            "id": self.registration_id,
            "name": self.name,
            "organisation": self.organisation,
            "job_title": self.job_title,
            "status": self.status,
            "checked_in_at_local": format_local_time(self.checked_in_at, timezone, "%H:%M") or None,
        }


def clean_query(query: str) -> str:
    """What a person typed, fit to search with: printable, trimmed, bounded."""
    return "".join(ch for ch in query if ch.isprintable()).strip()[:SEARCH_MAX_CHARS]


def _like_pattern(words: str) -> str:
    escaped = words.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_registrations(event_id: int, query: str, limit: int = SEARCH_LIMIT) -> list[SearchHit]:
    """Registrations whose name or organisation contains every word typed, the forgotten-badge fallback."""
    words = clean_query(query).split()
    if not words:
        return []
    door = aliased(CheckIn)
    conditions = [
        or_(
            func.lower(Registration.full_name).like(_like_pattern(w), escape="\\"),
            func.lower(Organisation.name).like(_like_pattern(w), escape="\\"),
        )
        for w in words[:6]
    ]
    rows = db.session.execute(
        select(
            Registration.id,
            Registration.full_name,
            Organisation.name,
            Registration.job_title,
            Registration.status,
            door.checked_in_at,
        )
        .outerjoin(Organisation, Organisation.id == Registration.organisation_id)
        .outerjoin(
            door,
            and_(
                door.registration_id == Registration.id, door.themed_session_id.is_(None), door.undone_at.is_(None)
            ),
        )
        .where(Registration.event_id == event_id, *conditions)
        .order_by(func.lower(func.coalesce(Registration.family_name, Registration.full_name)), Registration.full_name)
        .limit(limit)
    ).all()
    return [
        SearchHit(
            registration_id=r[0], name=r[1], organisation=r[2], job_title=r[3], status=r[4].value,
            checked_in_at=r[5],
        )
        for r in rows
    ]


@dataclass(frozen=True)
class SessionCount:
    id: int
    title: str
    room: str | None
    capacity: int
    arrived: int  # live check-ins at this session
    expected: int  # confirmed people assigned to it (0 before assignment)

    def as_json(self) -> dict:
        return {
            "id": self.id, "title": self.title, "room": self.room, "capacity": self.capacity,
            "arrived": self.arrived, "expected": self.expected,
        }


@dataclass(frozen=True)
class LiveCounts:
    arrived: int  # confirmed people with a live check-in anywhere (door or session)
    expected: int  # confirmed registrations
    at_door: int  # live door check-ins
    sessions: list[SessionCount]

    def as_json(self) -> dict:
        return {
            "arrived": self.arrived, "expected": self.expected, "at_door": self.at_door,
            "sessions": [s.as_json() for s in self.sessions],
        }


def live_counts(event_id: int) -> LiveCounts:
    confirmed = Registration.status == RegistrationStatus.CONFIRMED
    expected = db.session.execute(
        select(func.count()).where(Registration.event_id == event_id, confirmed)
    ).scalar_one()
    live = (
        select(
            func.count(distinct(CheckIn.registration_id)),
            func.count().filter(CheckIn.themed_session_id.is_(None)),
        )
        .join(Registration, Registration.id == CheckIn.registration_id)
        .where(CheckIn.event_id == event_id, CheckIn.undone_at.is_(None), confirmed)
    )
    arrived, at_door = db.session.execute(live).one()
    per_session = dict(
        db.session.execute(
            select(CheckIn.themed_session_id, func.count())
            .join(Registration, Registration.id == CheckIn.registration_id)
            .where(
                CheckIn.event_id == event_id, CheckIn.themed_session_id.is_not(None), CheckIn.undone_at.is_(None),
                confirmed,
            )
            .group_by(CheckIn.themed_session_id)
        ).all()
    )
    assigned = dict(
        db.session.execute(
            select(Assignment.themed_session_id, func.count())
            .join(Registration, Registration.id == Assignment.registration_id)
            .where(Registration.event_id == event_id, confirmed)
            .group_by(Assignment.themed_session_id)
        ).all()
    )
    sessions = db.session.execute(
        select(ThemedSession.id, ThemedSession.title, ThemedSession.room, ThemedSession.capacity)
        .where(ThemedSession.event_id == event_id)
        .order_by(ThemedSession.position, ThemedSession.id)
    ).all()
    return LiveCounts(
        arrived=arrived,
        expected=expected,
        at_door=at_door,
        sessions=[
            SessionCount(
                id=s.id, title=s.title, room=s.room, capacity=s.capacity,
                arrived=per_session.get(s.id, 0), expected=assigned.get(s.id, 0),
            )
            for s in sessions
        ],
    )


@dataclass(frozen=True)
class LogRow:
    id: int
    at: datetime
    code_excerpt: str
    result: str
    attendee: str | None
    session: str | None
    by: str | None
    check_in_id: int | None
    undone_at: datetime | None
    undone_by: str | None
    nonce: str | None


@dataclass(frozen=True)
class LogPage:
    rows: list[LogRow]
    page: int
    pages: int
    total: int


def scan_log_page(event_id: int, page: int = 1, per_page: int = LOG_PAGE_SIZE) -> LogPage:
    """Every scan of the event, refused ones too, newest first."""
    total = db.session.execute(select(func.count()).where(ScanLog.event_id == event_id)).scalar_one()
    pages = max((total + per_page - 1) // per_page, 1)
    page = min(max(page, 1), pages)
    scanned_by = aliased(StaffUser)
    undone_by = aliased(StaffUser)
    rows = db.session.execute(
        select(
            ScanLog.id, ScanLog.at, ScanLog.code_excerpt, ScanLog.result, Registration.full_name,
            ThemedSession.title, scanned_by.display_name, scanned_by.email, ScannerDevice.name,
            ScanLog.check_in_id, CheckIn.undone_at, undone_by.display_name, undone_by.email, CheckIn.device_label,
            ScanLog.nonce,
        )
        .outerjoin(Registration, Registration.id == ScanLog.registration_id)
        .outerjoin(ThemedSession, ThemedSession.id == ScanLog.themed_session_id)
        .outerjoin(scanned_by, scanned_by.id == ScanLog.staff_user_id)
        .outerjoin(ScannerDevice, ScannerDevice.id == ScanLog.scanner_device_id)
        .outerjoin(CheckIn, CheckIn.id == ScanLog.check_in_id)
        .outerjoin(undone_by, undone_by.id == CheckIn.undone_by_id)
        .where(ScanLog.event_id == event_id)
        .order_by(ScanLog.at.desc(), ScanLog.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    out = []
    for r in rows:
        by = r[6] or r[7] or (f"device {r[8]}" if r[8] else None)
        if by and r[13]:
            by = f"{by} ({r[13]})"
        out.append(
            LogRow(
                id=r[0], at=r[1], code_excerpt=r[2], result=r[3], attendee=r[4], session=r[5], by=by,
                check_in_id=r[9], undone_at=r[10], undone_by=r[11] or r[12], nonce=r[14],
            )
        )
    return LogPage(rows=out, page=page, pages=pages, total=total)
