"""Checking an attendee in: one function, one transaction, one outcome from a fixed list; and undoing it.

The scan is a handful of indexed statements on the request's database connection: find the registration by its
badge secret (locked FOR UPDATE on PostgreSQL), insert the check-in with ``ON CONFLICT DO NOTHING`` against the
partial unique index, write the scan log, commit. The unique index, not a read-then-write, is what makes two
scanners scanning the same badge at the same moment give one ``ok`` and one ``already_checked_in``: on SQLite,
which serialises writers, the second insert waits for the first to commit and then finds the conflict; on
PostgreSQL the row lock makes the second wait before it even looks.

What ``wrong_session`` means: a check-in at a themed session, once assignments are published, of someone
whose assignment in that session's time slot is a different session. The person is in the room, so the
attendance is recorded (the figures must say who was there) and the answer warns with the session they were
assigned to; the organiser can send them on, or undo the check-in. Before assignments are published nobody
is "elsewhere", so a session check-in is simply ``ok``.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, select, update

from ..events.service import check_in_refusal
from ..extensions import db
from ..models import CheckIn, EventState, RegistrationStatus, utcnow
from ..templating import format_local_time
from ..tokens import badge_secret_from_code
from . import statements
from .nonces import NONCE_REUSED, NonceReused, earlier_answer
from .outcome import RECORDED, Arrival, Attendee, CheckInOutcome, Result, SessionRef

# Callers know the service, not its parts: the outcome's types are reached through it.
__all__ = [
    "RECORDED", "CheckInClosed", "CheckInOutcome", "EventRef", "NonceReused", "Result", "Scanner", "UndoResult",
    "UnknownSession",
    "check_in", "code_excerpt", "undo_check_in",
]

METHODS = ("scan", "typed", "search")
EXCERPT_CHARS = 60  # of code_excerpt's 80: room for a "… (12345 chars)" tail


@dataclass(frozen=True)
class EventRef:
    """What a check-in needs to know about its event, read in one small query."""

    id: int
    slug: str
    name: str
    timezone: str
    assignments_published: bool
    state: EventState = EventState.PUBLISHED


@dataclass(frozen=True)
class Scanner:
    """Who scans: a logged-in staff member (with the label their page gives the device), or an issued device."""

    name: str  # shown to the next scanner as "by ..."
    staff_user_id: int | None = None
    scanner_device_id: int | None = None
    device_label: str | None = None


class UnknownSession(ValueError):
    """The door / session asked for is not a themed session of this event."""


class CheckInClosed(ValueError):
    """The event is finished (an admin can reopen it) or archived: nobody is checked in."""


def code_excerpt(code: str) -> str:
    """Enough of what was scanned to recognise it in the log, never the whole of a long or hostile input.

    Unprintable characters (NUL, lone surrogates, control codes) become U+FFFD: PostgreSQL refuses NUL in text,
    and the log page should not print a terminal escape.
    """
    head = code[:EXCERPT_CHARS]
    if not head.isprintable():
        head = "".join(ch if ch.isprintable() else "\ufffd" for ch in head)
    if len(code) > EXCERPT_CHARS:
        head += f"… ({len(code)} chars)"
    return head


def check_in(
    event: EventRef,
    scanner: Scanner,
    *,
    code: str | None = None,
    registration_id: int | None = None,
    themed_session_id: int | None = None,
    method: str = "scan",
    nonce: str | None = None,
) -> CheckInOutcome:
    """Check the holder of ``code`` (or, from a name search, ``registration_id``) in at the door or a session.

    Commits: the check-in and its scan log row are one transaction. A ``nonce`` this scanner (device, or staff
    member at this event) already sent with the same code and session is answered from the log without writing
    anything again; sent with another code or session it raises NonceReused, with only the refusal logged.

    Runs on the database session's connection (Core statements, built once: see statements.py), in the
    transaction the request already has open, so a scanner's token lookup and its scan share one connection.
    """
    if (code is None) == (registration_id is None):
        raise ValueError("check_in needs a code or a registration id, not both")
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}")
    refusal = check_in_refusal(event.state)
    if refusal is not None:
        raise CheckInClosed(refusal)
    scan = _Scan(event, scanner, code, registration_id, themed_session_id, method, nonce)
    try:
        outcome = scan.decide_and_write(db.session.connection())
        if outcome is not None:
            db.session.commit()
            return outcome
        # This nonce was answered before (a scanner retrying after a dropped connection): undo whatever this
        # attempt wrote and give the earlier answer again, if it was this same scan.
        db.session.rollback()
        try:
            outcome = scan.replay(db.session.connection())
        except NonceReused as refusal:
            scan.log_refused_nonce(db.session.connection(), str(refusal))
            db.session.commit()
            raise
        db.session.rollback()
        return outcome
    except BaseException:
        db.session.rollback()
        raise


@dataclass(frozen=True)
class _Scan:
    event: EventRef
    scanner: Scanner
    code: str | None
    registration_id: int | None
    themed_session_id: int | None
    method: str
    nonce: str | None

    @property
    def excerpt(self) -> str:
        """What the scan log keeps of what was scanned: the code's excerpt, or the registration a search picked."""
        if self.registration_id is None:
            return code_excerpt(self.code)
        return f"#{self.registration_id} ({self.method})"

    def decide_and_write(self, conn: Connection) -> CheckInOutcome | None:
        """The outcome, with the check-in and the scan log row written; None when the nonce is already logged.

        A scan that may record an arrival has its outcome decided before anything is written, so that the two
        writes follow each other with nothing in between: on SQLite the first one takes the database's single
        write lock, held until the commit.
        """
        session = self._themed_session(conn) if self.themed_session_id is not None else None
        now = utcnow()
        secret = None
        if self.registration_id is not None:
            row = conn.execute(statements.REGISTRATION_BY_ID, {"registration_id": self.registration_id}).first()
            if row is not None and row.event_id != self.event.id:
                row = None  # a search only ever offers this event's people
        else:
            secret = badge_secret_from_code(self.code)
            row = conn.execute(statements.REGISTRATION_BY_SECRET, {"secret": secret}).first() if secret else None

        if row is None:
            replaced = conn.execute(statements.REPLACED_BY_SECRET, {"secret": secret}).first() if secret else None
            if replaced is None:
                return self._log(conn, CheckInOutcome(Result.UNKNOWN_CODE, session=session), now)
            if replaced.event_id != self.event.id:
                return self._log(conn, CheckInOutcome(Result.NOT_THIS_EVENT, session=session), now)
            attendee = Attendee(id=replaced.id, name=replaced.full_name, organisation=replaced.organisation)
            return self._log(conn, CheckInOutcome(Result.BADGE_REPLACED, attendee, session), now, replaced.id)
        if row.event_id != self.event.id:
            # Nothing about another event's attendee is shown or logged here.
            return self._log(conn, CheckInOutcome(Result.NOT_THIS_EVENT, session=session), now)

        assigned = self._assigned_sessions(conn, row.id) if self.event.assignments_published else ()
        attendee = Attendee(id=row.id, name=row.full_name, organisation=row.organisation, assigned_sessions=assigned)
        if row.status == RegistrationStatus.CANCELLED:
            return self._log(conn, CheckInOutcome(Result.CANCELLED, attendee, session), now, row.id)
        if row.status == RegistrationStatus.WAITLISTED:
            return self._log(conn, CheckInOutcome(Result.WAITLISTED, attendee, session), now, row.id)

        elsewhere = _assigned_elsewhere(assigned, session)
        outcome = CheckInOutcome(
            Result.WRONG_SESSION if elsewhere else Result.OK, attendee, session,
            arrival=_arrival(now, self.scanner.name, self.event.timezone), assigned_session=elsewhere,
        )
        check_in_id = self._write_check_in(conn, row.id, session, now)
        if check_in_id is not None:
            return self._log(conn, outcome.with_check_in(check_in_id), now, row.id)
        # A live check-in exists: say when and by whom.
        outcome = CheckInOutcome(
            Result.ALREADY_CHECKED_IN, attendee, session, arrival=self._earlier_arrival(conn, row.id, session),
        )
        return self._log(conn, outcome, now, row.id)

    def _themed_session(self, conn: Connection) -> SessionRef:
        row = conn.execute(
            statements.THEMED_SESSION, {"themed_session_id": self.themed_session_id, "event_id": self.event.id}
        ).first()
        if row is None:
            raise UnknownSession(f"There is no session {self.themed_session_id} at this event.")
        return SessionRef(*row)

    @staticmethod
    def _assigned_sessions(conn: Connection, registration_id: int) -> tuple[SessionRef, ...]:
        rows = conn.execute(statements.ASSIGNED_SESSIONS, {"registration_id": registration_id})
        return tuple(SessionRef(*r) for r in rows)

    def _write_check_in(self, conn: Connection, registration_id: int, session: SessionRef | None, now: datetime):
        """The new check-in's id; None, with nothing written, when a live one already exists (the partial unique
        index decides)."""
        writes = statements.writes(conn.dialect.name)
        return conn.execute(writes.door_check_in if session is None else writes.session_check_in, {
            "event_id": self.event.id,
            "registration_id": registration_id,
            "themed_session_id": session.id if session else None,
            "checked_in_at": now,
            "staff_user_id": self.scanner.staff_user_id,
            "scanner_device_id": self.scanner.scanner_device_id,
            "device_label": self.scanner.device_label,
            "method": self.method,
        }).scalar()

    def _earlier_arrival(self, conn: Connection, registration_id: int, session: SessionRef | None) -> Arrival:
        if session is None:
            row = conn.execute(statements.EARLIER_DOOR_CHECK_IN, {"registration_id": registration_id}).one()
        else:
            row = conn.execute(
                statements.EARLIER_SESSION_CHECK_IN,
                {"registration_id": registration_id, "themed_session_id": session.id},
            ).one()
        who = row.display_name or row.email or row.device_name or "another scanner"
        if row.device_label and row.device_label != who:
            who = f"{who} ({row.device_label})"
        return _arrival(row.checked_in_at, who, self.event.timezone, earlier_check_in_id=row.id)

    def _log(
        self, conn: Connection, outcome: CheckInOutcome, now: datetime, registration_id: int | None = None
    ) -> CheckInOutcome | None:
        """Write the scan's log row; None when its nonce is already in the log (the scan was answered before)."""
        logged = _write_scan_log(conn, {
            "event_id": self.event.id,
            "at": now,
            "code_excerpt": self.excerpt,
            "result": outcome.result.value,
            "registration_id": registration_id,
            "themed_session_id": outcome.session.id if outcome.session else None,
            "staff_user_id": self.scanner.staff_user_id,
            "scanner_device_id": self.scanner.scanner_device_id,
            "nonce": self.nonce,
            "check_in_id": outcome.check_in_id,
            "response_json": _compact_json(outcome.as_json()),
        })
        return outcome if logged else None

    def replay(self, conn: Connection) -> CheckInOutcome:
        answer = earlier_answer(
            conn, self.event.id, self.scanner.scanner_device_id, self.scanner.staff_user_id, self.nonce,
            self.excerpt, self.themed_session_id,
        )
        return CheckInOutcome.from_json(json.loads(answer), replayed=True)

    def log_refused_nonce(self, conn: Connection, message: str) -> None:
        """The refused scan in the log (without its nonce, which is the earlier scan's), for the organiser to see."""
        _write_scan_log(conn, {
            "event_id": self.event.id, "at": utcnow(), "code_excerpt": self.excerpt, "result": NONCE_REUSED,
            "registration_id": None, "themed_session_id": self.themed_session_id,
            "staff_user_id": self.scanner.staff_user_id, "scanner_device_id": self.scanner.scanner_device_id,
            "nonce": None, "check_in_id": None,
            "response_json": _compact_json({"error": NONCE_REUSED, "message": message}),
        })


