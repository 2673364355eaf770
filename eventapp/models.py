"""The whole schema: typed SQLAlchemy 2.0 models, with the rules the database itself enforces."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    Enum,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from sqlalchemy.types import TypeDecorator

from .extensions import db
from .registration.addresses import AddressError, email_key, normalise_email


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Stores UTC and always hands back an aware datetime (SQLite forgets the zone, PostgreSQL keeps it)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; attach a time zone first")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    # Stored as the value text with a CHECK constraint: portable, readable in psql, no native type to migrate.
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class OrganisationKind(enum.StrEnum):
    GOVERNMENT = "government"
    NGO = "ngo"
    MULTILATERAL = "multilateral"
    FUNDER = "funder"
    ACADEMIC = "academic"
    PRIVATE = "private"
    OTHER = "other"

    @property
    def label(self) -> str:
        return ORGANISATION_KIND_LABELS[self]


ORGANISATION_KIND_LABELS = {
    OrganisationKind.GOVERNMENT: "Government / civil service",
    OrganisationKind.NGO: "NGO / civil society",
    OrganisationKind.MULTILATERAL: "Multilateral organisation",
    OrganisationKind.FUNDER: "Funder / donor",
    OrganisationKind.ACADEMIC: "Academic / research",
    OrganisationKind.PRIVATE: "Private sector",
    OrganisationKind.OTHER: "Other",
}


class EventState(enum.StrEnum):
    """An event's lifecycle: draft (staff only) -> published -> finished (check-in closed) -> archived (read-only)."""

    DRAFT = "draft"
    PUBLISHED = "published"
    FINISHED = "finished"
    ARCHIVED = "archived"


class PartnerRole(enum.StrEnum):
    CONVENOR = "convenor"
    FUNDER = "funder"


class RegistrationStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


class StaffRole(enum.StrEnum):
    ADMIN = "admin"
    CHECKIN = "checkin"
    REPORT_EDITOR = "report_editor"


class AssignmentMethod(enum.StrEnum):
    SOLVER = "solver"  # placed by the optimiser
    MANUAL = "manual"  # moved by an organiser: pinned
    LATE = "late"  # a late registration put in the best open seat


class SectionStatus(enum.StrEnum):
    DRAFT = "draft"
    READY = "ready"


class MailStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up after the retry limit; shown to organisers


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Organisation(db.Model):
    __tablename__ = "organisation"
    __table_args__ = (Index("uq_organisation_lower_name", func.lower(text("name")), unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str | None] = mapped_column(String(40))  # e.g. "KSG": how an event file names a lead
    kind: Mapped[OrganisationKind] = mapped_column(_enum(OrganisationKind, "organisation_kind"))
    country: Mapped[str | None] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    description: Mapped[str | None] = mapped_column(Text)
    website: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Organisation {self.name!r}>"


class EventPartner(db.Model):
    """An organisation's part in one event (convenor or funder), in the order the event lists them: the same
    organisation table attendees use, so a partner is a partner everywhere."""

    __tablename__ = "event_partner"

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), primary_key=True)
    role: Mapped[PartnerRole] = mapped_column(_enum(PartnerRole, "partner_role"))
    position: Mapped[int] = mapped_column(Integer, default=0)

    organisation: Mapped[Organisation] = relationship(lazy="joined")


