"""What the app produces for people: outbound mail, the group messages organisers write, background jobs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .events import ThemedSession
from .staff import StaffUser
from .types import JobStatus, MailStatus, UTCDateTime, enum_type, utcnow


class OutboundMail(db.Model):
    """A mail to send: written in the same transaction as what caused it, so a dead mail server loses nothing."""

    __tablename__ = "outbound_mail"
    __table_args__ = (Index("ix_outbound_mail_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))  # confirmation, waitlisted, offer, cancelled, assignment...
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)  # an HTML alternative, when the letter has one
    attach_badge: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[MailStatus] = mapped_column(enum_type(MailStatus, "mail_status"))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set on the mails of a message an organiser wrote to a group: its log, one row per attendee.
    group_message_id: Mapped[int | None] = mapped_column(ForeignKey("group_message.id", ondelete="CASCADE"),
                                                         index=True)


class GroupMessage(db.Model):
    """A message an organiser wrote to a group of an event's attendees; each copy is an OutboundMail."""

    __tablename__ = "group_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    audience: Mapped[str] = mapped_column(String(40))  # messages/audiences.py: confirmed, waitlisted, session...
    themed_session_id: Mapped[int | None] = mapped_column(ForeignKey("themed_session.id", ondelete="SET NULL"))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    attach_calendar: Mapped[bool] = mapped_column(Boolean, default=False)
    recipients: Mapped[int] = mapped_column(Integer, default=0)  # how many it was sent to
    job_id: Mapped[str | None] = mapped_column(String(36))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    themed_session: Mapped[ThemedSession | None] = relationship()
    created_by: Mapped[StaffUser | None] = relationship()


class Job(db.Model):
    """A background job's state and result, in the database so that any web server can answer a poll."""

    __tablename__ = "job"
    __table_args__ = (CheckConstraint("done >= 0 AND total >= 0", name="progress_not_negative"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # uuid4: not guessable
    kind: Mapped[str] = mapped_column(String(40))  # badges, report, ...
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    params_json: Mapped[str] = mapped_column(Text, default="{}")
    status: Mapped[JobStatus] = mapped_column(enum_type(JobStatus, "job_status"))
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str | None] = mapped_column(String(300))
    error: Mapped[str | None] = mapped_column(Text)
    result_filename: Mapped[str | None] = mapped_column(String(200))
    result_mimetype: Mapped[str | None] = mapped_column(String(100))
    # Kept in the database so any server can hand it out; set only once the whole file is written.
    result_data: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Touched with every progress write: a running job with an old heartbeat lost its worker.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
