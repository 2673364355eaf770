"""At the door: scanner devices, check-ins and the scan log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    Index,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .events import ThemedSession
from .people import Registration
from .staff import StaffUser
from .types import UTCDateTime, utcnow


class ScannerDevice(db.Model):
    """A phone or scanner an admin has issued a check-in token to; revocable."""

    __tablename__ = "scanner_device"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex of the token
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CheckIn(db.Model):
    __tablename__ = "check_in"
    __table_args__ = (
        # One live door check-in per registration, and one live check-in per session; undone ones are kept.
        Index(
            "uq_check_in_door",
            "registration_id",
            unique=True,
            sqlite_where=text("themed_session_id IS NULL AND undone_at IS NULL"),
            postgresql_where=text("themed_session_id IS NULL AND undone_at IS NULL"),
        ),
        Index(
            "uq_check_in_session",
            "registration_id",
            "themed_session_id",
            unique=True,
            sqlite_where=text("themed_session_id IS NOT NULL AND undone_at IS NULL"),
            postgresql_where=text("themed_session_id IS NOT NULL AND undone_at IS NULL"),
        ),
        Index("ix_check_in_event_at", "event_id", "checked_in_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"))
    themed_session_id: Mapped[int | None] = mapped_column(
        ForeignKey("themed_session.id", ondelete="CASCADE")
    )  # None: the door
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    staff_user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    scanner_device_id: Mapped[int | None] = mapped_column(
        ForeignKey("scanner_device.id", ondelete="SET NULL")
    )
    device_label: Mapped[str | None] = mapped_column(String(120))
    method: Mapped[str] = mapped_column(String(16), default="scan")  # scan, typed, search
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))

    registration: Mapped[Registration] = relationship()
    themed_session: Mapped[ThemedSession | None] = relationship()
    staff_user: Mapped[StaffUser | None] = relationship(foreign_keys=[staff_user_id])


class ScanLog(db.Model):
    """Every scan, refused ones too: the audit log, and the memory that makes a retried scan idempotent."""

    __tablename__ = "scan_log"
    __table_args__ = (
        # A nonce is the scanner's own: unique per device, or per staff member at an event (one of the two ids is
        # set; NULLs never conflict). Shared by the event, a second device's nonce replayed someone else's answer.
        Index("uq_scan_log_device_nonce", "scanner_device_id", "nonce", unique=True,
              sqlite_where=text("nonce IS NOT NULL"), postgresql_where=text("nonce IS NOT NULL")),
        Index("uq_scan_log_staff_nonce", "event_id", "staff_user_id", "nonce", unique=True,
              sqlite_where=text("nonce IS NOT NULL"), postgresql_where=text("nonce IS NOT NULL")),
        Index("ix_scan_log_event_at", "event_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    code_excerpt: Mapped[str] = mapped_column(String(80))  # never the whole of a long or hostile input
    result: Mapped[str] = mapped_column(String(32))
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registration.id", ondelete="SET NULL"))
    themed_session_id: Mapped[int | None] = mapped_column(
        ForeignKey("themed_session.id", ondelete="SET NULL")
    )
    check_in_id: Mapped[int | None] = mapped_column(ForeignKey("check_in.id", ondelete="SET NULL"))
    staff_user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    scanner_device_id: Mapped[int | None] = mapped_column(
        ForeignKey("scanner_device.id", ondelete="SET NULL")
    )
    nonce: Mapped[str | None] = mapped_column(String(64))
    response_json: Mapped[str | None] = mapped_column(Text)  # what was answered, replayed for a retry
    # A scan made offline and synced later: when the device scanned it (``at`` is then the sync time) and what the
    # device answered then; both NULL for a scan answered online (checkin/sync.py).
    device_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    offline_result: Mapped[str | None] = mapped_column(String(32))
