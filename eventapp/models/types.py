"""The column types every model uses: UTC times, enums stored as checked text; and the enums themselves."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

from sqlalchemy import (
    DateTime,
    Enum,
)
from sqlalchemy.types import TypeDecorator


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


def enum_type(cls: type[enum.Enum], name: str) -> Enum:
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
