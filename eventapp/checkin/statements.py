"""The check-in's statements, each built once with bound parameters, so that SQLAlchemy compiles it once per
database (its compiled cache) and every scan only binds values."""

from __future__ import annotations

from functools import cache
from types import SimpleNamespace

from sqlalchemy import and_, bindparam, select

from ..database import dialect_insert
from ..models import (
    Assignment,
    CheckIn,
    Organisation,
    Registration,
    ReplacedBadge,
    ScanLog,
    ScannerDevice,
    StaffUser,
    ThemedSession,
    TimeSlot,
)

_registration = Registration.__table__
_organisation = Organisation.__table__
_replaced = ReplacedBadge.__table__
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
REGISTRATION_BY_SECRET = _REGISTRATION.where(_registration.c.badge_secret == bindparam("secret"))
REGISTRATION_BY_ID = _REGISTRATION.where(_registration.c.id == bindparam("registration_id"))

# Only for a well-formed code that is no live badge: an old badge, or one of another event.
REPLACED_BY_SECRET = (
    select(
        _registration.c.id,
        _registration.c.event_id,
        _registration.c.full_name,
        _organisation.c.name.label("organisation"),
    )
    .select_from(
        _replaced.join(_registration, _registration.c.id == _replaced.c.registration_id)
        .outerjoin(_organisation, _organisation.c.id == _registration.c.organisation_id)
    )
    .where(_replaced.c.badge_secret == bindparam("secret"))
)

_SESSION_COLUMNS = (ThemedSession.id, ThemedSession.title, ThemedSession.room, ThemedSession.time_slot_id)
THEMED_SESSION = select(*_SESSION_COLUMNS).where(
    ThemedSession.id == bindparam("themed_session_id"), ThemedSession.event_id == bindparam("event_id")
)
ASSIGNED_SESSIONS = (
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
EARLIER_DOOR_CHECK_IN = _EARLIER_CHECK_IN.where(CheckIn.themed_session_id.is_(None))
EARLIER_SESSION_CHECK_IN = _EARLIER_CHECK_IN.where(CheckIn.themed_session_id == bindparam("themed_session_id"))

_CHECK_IN_COLUMNS = (
    "event_id", "registration_id", "themed_session_id", "checked_in_at", "staff_user_id", "scanner_device_id",
    "device_label", "method",
)
_LOG_COLUMNS = (
    "event_id", "at", "code_excerpt", "result", "registration_id", "themed_session_id", "staff_user_id",
    "scanner_device_id", "nonce", "check_in_id", "response_json",
)
_LIVE = _check_in.c.undone_at.is_(None)


@cache
def writes(dialect_name: str) -> SimpleNamespace:
    """The writes, built once per database: INSERT ... ON CONFLICT DO NOTHING RETURNING id (SQLite >= 3.35,
    PostgreSQL) of the check-in against its partial unique indexes, and of the scan log row against its nonce's."""
    insert = dialect_insert(dialect_name)
    new_check_in = insert(_check_in).values({name: bindparam(name) for name in _CHECK_IN_COLUMNS})
    new_scan_log = insert(_scan_log).values({name: bindparam(name) for name in _LOG_COLUMNS})
    return SimpleNamespace(
        door_check_in=new_check_in.on_conflict_do_nothing(
            index_elements=[_check_in.c.registration_id],
            index_where=and_(_check_in.c.themed_session_id.is_(None), _LIVE),
        ).returning(_check_in.c.id),
        session_check_in=new_check_in.on_conflict_do_nothing(
            index_elements=[_check_in.c.registration_id, _check_in.c.themed_session_id],
            index_where=and_(_check_in.c.themed_session_id.is_not(None), _LIVE),
        ).returning(_check_in.c.id),
        scan_log=new_scan_log,
        # No conflict target: the nonce is unique per device or per staff member (two partial indexes), and
        # whichever applies is the only one a new row can conflict with.
        scan_log_once=new_scan_log.on_conflict_do_nothing().returning(_scan_log.c.id),
    )
