"""Staff accounts and the login throttle's failures."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .events import Organisation
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
