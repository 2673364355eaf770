"""Scans a device made offline, sent when the network returns: each through the same check-in as an online scan.

Each queued scan carries the nonce it was made with, so a batch sent twice (the answer lost, the page closed
mid-sync) is answered from the log the second time and nothing is counted twice. After the check-in, its log row
gets the device's time and the answer the device gave offline (``scan_log.device_at``, ``offline_result``), and a
new check-in's arrival time becomes the device's time, when the person was really at the door.

The server is the one truth, ordered by device time: when two devices checked the same person in while both
were offline, the first scan by device time keeps ``ok`` whichever device synced first. A later sync of an earlier
scan takes the check-in over (its arrival time, scanner and method), and the other device's log row becomes
``already_checked_in``; that device learns of it from ``corrections`` at its next door-list refresh.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, bindparam, select, update

from ..extensions import db
from ..models import CheckIn, ScanLog, utcnow
from ..templating import format_local_time
from . import service
from .forms import CheckInRequest, CheckInRequestError, parse_check_in_request
from .nonces import NONCE_REUSED

MAX_BATCH = 200
# A device clock may be wrong: a scan "from the future" is taken as made when it arrived.
CLOCK_SLACK = timedelta(minutes=2)
_COMPACT_JSON = json.JSONEncoder(separators=(",", ":"))


class SyncRequestError(ValueError):
    """A sync request that is not well formed; the message says what to send."""


@dataclass(frozen=True)
class QueuedScan:
    request: CheckInRequest
    device_at: datetime
    offline_result: str | None


def _device_time(value: object) -> datetime:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CheckInRequestError('"device_time" must be milliseconds since 1970 (the device\'s clock).')
    try:
        return datetime.fromtimestamp(value / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        raise CheckInRequestError('"device_time" is out of range.') from None


def parse_batch(payload: object, allow_registration_id: bool) -> list[QueuedScan | CheckInRequestError]:
    """The queued scans of a sync request, in the device's order; a malformed one is its error, in its place."""
    if not isinstance(payload, dict) or not isinstance(payload.get("scans"), list):
        raise SyncRequestError('Send a JSON object such as {"scans": [...]}.')
    scans = payload["scans"]
    if len(scans) > MAX_BATCH:
        raise SyncRequestError(f"Send at most {MAX_BATCH} scans at a time.")
    parsed: list[QueuedScan | CheckInRequestError] = []
    results = {r.value for r in service.Result}
    for item in scans:
        try:
            request = parse_check_in_request(item, allow_registration_id)
            if request.nonce is None:
                raise CheckInRequestError('A queued scan needs its "nonce".')
            offline = item.get("offline_result")
            parsed.append(QueuedScan(request, _device_time(item.get("device_time")),
                                     offline if offline in results else None))
        except CheckInRequestError as error:
            parsed.append(error)
    return parsed


def sync_batch(event: service.EventRef, scanner: service.Scanner,
               scans: list[QueuedScan | CheckInRequestError]) -> list[dict]:
    """Check each queued scan in, in order, as the online API would; then mark them as made offline (one write for
    the batch). Answers {nonce, status, answer} per scan, in the same order."""
    out: list[dict] = []
    pending = _Marks()
    for scan in scans:
        if isinstance(scan, CheckInRequestError):
            out.append({"status": 400, "answer": {"error": "bad_request", "message": str(scan)}})
            continue
        r = scan.request
        try:
            outcome = service.check_in(
                event, scanner, code=r.code, registration_id=r.registration_id,
                themed_session_id=r.themed_session_id, method=r.method, nonce=r.nonce,
            )
        except service.UnknownSession as error:
            out.append({"nonce": r.nonce, "status": 400, "answer": {"error": "unknown_session", "message": str(error)}})
            continue
        except service.NonceReused as error:
            out.append({"nonce": r.nonce, "status": 409, "answer": {"error": NONCE_REUSED, "message": str(error)}})
            continue
        device_at = min(scan.device_at, utcnow() + CLOCK_SLACK)
        answer = outcome.answer
        # A replay is marked too (only if not yet): its first sync may have been cut off before its marking.
        pending.add(r.nonce, device_at, scan.offline_result, answer.get("check_in_id"))
        if (not outcome.replayed and answer.get("result") == service.Result.ALREADY_CHECKED_IN
                and answer.get("earlier_check_in_id")):
            pending.write(event.id, scanner)  # the earlier check-in's time must be its device time, if it has one
            taken = _take_over_if_earlier(event, scanner, r, device_at, answer)
            if taken is not None:
                answer = taken
        answer["device_time"] = device_at.isoformat()
        out.append({"nonce": r.nonce, "status": 200, "answer": answer})
    pending.write(event.id, scanner)
    return out


_scan_log = ScanLog.__table__
_check_in = CheckIn.__table__
_NOT_MARKED = and_(_scan_log.c.nonce == bindparam("b_nonce"), _scan_log.c.device_at.is_(None))
_MARK_VALUES = {"device_at": bindparam("b_at"), "offline_result": bindparam("b_result")}
MARK_DEVICE_SCAN = _scan_log.update().where(
    _NOT_MARKED, _scan_log.c.scanner_device_id == bindparam("b_device")).values(_MARK_VALUES)
