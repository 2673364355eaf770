"""Checking an attendee in: one function, one transaction, one answer from a fixed list; and undoing it.

The hot path is a handful of indexed statements: find the registration by its badge secret (locked FOR UPDATE on
PostgreSQL), insert the check-in with ``ON CONFLICT DO NOTHING`` against the partial unique index, write the scan
log (on PostgreSQL in the same statement as the check-in), commit. The unique index, not a read-then-write, is what
makes two scanners scanning the same badge at the same moment give one ``ok`` and one ``already_checked_in``: on
SQLite, which serialises writers, the second insert waits for the first to commit and then finds the conflict; on
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
from functools import cache
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from sqlalchemy import Text, and_, bindparam, cast, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db
from ..models import (
    Assignment,
    CheckIn,
    Organisation,
    Registration,
    RegistrationStatus,
    ReplacedBadge,
    ScanLog,
    ScannerDevice,
    StaffUser,
    ThemedSession,
    TimeSlot,
    utcnow,
)
from ..templating import format_local_time
from ..tokens import badge_secret_from_code
from .driver import DriverConnection, DriverStatement
from .nonces import NONCE_REUSED, NonceReused, earlier_answer


class Result(enum.StrEnum):
    OK = "ok"
    ALREADY_CHECKED_IN = "already_checked_in"
    UNKNOWN_CODE = "unknown_code"
    BADGE_REPLACED = "badge_replaced"
    CANCELLED = "cancelled"
    WAITLISTED = "waitlisted"
    WRONG_SESSION = "wrong_session"
    NOT_THIS_EVENT = "not_this_event"


# The answers that wrote a check-in (wrong_session records the attendance and warns).
RECORDED = frozenset({Result.OK, Result.WRONG_SESSION})
METHODS = ("scan", "typed", "search")  # what a scanner may send
WALK_IN = "walk_in"  # a person registered at the door by staff (walk_in.py), never sent by a scanner
EXCERPT_CHARS = 60  # of code_excerpt's 80: room for a "… (12345 chars)" tail


@dataclass(frozen=True)
class EventRef:
    """What a check-in needs to know about its event, read in one small query."""

    id: int
    slug: str
    name: str
    timezone: str
    assignments_published: bool


@dataclass(frozen=True)
class Scanner:
    """Who scans: a logged-in staff member (with the label their page gives the device), or an issued device."""

    name: str  # shown to the next scanner as "by ..."
    staff_user_id: int | None = None
    scanner_device_id: int | None = None
    device_label: str | None = None


@dataclass(frozen=True)
class CheckInOutcome:
    result: Result
    body: str  # the JSON answer, exactly as kept in the scan log and replayed for a retried nonce
    replayed: bool = False

    @property
    def answer(self) -> dict:
        return json.loads(self.body)


class UnknownSession(ValueError):
    """The door / session asked for is not a themed session of this event."""


@dataclass(frozen=True)
class _SessionRef:
    id: int
    title: str
    room: str | None
    time_slot_id: int

    def as_json(self) -> dict:
        return {"id": self.id, "title": self.title, "room": self.room}


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


# Every statement of a check-in is built once, with bound parameters, and run on the driver's cursor (driver.py):
# a statement built per request costs more in SQLAlchemy's compile-cache keying than the database takes to run it,
# and SQLAlchemy's execution of a built one costs about as much again.
_registration = Registration.__table__
_organisation = Organisation.__table__
_check_in = CheckIn.__table__
_scan_log = ScanLog.__table__

_REGISTRATION = (
    select(
        _registration.c.id,
        _registration.c.event_id,
        _registration.c.status,
        _registration.c.full_name,
        _organisation.c.name.label("organisation"),
    )
    .select_from(_registration.outerjoin(_organisation, _organisation.c.id == _registration.c.organisation_id))
    # Locks the registration row only (PostgreSQL; SQLite has no row locks and leaves it out): a second scan
    # of the same badge waits here until the first has committed, then finds its check-in.
    .with_for_update(of=_registration)
)
REGISTRATION_BY_SECRET = DriverStatement(_REGISTRATION.where(_registration.c.badge_secret == bindparam("secret")))
REGISTRATION_BY_ID = DriverStatement(_REGISTRATION.where(_registration.c.id == bindparam("registration_id")))
# Only for a well-formed code that is no live badge: an old badge, or one of another event.
REPLACED_BY_SECRET = DriverStatement(
    select(
        _registration.c.id,
        _registration.c.event_id,
        _registration.c.full_name,
        _organisation.c.name.label("organisation"),
    )
    .select_from(
        ReplacedBadge.__table__.join(_registration, _registration.c.id == ReplacedBadge.__table__.c.registration_id)
        .outerjoin(_organisation, _organisation.c.id == _registration.c.organisation_id)
    )
    .where(ReplacedBadge.__table__.c.badge_secret == bindparam("secret"))
)
_SESSION_COLUMNS = (ThemedSession.id, ThemedSession.title, ThemedSession.room, ThemedSession.time_slot_id)
THEMED_SESSION = DriverStatement(
    select(*_SESSION_COLUMNS).where(
        ThemedSession.id == bindparam("themed_session_id"), ThemedSession.event_id == bindparam("event_id")
    )
)
ASSIGNED_SESSIONS = DriverStatement(
    select(*_SESSION_COLUMNS)
    .join(Assignment, Assignment.themed_session_id == ThemedSession.id)
    .join(TimeSlot, TimeSlot.id == ThemedSession.time_slot_id)
    .where(Assignment.registration_id == bindparam("registration_id"))
    .order_by(TimeSlot.starts_at)
)
_EARLIER_CHECK_IN = (
    select(
        CheckIn.id,
        CheckIn.checked_in_at,
        CheckIn.device_label,
        StaffUser.display_name,
        StaffUser.email,
        ScannerDevice.name.label("device_name"),
    )
    .outerjoin(StaffUser, StaffUser.id == CheckIn.staff_user_id)
    .outerjoin(ScannerDevice, ScannerDevice.id == CheckIn.scanner_device_id)
    .where(CheckIn.registration_id == bindparam("registration_id"), CheckIn.undone_at.is_(None))
)
EARLIER_DOOR_CHECK_IN = DriverStatement(_EARLIER_CHECK_IN.where(CheckIn.themed_session_id.is_(None)))
EARLIER_SESSION_CHECK_IN = DriverStatement(
    _EARLIER_CHECK_IN.where(CheckIn.themed_session_id == bindparam("themed_session_id"))
)
_LIVE = _check_in.c.undone_at.is_(None)

_DIALECT_INSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}
# The columns of a scan log row, in the order the hot path's one-statement write (PostgreSQL) selects them.
_LOG_COLUMNS = (
    "event_id", "at", "code_excerpt", "result", "registration_id", "themed_session_id", "staff_user_id",
    "scanner_device_id", "nonce",
)
_LOG_ANSWER_COLUMNS = ("check_in_id", "response_json")


_CHECK_IN_COLUMNS = (
    "event_id", "registration_id", "themed_session_id", "checked_in_at", "staff_user_id", "scanner_device_id",
    "device_label", "method",
)


@cache
def _writes(dialect_name: str) -> SimpleNamespace:
    """The hot path's writes, built once per dialect: INSERT ... ON CONFLICT DO NOTHING RETURNING id (SQLite >= 3.35,
    PostgreSQL); on PostgreSQL also the check-in and its log row as one statement."""
    insert = _DIALECT_INSERTS[dialect_name]
    new_check_in = insert(_check_in).values(
        {name: bindparam(f"ci_{name}", type_=_check_in.c[name].type) for name in _CHECK_IN_COLUMNS}
    )
    door = new_check_in.on_conflict_do_nothing(
        index_elements=[_check_in.c.registration_id],
        index_where=and_(_check_in.c.themed_session_id.is_(None), _LIVE),
    ).returning(_check_in.c.id)
    session = new_check_in.on_conflict_do_nothing(
        index_elements=[_check_in.c.registration_id, _check_in.c.themed_session_id],
        index_where=and_(_check_in.c.themed_session_id.is_not(None), _LIVE),
    ).returning(_check_in.c.id)
    new_scan_log = insert(_scan_log).values(
        {name: bindparam(name, type_=_scan_log.c[name].type) for name in (*_LOG_COLUMNS, *_LOG_ANSWER_COLUMNS)}
    )
    one_statement = dialect_name == "postgresql"
    return SimpleNamespace(
        door_check_in=DriverStatement(door),
        session_check_in=DriverStatement(session),
        scan_log=DriverStatement(new_scan_log),
        # No conflict target: the nonce is unique per device or per staff member (two partial indexes), and
        # whichever applies is the only one a new row can conflict with.
        scan_log_once=DriverStatement(new_scan_log.on_conflict_do_nothing().returning(_scan_log.c.id)),
        one_statement=one_statement,
        door_check_in_logged=DriverStatement(_check_in_and_log(door)) if one_statement else None,
        session_check_in_logged=DriverStatement(_check_in_and_log(session)) if one_statement else None,
    )


def _check_in_and_log(check_in_insert):
    """PostgreSQL: the check-in and its scan log row in one statement (one round trip instead of two).

    The log row is selected from the check-in insert's RETURNING, so it is written only when the check-in was;
    its response_json is the answer with the new check-in's id spliced in (``head || id || tail``). Answers the
    check-in's id (NULL: a live one already existed) and the log row's (NULL: the nonce was already logged).
    """
    check_in = check_in_insert.cte("new_check_in")
    params = [bindparam(f"log_{name}", type_=_scan_log.c[name].type) for name in _LOG_COLUMNS]
    body = bindparam("log_head", type_=Text) + cast(check_in.c.id, Text) + bindparam("log_tail", type_=Text)
    log = (
        postgresql.insert(_scan_log)
        .from_select([*_LOG_COLUMNS, *_LOG_ANSWER_COLUMNS], select(*params, check_in.c.id, body))
        .on_conflict_do_nothing()  # the scanner's nonce already logged (see _write_scan_log)
        .returning(_scan_log.c.id)
        .cte("new_scan_log")
    )
    return select(select(check_in.c.id).scalar_subquery(), select(log.c.id).scalar_subquery())


def check_in(
    event: EventRef,
    scanner: Scanner,
    *,
    code: str | None = None,
    registration_id: int | None = None,
    themed_session_id: int | None = None,
    method: str = "scan",
    nonce: str | None = None,
    connection: DriverConnection | None = None,
) -> CheckInOutcome:
    """Check the holder of ``code`` (or, from a name search, ``registration_id``) in at the door or a session.

    Commits: the check-in and its scan log row are one transaction. A ``nonce`` this scanner (device, or staff
    member at this event) already sent with the same code and session is answered from the log without writing
    anything again; sent with another code or session it raises NonceReused, with only the refusal logged.

    Runs on ``connection`` when given (the API request's, which its token lookup used), else on one of its own:
    a driver connection, not the ORM session, whose per-request bookkeeping costs more than the statements here
    (see driver.py and benchmarks/checkin.py). Nothing the caller has not committed is seen.
    """
    if (code is None) == (registration_id is None):
        raise ValueError("check_in needs a code or a registration id, not both")
    if method not in (*METHODS, WALK_IN):
        raise ValueError(f"method must be one of {METHODS} or {WALK_IN!r}")
    if connection is None:
        with DriverConnection(db.engine) as own:
            return _check_in_on(own, event, scanner, code, registration_id, themed_session_id, method, nonce)
    return _check_in_on(connection, event, scanner, code, registration_id, themed_session_id, method, nonce)


def _check_in_on(
    conn: DriverConnection, event: EventRef, scanner: Scanner, code: str | None, registration_id: int | None,
    themed_session_id: int | None, method: str, nonce: str | None,
) -> CheckInOutcome:
    try:
        outcome = _decide_and_write(conn, event, scanner, code, registration_id, themed_session_id, method, nonce)
        if outcome is None:
            # This nonce was answered before (a scanner retrying after a dropped connection): undo whatever this
            # attempt wrote and give the earlier answer again, if it was this same scan.
            conn.rollback()
            excerpt = _excerpt(code, registration_id, method)
            try:
                outcome = _replay(conn, event.id, scanner, nonce, excerpt, themed_session_id)
            except NonceReused as refusal:
                _log_refused_nonce(conn, event, scanner, excerpt, themed_session_id, str(refusal))
                conn.commit()
                raise
            conn.rollback()
        else:
            conn.commit()
        return outcome
    except BaseException:
        conn.rollback()
        raise


def _decide_and_write(
    conn: DriverConnection, event: EventRef, scanner: Scanner, code: str | None, registration_id: int | None,
    themed_session_id: int | None, method: str, nonce: str | None,
) -> CheckInOutcome | None:
    """The answer, with the check-in and the scan log row written; None when the nonce is already in the log.

    A scan that may record an arrival has its answer built before anything is written, so that the two writes
    follow each other with nothing in between: on SQLite the first one takes the database's single write lock,
    held until the commit; on PostgreSQL they are one statement.
    """
    themed_session = _themed_session(conn, event, themed_session_id) if themed_session_id is not None else None
    now = utcnow()

    secret = None
    excerpt = _excerpt(code, registration_id, method)
    if registration_id is not None:
        row = conn.one_or_none(REGISTRATION_BY_ID, {"registration_id": registration_id})
        if row is not None and row.event_id != event.id:
            row = None  # a search only ever offers this event's people
    else:
        secret = badge_secret_from_code(code)
        row = conn.one_or_none(REGISTRATION_BY_SECRET, {"secret": secret}) if secret is not None else None

    log = {
        "event_id": event.id,
        "at": now,
        "code_excerpt": excerpt,
        "registration_id": None,
        "themed_session_id": themed_session.id if themed_session else None,
        "staff_user_id": scanner.staff_user_id,
        "scanner_device_id": scanner.scanner_device_id,
        "nonce": nonce,
    }
    attendee = None
    extra: dict = {}
    if row is None:
        result = Result.UNKNOWN_CODE
        replaced = _replaced_badge(conn, secret) if secret is not None else None
        if replaced is not None:
            if replaced.event_id == event.id:
                result = Result.BADGE_REPLACED
                attendee = _attendee(replaced, [])
                log["registration_id"] = replaced.id
            else:
                result = Result.NOT_THIS_EVENT
    elif row.event_id != event.id:
        # Nothing about another event's attendee is shown or logged here.
        result = Result.NOT_THIS_EVENT
    else:
        log["registration_id"] = row.id
        assigned = _assigned_sessions(conn, row.id) if event.assignments_published else []
        attendee = _attendee(row, assigned)
        if row.status == RegistrationStatus.CANCELLED:
            result = Result.CANCELLED
        elif row.status == RegistrationStatus.WAITLISTED:
            result = Result.WAITLISTED
        else:
            result = Result.OK
            extra = _when_and_who(now, scanner.name, event.timezone)
            elsewhere = _assigned_elsewhere(assigned, themed_session)
            if elsewhere:
                result = Result.WRONG_SESSION
                extra["assigned_session"] = elsewhere.as_json()
            log["result"] = result.value
            tail = _answer_tail(result, themed_session, attendee, extra)
            written = _write_check_in_and_log(conn, event, row.id, themed_session, scanner, method, now, log, tail)
            if written is not None:
                check_in_id, logged = written
                return CheckInOutcome(result=result, body=_answer(check_in_id, tail)) if logged else None
            result = Result.ALREADY_CHECKED_IN  # a live check-in exists: say when and by whom
            extra = _earlier_check_in(conn, row.id, themed_session, event.timezone)

    body = _answer(None, _answer_tail(result, themed_session, attendee, extra))
    logged = _write_scan_log(conn, {**log, "result": result.value, "check_in_id": None, "response_json": body})
    return CheckInOutcome(result=result, body=body) if logged else None


# json.dumps(separators=...) would build an encoder on every call.
_COMPACT_JSON = json.JSONEncoder(separators=(",", ":"))
# The JSON answer starts with the check-in's id, so that the one-statement write (PostgreSQL) can splice in the
# id it has just made: ``_ANSWER_HEAD + id + tail``, with tail the rest of the object.
_ANSWER_HEAD = '{"check_in_id":'


def _answer_tail(result: Result, themed_session: _SessionRef | None, attendee: dict | None, extra: dict) -> str:
    rest = {
        "result": result.value,
        "message": _message(result, themed_session, extra),
        "recorded": result in RECORDED,
        "attendee": attendee,
        "session": themed_session.as_json() if themed_session else None,
        **extra,
    }
    return "," + _COMPACT_JSON.encode(rest)[1:]


def _answer(check_in_id: int | None, tail: str) -> str:
    return f"{_ANSWER_HEAD}{'null' if check_in_id is None else check_in_id}{tail}"


def _themed_session(conn: DriverConnection, event: EventRef, themed_session_id: int) -> _SessionRef:
    row = conn.one_or_none(THEMED_SESSION, {"themed_session_id": themed_session_id, "event_id": event.id})
    if row is None:
        raise UnknownSession(f"There is no session {themed_session_id} at this event.")
    return _SessionRef(*row)


def _replaced_badge(conn: DriverConnection, secret: str):
    return conn.one_or_none(REPLACED_BY_SECRET, {"secret": secret})


def _assigned_sessions(conn: DriverConnection, registration_id: int) -> list[_SessionRef]:
    rows = conn.all(ASSIGNED_SESSIONS, {"registration_id": registration_id})
    return [_SessionRef(*r) for r in rows]


def _assigned_elsewhere(assigned: list[_SessionRef], here: _SessionRef | None) -> _SessionRef | None:
    if here is None:
        return None
    for session in assigned:
        if session.time_slot_id == here.time_slot_id and session.id != here.id:
            return session
    return None


def _attendee(row, assigned: list[_SessionRef]) -> dict:
    return {
        "id": row.id,
        "name": row.full_name,
        "organisation": row.organisation,
        "assigned_sessions": [s.as_json() for s in assigned],
    }


def _write_check_in_and_log(
    conn: DriverConnection, event: EventRef, registration_id: int, themed_session: _SessionRef | None, scanner: Scanner,
    method: str, now: datetime, log: dict, tail: str,
) -> tuple[int, bool] | None:
    """Record the arrival and log the scan: (the new check-in's id, whether the log row was written: False when
    the nonce was already logged); None, with nothing written, when a live check-in already exists (the partial
    unique index decides)."""
    values = {
        "ci_event_id": event.id,
        "ci_registration_id": registration_id,
        "ci_themed_session_id": themed_session.id if themed_session else None,
        "ci_checked_in_at": now,
        "ci_staff_user_id": scanner.staff_user_id,
        "ci_scanner_device_id": scanner.scanner_device_id,
        "ci_device_label": scanner.device_label,
        "ci_method": method,
    }
    writes = _writes(conn.dialect.name)
    if writes.one_statement:
        statement = writes.door_check_in_logged if themed_session is None else writes.session_check_in_logged
        values.update({f"log_{name}": log[name] for name in _LOG_COLUMNS})
        values.update(log_head=_ANSWER_HEAD, log_tail=tail)
        check_in_id, log_id = conn.one(statement, values)
        return None if check_in_id is None else (check_in_id, log_id is not None)
    statement = writes.door_check_in if themed_session is None else writes.session_check_in
    row = conn.one_or_none(statement, values)
    if row is None:
        return None
    check_in_id = row.id
    logged = _write_scan_log(conn, {**log, "check_in_id": check_in_id, "response_json": _answer(check_in_id, tail)})
    return check_in_id, logged


def _staff_name(display_name: str | None, email: str | None) -> str | None:
    return display_name or email


def _earlier_check_in(
    conn: DriverConnection, registration_id: int, themed_session: _SessionRef | None, timezone: str
) -> dict:
    if themed_session is None:
        row = conn.one(EARLIER_DOOR_CHECK_IN, {"registration_id": registration_id})
    else:
        row = conn.one(
            EARLIER_SESSION_CHECK_IN, {"registration_id": registration_id, "themed_session_id": themed_session.id}
        )
    who = _staff_name(row.display_name, row.email) or row.device_name or "another scanner"
    if row.device_label and row.device_label != who:
        who = f"{who} ({row.device_label})"
    answer = _when_and_who(row.checked_in_at, who, timezone)
    answer["earlier_check_in_id"] = row.id
    return answer


def _when_and_who(moment: datetime, who: str, timezone: str) -> dict:
    zone = ZoneInfo(timezone)
    # "at 09:12" on the day itself; an arrival on an earlier day of a longer event says which day.
    same_day = moment.astimezone(zone).date() == utcnow().astimezone(zone).date()
    return {
        "checked_in_at": moment.isoformat(),
        "checked_in_at_local": format_local_time(moment, timezone, "%H:%M" if same_day else "%a %d %b, %H:%M"),
        "checked_in_by": who,
    }


def _message(result: Result, themed_session: _SessionRef | None, extra: dict) -> str:
    where = f" at {themed_session.title}" if themed_session else ""
    if result == Result.OK:
        return f"Checked in{where}."
    if result == Result.ALREADY_CHECKED_IN:
        return f"Already checked in{where} at {extra['checked_in_at_local']} by {extra['checked_in_by']}."
    if result == Result.WRONG_SESSION:
        other = extra["assigned_session"]
        room = f" ({other['room']})" if other.get("room") else ""
        return f"Checked in{where}, but assigned to {other['title']}{room}."
    return {
        Result.UNKNOWN_CODE: "Not a badge of this event.",
        Result.BADGE_REPLACED: "This badge was replaced by a newer one. Ask for the new badge, or find them by name.",
        Result.CANCELLED: "This registration was cancelled.",
        Result.WAITLISTED: "This person is on the waiting list, not confirmed.",
        Result.NOT_THIS_EVENT: "This badge is for another event.",
    }[result]


def _write_scan_log(conn: DriverConnection, values: dict) -> bool:
    """Write the scan's log row; False when its nonce is already in the log (the scan was answered before)."""
    writes = _writes(conn.dialect.name)
    if values["nonce"] is None:
        conn.execute(writes.scan_log, values)
        return True
    return conn.one_or_none(writes.scan_log_once, values) is not None


def _excerpt(code: str | None, registration_id: int | None, method: str) -> str:
    """What the scan log keeps of what was scanned: the code's excerpt, or the registration a search picked."""
    return code_excerpt(code) if registration_id is None else f"#{registration_id} ({method})"


def _replay(
    conn: DriverConnection, event_id: int, scanner: Scanner, nonce: str, excerpt: str, themed_session_id: int | None
) -> CheckInOutcome:
    result, body = earlier_answer(
        conn, event_id, scanner.scanner_device_id, scanner.staff_user_id, nonce, excerpt, themed_session_id
    )
    answer = json.loads(body)
    answer["replayed"] = True
    return CheckInOutcome(result=Result(result), body=_COMPACT_JSON.encode(answer), replayed=True)


def _log_refused_nonce(
    conn: DriverConnection, event: EventRef, scanner: Scanner, excerpt: str, themed_session_id: int | None,
    message: str,
) -> None:
    """The refused scan in the log (without its nonce, which is the earlier scan's), for the organiser to see."""
    _write_scan_log(conn, {
        "event_id": event.id, "at": utcnow(), "code_excerpt": excerpt, "result": NONCE_REUSED,
        "registration_id": None, "themed_session_id": themed_session_id, "staff_user_id": scanner.staff_user_id,
        "scanner_device_id": scanner.scanner_device_id, "nonce": None, "check_in_id": None,
        "response_json": _COMPACT_JSON.encode({"error": NONCE_REUSED, "message": message}),
    })


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
