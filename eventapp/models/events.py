"""An event and its programme: organisations and partners, time slots, themed sessions, programme changes."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
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
from .types import EventState, OrganisationKind, PartnerRole, UTCDateTime, enum_type, utcnow


class Organisation(db.Model):
    __tablename__ = "organisation"
    __table_args__ = (Index("uq_organisation_lower_name", func.lower(text("name")), unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str | None] = mapped_column(String(40))  # e.g. "KSG": how an event file names a lead
    kind: Mapped[OrganisationKind] = mapped_column(enum_type(OrganisationKind, "organisation_kind"))
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
    role: Mapped[PartnerRole] = mapped_column(enum_type(PartnerRole, "partner_role"))
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
    state: Mapped[EventState] = mapped_column(enum_type(EventState, "event_state"), default=EventState.DRAFT)
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
