"""A scanner's nonces: a retried scan answered from the log again, a nonce reused for another scan refused.

A nonce is the scanner's own (unique per device, or per staff member at an event: migration 0004), so one
scanner's retry never meets another scanner's scan. The same scanner sending a nonce again with another code
or at another session is not a retry: it gets a refusal instead of the earlier person's answer.
"""

from __future__ import annotations

from sqlalchemy import Connection, bindparam, select

from ..models import ScanLog

NONCE_REUSED = "nonce_reused"
NONCE_REUSED_MESSAGE = (
    "This scanner already sent that nonce with another scan, so nothing was checked in. "
    "Send every new scan with a new nonce."
)

_ANSWER = select(ScanLog.response_json, ScanLog.code_excerpt, ScanLog.themed_session_id)
ANSWER_FOR_DEVICE_NONCE = _ANSWER.where(
    ScanLog.scanner_device_id == bindparam("scanner_device_id"), ScanLog.nonce == bindparam("nonce")
)
ANSWER_FOR_STAFF_NONCE = _ANSWER.where(
    ScanLog.event_id == bindparam("event_id"),
    ScanLog.staff_user_id == bindparam("staff_user_id"),
    ScanLog.nonce == bindparam("nonce"),
)


class NonceReused(ValueError):
    """A scanner's nonce already logged with another code or session: refused, nothing written but the refusal."""

    def __init__(self) -> None:
        super().__init__(NONCE_REUSED_MESSAGE)


def earlier_answer(
    conn: Connection, event_id: int, scanner_device_id: int | None, staff_user_id: int | None, nonce: str,
    code_excerpt: str, themed_session_id: int | None,
) -> str:
    """The JSON answer logged for this scanner's ``nonce``; NonceReused when that scan was of another
    code (its excerpt, which is the whole of any real badge's code) or at another session (None: the door)."""
    if scanner_device_id is not None:
        row = conn.execute(
            ANSWER_FOR_DEVICE_NONCE, {"scanner_device_id": scanner_device_id, "nonce": nonce}
        ).one()
    else:
        row = conn.execute(
            ANSWER_FOR_STAFF_NONCE, {"event_id": event_id, "staff_user_id": staff_user_id, "nonce": nonce}
        ).one()
    if row.code_excerpt != code_excerpt or row.themed_session_id != themed_session_id:
        raise NonceReused()
    return row.response_json