class Event(db.Model):
    __tablename__ = "event"
    __table_args__ = (
        CheckConstraint("ends_at >= starts_at", name="ends_after_start"),
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
        CheckConstraint(
            "registration_closes_at IS NULL OR registration_opens_at IS NULL "
            "OR registration_closes_at > registration_opens_at",
            name="registration_window_ordered",
        ),
        CheckConstraint("waitlist_offer_hours > 0", name="offer_hours_positive"),
        CheckConstraint("privacy_retention_months IS NULL OR privacy_retention_months > 0",
                        name="retention_positive"),
        CheckConstraint("reminder_days >= 0 AND reminder_days <= 60", name="reminder_days_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    short_name: Mapped[str | None] = mapped_column(String(80))
    tagline: Mapped[str | None] = mapped_column(String(300))
    summary: Mapped[str | None] = mapped_column(Text)  # the description: Markdown, rendered sanitised
    opening: Mapped[str | None] = mapped_column(Text)  # programme notes, e.g. the minister who opens it
    state: Mapped[EventState] = mapped_column(_enum(EventState, "event_state"), default=EventState.DRAFT)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    venue: Mapped[str] = mapped_column(String(300))
    venue_address: Mapped[str | None] = mapped_column(Text)
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    capacity: Mapped[int | None] = mapped_column(Integer)  # None: unlimited
    # How many of its registrations are confirmed, kept by triggers on registration (migration 0003), so that
    # the capacity rule reads one number under the event's lock instead of counting thousands of rows. The
    # triggers write it: read it in SQL, never set it from Python (deferred, so a loaded event never carries a
    # copy that could go stale). A registration confirmed outside the service holds the event's row lock until
    # its transaction ends, as the service's own confirmations do.
    confirmed_count: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"), deferred=True)
    # Attendees may edit their details through the manage link until this moment (None: until the start).
    edit_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    waitlist_offer_hours: Mapped[int] = mapped_column(Integer, default=48)
    # The privacy notice's data controller, its contact address and how long data is kept (GDPR Art. 13).
    privacy_controller: Mapped[str | None] = mapped_column(String(300))
    privacy_contact: Mapped[str | None] = mapped_column(String(254))
    privacy_retention_months: Mapped[int | None] = mapped_column(Integer)
    # When the attendees' personal data was anonymised (retention over, or an admin's decision); None: not yet.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Confirmed attendees get a reminder this many days before the event's local start date; 0: no reminder.
    reminder_days: Mapped[int] = mapped_column(Integer, default=3, server_default=text("3"))
    assignment_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    report_introduction: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    partner_links: Mapped[list[EventPartner]] = relationship(
        order_by=EventPartner.position, cascade="all, delete-orphan"
    )
    time_slots: Mapped[list[TimeSlot]] = relationship(
        back_populates="event", order_by="TimeSlot.starts_at", cascade="all, delete-orphan"
    )
    themed_sessions: Mapped[list[ThemedSession]] = relationship(
        back_populates="event", order_by="ThemedSession.position", cascade="all, delete-orphan"
    )

    @property
    def convenors(self) -> list[Organisation]:
        return [link.organisation for link in self.partner_links if link.role == PartnerRole.CONVENOR]

    @property
    def funders(self) -> list[Organisation]:
        return [link.organisation for link in self.partner_links if link.role == PartnerRole.FUNDER]

    @property
    def funder(self) -> Organisation | None:
        """The first funder, for the pages and the report that name one."""
        funders = self.funders
        return funders[0] if funders else None

    @property
    def partners(self) -> list[Organisation]:
        return [link.organisation for link in self.partner_links]

    @property
    def start_date(self) -> date:
        from zoneinfo import ZoneInfo

        return self.starts_at.astimezone(ZoneInfo(self.timezone)).date()

    def __repr__(self) -> str:
        return f"<Event {self.slug}>"


class TimeSlot(db.Model):
    """A period of the day; the themed sessions that share a slot run in parallel."""

    __tablename__ = "time_slot"
    __table_args__ = (
        UniqueConstraint("event_id", "starts_at"),
        Index("uq_time_slot_event_label", "event_id", "label", unique=True),  # an event file names slots
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(120))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship(back_populates="time_slots")


class ThemedSession(db.Model):
    __tablename__ = "themed_session"
    __table_args__ = (
        UniqueConstraint("event_id", "title"),
        # Target of Assignment's composite key, so an assignment's slot always matches its session's slot.
        UniqueConstraint("id", "time_slot_id", name="uq_themed_session_id_slot"),
        CheckConstraint("capacity >= 0", name="capacity_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    time_slot_id: Mapped[int] = mapped_column(ForeignKey("time_slot.id"))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    lead_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    room: Mapped[str | None] = mapped_column(String(120))
    capacity: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)

    event: Mapped[Event] = relationship(back_populates="themed_sessions")
    time_slot: Mapped[TimeSlot] = relationship()
    lead_organisation: Mapped[Organisation] = relationship()

    def __repr__(self) -> str:
        return f"<ThemedSession {self.title!r}>"


class ProgrammeChange(db.Model):
    """A change to when or where something happens, made after attendees were told: who it affects is worked out
    when the organiser mails them (those assigned to the session, in the slot, or everyone for the event)."""

    __tablename__ = "programme_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    themed_session_id: Mapped[int | None] = mapped_column(ForeignKey("themed_session.id", ondelete="CASCADE"))
    time_slot_id: Mapped[int | None] = mapped_column(ForeignKey("time_slot.id", ondelete="CASCADE"))
    description: Mapped[str] = mapped_column(Text)  # e.g. "Room: Hall A -> Library"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    mailed_count: Mapped[int] = mapped_column(Integer, default=0)

    themed_session: Mapped[ThemedSession | None] = relationship()
    time_slot: Mapped[TimeSlot | None] = relationship()


class Registration(db.Model):
    __tablename__ = "registration"
    __table_args__ = (
        # One live registration per mailbox per event: email_key is the normalised address lower-cased
        # (registration/addresses.py), so case, NFC/NFD and a domain typed as Unicode or xn-- all meet here.
        # A cancelled registration steps aside, so that its owner can register again.
        Index("uq_registration_event_email_key", "event_id", "email_key", unique=True,
              postgresql_where=text("status <> 'cancelled'"), sqlite_where=text("status <> 'cancelled'")),
        Index("ix_registration_event_status_queue", "event_id", "status", "waitlisted_at"),
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
    status: Mapped[RegistrationStatus] = mapped_column(_enum(RegistrationStatus, "registration_status"))
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
    method: Mapped[AssignmentMethod] = mapped_column(_enum(AssignmentMethod, "assignment_method"))
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    registration: Mapped[Registration] = relationship(back_populates="assignments")
    themed_session: Mapped[ThemedSession] = relationship(
        foreign_keys=[themed_session_id],
        primaryjoin="Assignment.themed_session_id == ThemedSession.id",
    )


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
    role: Mapped[StaffRole] = mapped_column(_enum(StaffRole, "staff_role"))
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


class ReportSection(db.Model):
    __tablename__ = "report_section"

    id: Mapped[int] = mapped_column(primary_key=True)
    themed_session_id: Mapped[int] = mapped_column(
        ForeignKey("themed_session.id", ondelete="CASCADE"), unique=True
    )
    narrative: Mapped[str] = mapped_column(Text, default="")
    key_findings: Mapped[str] = mapped_column(Text, default="")
    lessons: Mapped[str] = mapped_column(Text, default="")
    open_questions: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[SectionStatus] = mapped_column(_enum(SectionStatus, "section_status"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))

    themed_session: Mapped[ThemedSession] = relationship()


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
    attach_badge: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[MailStatus] = mapped_column(_enum(MailStatus, "mail_status"))
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
    status: Mapped[JobStatus] = mapped_column(_enum(JobStatus, "job_status"))
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


# --- After the event: the feedback survey and certificates of attendance ----------------------------------------


class QuestionKind(enum.StrEnum):
    RATING = "rating"  # 1 to 5
    SINGLE = "single"  # one of the options
    MULTIPLE = "multiple"  # any of the options
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"

    @property
    def label(self) -> str:
        return QUESTION_KIND_LABELS[self]

    @property
    def has_options(self) -> bool:
        return self in (QuestionKind.SINGLE, QuestionKind.MULTIPLE)

    @property
    def is_text(self) -> bool:
        return self in (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT)


QUESTION_KIND_LABELS = {
    QuestionKind.RATING: "Rating from 1 to 5",
    QuestionKind.SINGLE: "One choice from a list",
    QuestionKind.MULTIPLE: "Any choices from a list",
    QuestionKind.SHORT_TEXT: "Short text (one line)",
    QuestionKind.LONG_TEXT: "Long text (paragraphs)",
}


class QuoteConsent(enum.StrEnum):
    NAMED = "named"  # may be quoted with their name
    ANONYMOUS = "anonymous"
    NO = "no"


class Survey(db.Model):
    """An event's feedback survey: one per event, sent to the people who came."""

    __tablename__ = "survey"
    __table_args__ = (
        CheckConstraint("reminder_days IS NULL OR (reminder_days >= 1 AND reminder_days <= 60)",
                        name="reminder_days_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    introduction: Mapped[str] = mapped_column(Text, default="")  # the letter's and the page's opening words
    ask_quote_consent: Mapped[bool] = mapped_column(Boolean, default=True)
    reminder_days: Mapped[int | None] = mapped_column(Integer)  # None: no reminder
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None: open until an organiser closes it
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship()
    questions: Mapped[list[SurveyQuestion]] = relationship(
        back_populates="survey", order_by="SurveyQuestion.position", cascade="all, delete-orphan"
    )


class SurveyQuestion(db.Model):
    __tablename__ = "survey_question"
    __table_args__ = (Index("ix_survey_question_survey_position", "survey_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[QuestionKind] = mapped_column(_enum(QuestionKind, "question_kind"))
    text: Mapped[str] = mapped_column(String(500))
    help: Mapped[str | None] = mapped_column(Text)
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    options_text: Mapped[str] = mapped_column(Text, default="")  # one option a line (single and multiple choice)
    # Set: a question about this themed session, asked only of the people who attended it.
    themed_session_id: Mapped[int | None] = mapped_column(ForeignKey("themed_session.id", ondelete="CASCADE"))

    survey: Mapped[Survey] = relationship(back_populates="questions")
    themed_session: Mapped[ThemedSession | None] = relationship()

    @property
    def options(self) -> list[str]:
        return [line.strip() for line in self.options_text.splitlines() if line.strip()]


class SurveyInvitation(db.Model):
    """The survey sent to one person (the mail is in the outbox), and its one reminder."""

    __tablename__ = "survey_invitation"
    __table_args__ = (UniqueConstraint("survey_id", "registration_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"), index=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SurveyResponse(db.Model):
    """One person's answers: one per survey and registration, whatever two browsers send at once."""

    __tablename__ = "survey_response"
    __table_args__ = (UniqueConstraint("survey_id", "registration_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"), index=True)
    quote_consent: Mapped[QuoteConsent | None] = mapped_column(_enum(QuoteConsent, "quote_consent"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    registration: Mapped[Registration] = relationship()
    answers: Mapped[list[SurveyAnswer]] = relationship(back_populates="response", cascade="all, delete-orphan")


class SurveyAnswer(db.Model):
    __tablename__ = "survey_answer"
    __table_args__ = (
        UniqueConstraint("response_id", "question_id"),
        CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 5)", name="rating_in_range"),
        Index("ix_survey_answer_question_id", "question_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("survey_response.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_question.id", ondelete="CASCADE"))
    rating: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str | None] = mapped_column(Text)  # text answers, and the chosen options one a line

    response: Mapped[SurveyResponse] = relationship(back_populates="answers")
    question: Mapped[SurveyQuestion] = relationship()

    @property
    def choices(self) -> list[str]:
        return [line for line in (self.text or "").splitlines() if line]


class SurveyQuote(db.Model):
    """An answer a partner picked to quote in its section; shown only as its author's consent allows then."""

    __tablename__ = "survey_quote"
    __table_args__ = (UniqueConstraint("answer_id", "themed_session_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("survey_answer.id", ondelete="CASCADE"))
    themed_session_id: Mapped[int] = mapped_column(ForeignKey("themed_session.id", ondelete="CASCADE"), index=True)
    picked_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    picked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    answer: Mapped[SurveyAnswer] = relationship()


class Certificate(db.Model):
    """A certificate of attendance; its code (a long random secret) verifies it on a public page."""

    __tablename__ = "certificate"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"), unique=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(String(300))

    registration: Mapped[Registration] = relationship()
