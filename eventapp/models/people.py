"""Who comes: registrations, their badges, ranked sessions and assignments."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..extensions import db
from ..registration.addresses import AddressError, email_key, normalise_email
from .events import Event, Organisation, ThemedSession
from .types import AssignmentMethod, RegistrationStatus, UTCDateTime, enum_type, utcnow


class Registration(db.Model):
    __tablename__ = "registration"
    __table_args__ = (
        # One live registration per mailbox per event: email_key is the normalised address lower-cased
        # (registration/addresses.py), so case, NFC/NFD and a domain typed as Unicode or xn-- all meet here.
        # A cancelled registration steps aside, so that its owner can register again.
        Index("uq_registration_event_email_key", "event_id", "email_key", unique=True,
              postgresql_where=text("status <> 'cancelled'"), sqlite_where=text("status <> 'cancelled'")),
        Index("ix_registration_event_status_queue", "event_id", "status", "waitlisted_at"),
        # The organiser's table, newest first, a page at a time.
        Index("ix_registration_event_created", "event_id", "created_at"),
        # The table's country filter lists the countries present: read from the index, not the rows.
        Index("ix_registration_event_country", "event_id", "country"),
        # Only the rows with an offer (open or lapsed, a few): the capacity rule counts the open ones without
        # reading the rest of a long waiting list.
        Index("ix_registration_event_offers", "event_id", "offer_expires_at",
              postgresql_where=text("offer_expires_at IS NOT NULL"), sqlite_where=text("offer_expires_at IS NOT NULL")),
        CheckConstraint("consent_privacy", name="privacy_consent_given"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    full_name: Mapped[str] = mapped_column(String(200))
    # The name the badge emphasises; defaults to the first word of the full name.
    given_name: Mapped[str | None] = mapped_column(String(100))
    family_name: Mapped[str | None] = mapped_column(String(100))  # for sorting badges by surname
    email: Mapped[str] = mapped_column(String(254))
    email_key: Mapped[str] = mapped_column(String(254))  # set with `email`, by _keep_email_normalised below
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    job_title: Mapped[str | None] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    accessibility_needs: Mapped[str | None] = mapped_column(Text)
    dietary_needs: Mapped[str | None] = mapped_column(Text)
    consent_privacy: Mapped[bool] = mapped_column(Boolean)
    consent_listed: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[RegistrationStatus] = mapped_column(enum_type(RegistrationStatus, "registration_status"))
    badge_secret: Mapped[str] = mapped_column(String(64), unique=True)
    manage_secret: Mapped[str] = mapped_column(String(64), unique=True)
    badge_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    badge_printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    waitlisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the waiting list's order
    offer_made_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the event's reminder queued: once only
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    preferences: Mapped[list[SessionPreference]] = relationship(
        back_populates="registration", order_by="SessionPreference.rank", cascade="all, delete-orphan"
    )
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="registration", cascade="all, delete-orphan"
    )

    @validates("email")
    def _keep_email_normalised(self, _name: str, address: str) -> str:
        """Whichever code sets an address (the service, the demo, an import) stores its normal form and the key
        the database keeps unique; an address that is not one is left for the form or service to refuse."""
        try:
            address = normalise_email(address)
        except AddressError:
            pass
        self.email_key = email_key(address)
        return address

    def __repr__(self) -> str:
        return f"<Registration {self.id} {self.status}>"


class ReplacedBadge(db.Model):
    """A badge secret that was re-issued: the scanner answers "badge replaced" instead of "unknown"."""

    __tablename__ = "replaced_badge"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"))
    badge_secret: Mapped[str] = mapped_column(String(64), unique=True)
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BadgeQr(db.Model):
    """A badge code's QR symbol as SVG, made once when the code is issued (or first printed) and kept.

    Keyed by the code itself, so a badge can only ever be drawn with the QR code of its current code:
    a code re-issued by any means simply has no row yet.
    """

    __tablename__ = "badge_qr"

    code: Mapped[str] = mapped_column(String(80), primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"), index=True)
    svg: Mapped[str] = mapped_column(Text)


class SessionPreference(db.Model):
    __tablename__ = "session_preference"
    __table_args__ = (
        UniqueConstraint("registration_id", "rank"),
        UniqueConstraint("registration_id", "themed_session_id"),
        CheckConstraint("rank >= 1 AND rank <= 20", name="rank_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"))
    themed_session_id: Mapped[int] = mapped_column(ForeignKey("themed_session.id", ondelete="CASCADE"))
    rank: Mapped[int] = mapped_column(Integer)

    registration: Mapped[Registration] = relationship(back_populates="preferences")
    themed_session: Mapped[ThemedSession] = relationship()


class Assignment(db.Model):
    __tablename__ = "assignment"
    __table_args__ = (
        UniqueConstraint("registration_id", "time_slot_id"),  # one session per person per slot
        ForeignKeyConstraint(
            ["themed_session_id", "time_slot_id"],
            ["themed_session.id", "themed_session.time_slot_id"],
            name="fk_assignment_session_slot",
            ondelete="CASCADE",
        ),
        Index("ix_assignment_themed_session_id", "themed_session_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"))
    themed_session_id: Mapped[int] = mapped_column(Integer)
    time_slot_id: Mapped[int] = mapped_column(Integer)
    method: Mapped[AssignmentMethod] = mapped_column(enum_type(AssignmentMethod, "assignment_method"))
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    registration: Mapped[Registration] = relationship(back_populates="assignments")
    themed_session: Mapped[ThemedSession] = relationship(
        foreign_keys=[themed_session_id],
        primaryjoin="Assignment.themed_session_id == ThemedSession.id",
    )