# json.dumps(separators=...) would build an encoder on every call.
_compact_json = json.JSONEncoder(separators=(",", ":")).encode


def _assigned_elsewhere(assigned: tuple[SessionRef, ...], here: SessionRef | None) -> SessionRef | None:
    if here is None:
        return None
    for session in assigned:
        if session.time_slot_id == here.time_slot_id and session.id != here.id:
            return session
    return None


def _arrival(moment: datetime, who: str, timezone: str, earlier_check_in_id: int | None = None) -> Arrival:
    zone = ZoneInfo(timezone)
    # "at 09:12" on the day itself; an arrival on an earlier day of a longer event says which day.
    same_day = moment.astimezone(zone).date() == utcnow().astimezone(zone).date()
    return Arrival(
        at=moment, at_local=format_local_time(moment, timezone, "%H:%M" if same_day else "%a %d %b, %H:%M"),
        by=who, earlier_check_in_id=earlier_check_in_id,
    )


def _write_scan_log(conn: Connection, values: dict) -> bool:
    """Write a scan log row; False when its nonce is already in the log."""
    writes = statements.writes(conn.dialect.name)
    if values["nonce"] is None:
        conn.execute(writes.scan_log, values)
        return True
    return conn.execute(writes.scan_log_once, values).first() is not None


class UndoResult(enum.StrEnum):
    UNDONE = "undone"
    ALREADY_UNDONE = "already_undone"
    NOT_FOUND = "not_found"


def undo_check_in(event_id: int, check_in_id: int, staff_user_id: int | None) -> UndoResult:
    """Annul a check-in: the row is kept, marked undone_at / undone_by, and no longer counts. Commits."""
    changed = db.session.execute(
        update(CheckIn)
        .where(CheckIn.id == check_in_id, CheckIn.event_id == event_id, CheckIn.undone_at.is_(None))
        .values(undone_at=utcnow(), undone_by_id=staff_user_id)
    ).rowcount
    if changed:
        db.session.commit()
        return UndoResult.UNDONE
    exists = db.session.execute(
        select(CheckIn.id).where(CheckIn.id == check_in_id, CheckIn.event_id == event_id)
    ).first()
    db.session.rollback()
    return UndoResult.ALREADY_UNDONE if exists else UndoResult.NOT_FOUND
