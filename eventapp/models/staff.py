"""Staff accounts, the events each may work on, their password links, the letters they edit, and the login
throttle's failures."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .events import Event, Organisation
from .types import StaffRole, UTCDateTime, enum_type, utcnow


class StaffUser(db.Model):
    __tablename__ = "staff_user"
    __table_args__ = (
        Index("uq_staff_user_lower_email", func.lower(text("email")), unique=True),
        # A report editor drafts for exactly one partner organisation; other roles belong to none.
        CheckConstraint(
            "(role = 'report_editor') = (organisation_id IS NOT NULL)", name="editor_has_organisation"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    display_name: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[StaffRole] = mapped_column(enum_type(StaffRole, "staff_role"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Part of the id every login's session carries; raised on logout, a new password or deactivation, which
    # ends every session (and every copy of its cookie) made before.
    session_version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))

    organisation: Mapped[Organisation | None] = relationship()
    events: Mapped[list[Event]] = relationship(secondary="staff_event", order_by="Event.starts_at")

    # Flask-Login's user protocol.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def has_role(self, *roles: StaffRole) -> bool:
        return self.active and (self.role == StaffRole.ADMIN or self.role in roles)

    @property
    def name(self) -> str:
        return self.display_name or self.email


class StaffTokenPurpose(enum.StrEnum):
    INVITATION = "invitation"  # choose a first password
    RESET = "reset"  # choose a new password after "Forgot your password?"


class StaffToken(db.Model):
    """A single-use link to choose a password: only the SHA-256 of its secret is kept, so a copy of the
    database opens no account. Used once (used_at), dead after expires_at."""

    __tablename__ = "staff_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[StaffTokenPurpose] = mapped_column(enum_type(StaffTokenPurpose, "staff_token_purpose"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex of the secret
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))

    staff_user: Mapped[StaffUser] = relationship(foreign_keys=[staff_user_id])


class StaffEvent(db.Model):
    """An event a staff member may work on. A check-in or report account with none may work on every event."""

    __tablename__ = "staff_event"

    staff_user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"), primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), primary_key=True)


class LetterTemplate(db.Model):
    """An organiser's own wording of one of the letters an event sends (confirmation, offer, ...). Without a
    row the built-in letter goes out. Written with the placeholders of mail/placeholders.py, never Jinja."""

    __tablename__ = "letter_template"
    __table_args__ = (UniqueConstraint("event_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)  # None: made from the text
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))


class LoginFailure(db.Model):
    """A failed login, kept for the throttling window; shared by every web server through the database."""

    __tablename__ = "login_failure"
    __table_args__ = (
        Index("ix_login_failure_email_at", "email", "at"),
        Index("ix_login_failure_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))  # lower-cased as typed; may not be a real account
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
