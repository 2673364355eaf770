"""Scanner devices: an admin issues a phone or scanner a check-in token for one event, lists them, revokes them.

The token is shown once and never stored: the database keeps only its sha256, so a copy of the database does
not let anyone check people in. 256 random bits, so a hash lookup cannot be guessed into.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import and_, bindparam, func, select, update

from ..extensions import db
from ..models import Event, ScanLog, ScannerDevice, StaffUser, utcnow
from .service import EventRef

TOKEN_PREFIX = "eacs_"  # recognisable in a config file or a leaked log: "eventapp check-in scanner"
DEVICE_NAME_MAX = 120


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class IssuedDevice:
    device: ScannerDevice
    token: str  # the only time anyone sees it


def issue_device(event: Event, name: str, created_by: StaffUser | None) -> IssuedDevice:
    """Create a device and its token. Commits."""
    name = name.strip()
    if not name or len(name) > DEVICE_NAME_MAX:
        raise ValueError(f"A device needs a name of 1 to {DEVICE_NAME_MAX} characters.")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    device = ScannerDevice(
        event_id=event.id, name=name, token_hash=hash_token(token),
        created_by_id=created_by.id if created_by else None,
    )
    db.session.add(device)
    db.session.commit()
    return IssuedDevice(device=device, token=token)


@dataclass(frozen=True)
class DeviceRow:
    device: ScannerDevice
    created_by: str | None
    scans: int
    last_scan_at: datetime | None


def list_devices(event: Event) -> list[DeviceRow]:
    usage = (
        select(ScanLog.scanner_device_id, func.count().label("scans"), func.max(ScanLog.at).label("last_at"))
        .where(ScanLog.event_id == event.id, ScanLog.scanner_device_id.is_not(None))
        .group_by(ScanLog.scanner_device_id)
        .subquery()
    )
    rows = db.session.execute(
        select(ScannerDevice, StaffUser.display_name, StaffUser.email, usage.c.scans, usage.c.last_at)
        .outerjoin(StaffUser, StaffUser.id == ScannerDevice.created_by_id)
        .outerjoin(usage, usage.c.scanner_device_id == ScannerDevice.id)
        .where(ScannerDevice.event_id == event.id)
        .order_by(ScannerDevice.revoked_at.is_not(None), ScannerDevice.created_at.desc())
    ).all()
    return [
        DeviceRow(device=d, created_by=display or email, scans=scans or 0, last_scan_at=_aware(last_at))
        for d, display, email, scans, last_at in rows
    ]


def _aware(moment):
    # max() over a UTCDateTime column comes back through no type on SQLite: a naive string or datetime.
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def revoke_device(event: Event, device_id: int) -> ScannerDevice | None:
    """Revoke at once: the next request with its token gets 401. Commits; None when there is no such device."""
    device = db.session.execute(
        select(ScannerDevice).where(ScannerDevice.id == device_id, ScannerDevice.event_id == event.id)
    ).scalar_one_or_none()
    if device is None:
        return None
    db.session.execute(
        update(ScannerDevice)
        .where(ScannerDevice.id == device_id, ScannerDevice.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    db.session.commit()
    db.session.refresh(device)
    return device


@dataclass(frozen=True)
class DeviceAuth:
    device_id: int
    device_name: str
    event: EventRef


_device = ScannerDevice.__table__
_event = Event.__table__
_DEVICE_COLUMNS = (
    _device.c.id,
    _device.c.name,
    _event.c.id.label("event_id"),
    _event.c.slug,
    _event.c.name.label("event_name"),
    _event.c.timezone,
    _event.c.assignment_published_at,
    _event.c.state,
)
_LIVE_DEVICE = and_(_device.c.token_hash == bindparam("token_hash"), _device.c.revoked_at.is_(None))
_DEVICE_AND_EVENT = _device.join(_event, _event.c.id == _device.c.event_id)
# Built once with a bound parameter, so compiled once: every scanner request starts here.
_DEVICE_BY_TOKEN_HASH = select(*_DEVICE_COLUMNS).select_from(_DEVICE_AND_EVENT).where(_LIVE_DEVICE)


def authenticate_token(token: str) -> DeviceAuth | None:
    """The live device a bearer token belongs to, with its event, in one indexed lookup; None if unknown or revoked.

    Only the token: the request's body is read after this has answered.
    """
    row = db.session.connection().execute(_DEVICE_BY_TOKEN_HASH, {"token_hash": hash_token(token)}).first()
    if row is None:
        return None
    return DeviceAuth(
        device_id=row.id,
        device_name=row.name,
        event=EventRef(
            id=row.event_id, slug=row.slug, name=row.event_name, timezone=row.timezone,
            assignments_published=row.assignment_published_at is not None, state=row.state,
        ),
    )