MARK_STAFF_SCAN = _scan_log.update().where(
    _NOT_MARKED, _scan_log.c.event_id == bindparam("b_event"), _scan_log.c.staff_user_id == bindparam("b_staff"),
).values(_MARK_VALUES)
# The arrival was when the device scanned it, not when the network came back.
ARRIVED_AT_DEVICE_TIME = _check_in.update().where(
    _check_in.c.id == bindparam("b_id"), _check_in.c.checked_in_at > bindparam("b_at")
).values(checked_in_at=bindparam("b_at"))


class _Marks:
    """The scans of a batch still to be marked as made offline, written together in one transaction."""

    def __init__(self) -> None:
        self.scans: list[dict] = []
        self.arrivals: list[dict] = []

    def add(self, nonce: str, device_at: datetime, offline_result: str | None, check_in_id: int | None) -> None:
        self.scans.append({"b_nonce": nonce, "b_at": device_at, "b_result": offline_result or "unknown"})
        if check_in_id:
            self.arrivals.append({"b_id": check_in_id, "b_at": device_at})

    def write(self, event_id: int, scanner: service.Scanner) -> None:
        if not self.scans:
            return
        connection = db.session.connection()
        if scanner.scanner_device_id is not None:
            rows = [{**s, "b_device": scanner.scanner_device_id} for s in self.scans]
            connection.execute(MARK_DEVICE_SCAN, rows)
        else:
            rows = [{**s, "b_event": event_id, "b_staff": scanner.staff_user_id} for s in self.scans]
            connection.execute(MARK_STAFF_SCAN, rows)
        if self.arrivals:
            connection.execute(ARRIVED_AT_DEVICE_TIME, self.arrivals)
        db.session.commit()
        self.scans, self.arrivals = [], []


def _log_row(event_id: int, scanner: service.Scanner, nonce: str) -> ScanLog | None:
    query = select(ScanLog).where(ScanLog.nonce == nonce)
    if scanner.scanner_device_id is not None:
        query = query.where(ScanLog.scanner_device_id == scanner.scanner_device_id)
    else:
        query = query.where(ScanLog.event_id == event_id, ScanLog.staff_user_id == scanner.staff_user_id)
    return db.session.execute(query).scalar_one_or_none()


def _take_over_if_earlier(
    event: service.EventRef, scanner: service.Scanner, r: CheckInRequest, device_at: datetime, answer: dict,
) -> dict | None:
    """This scan was made before the live check-in that beat it to the server: it becomes the check-in (``ok``),
    and the scan that made it becomes ``already_checked_in``. None when the earlier check-in really was earlier."""
    earlier_id = answer["earlier_check_in_id"]
    taken = db.session.execute(
        update(CheckIn)
        .where(CheckIn.id == earlier_id, CheckIn.undone_at.is_(None), CheckIn.checked_in_at > device_at)
        .values(checked_in_at=device_at, staff_user_id=scanner.staff_user_id,
                scanner_device_id=scanner.scanner_device_id, device_label=r.device_label, method=r.method)
    ).rowcount
    if not taken:
        db.session.rollback()
        return None
    row = _log_row(event.id, scanner, r.nonce)
    loser = db.session.execute(
        select(ScanLog).where(ScanLog.check_in_id == earlier_id, ScanLog.id != row.id)
    ).scalars().first()
    when = format_local_time(device_at, event.timezone, "%H:%M")
    where = f" at {answer['session']['title']}" if answer.get("session") else ""
    won = {k: v for k, v in answer.items() if k != "earlier_check_in_id"}
    won.update(check_in_id=earlier_id, result=service.Result.OK.value, recorded=True, message=f"Checked in{where}.",
               checked_in_at=device_at.isoformat(), checked_in_at_local=when, checked_in_by=scanner.name)
    if loser is not None:
        lost = json.loads(loser.response_json or "{}")
        lost.update(check_in_id=None, result=service.Result.ALREADY_CHECKED_IN.value, recorded=False,
                    earlier_check_in_id=earlier_id, checked_in_at=device_at.isoformat(), checked_in_at_local=when,
                    checked_in_by=scanner.name,
                    message=f"Already checked in{where} at {when} by {scanner.name} (a scan made earlier offline).")
        loser.result = service.Result.ALREADY_CHECKED_IN.value
        loser.check_in_id = None
        loser.response_json = _COMPACT_JSON.encode(lost)
    row.result = service.Result.OK.value
    row.check_in_id = earlier_id
    row.response_json = _COMPACT_JSON.encode(won)
    db.session.commit()
    return won


def corrections(event_id: int, scanner: service.Scanner) -> list[dict]:
    """This scanner's offline answers the server changed: the device shows them to its staff."""
    columns = (ScanLog.nonce, ScanLog.result, ScanLog.offline_result, ScanLog.device_at, ScanLog.response_json)
    query = select(*columns).where(
        ScanLog.event_id == event_id, ScanLog.offline_result.is_not(None),
        ScanLog.offline_result != ScanLog.result, ScanLog.nonce.is_not(None),
    )
    if scanner.scanner_device_id is not None:
        query = query.where(ScanLog.scanner_device_id == scanner.scanner_device_id)
    else:
        query = query.where(and_(ScanLog.staff_user_id == scanner.staff_user_id, ScanLog.scanner_device_id.is_(None)))
    rows = db.session.execute(query.order_by(ScanLog.id)).all()
    out = []
    for nonce, result, offline_result, device_at, body in rows:
        answer = json.loads(body or "{}")
        out.append({"nonce": nonce, "result": result, "offline_result": offline_result,
                    "device_time": device_at.isoformat() if device_at else None, "answer": answer})
    return out
