"""The post-event report's sections as partner editors write them: the current text, every saved revision, and
each editor's autosaved draft."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .events import ThemedSession
from .staff import StaffUser
from .types import SectionStatus, UTCDateTime, enum_type, utcnow


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
    status: Mapped[SectionStatus] = mapped_column(enum_type(SectionStatus, "section_status"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    # Raised by one at every save, by a conditional UPDATE: a save from an older version is a conflict, not a loss.
    version: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))

    themed_session: Mapped[ThemedSession] = relationship()


class ReportRevision(db.Model):
    """Every saved version of a report section, with who saved it and when: the history to restore from."""

    __tablename__ = "report_revision"
    __table_args__ = (UniqueConstraint("section_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("report_section.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    narrative: Mapped[str] = mapped_column(Text, default="")
    key_findings: Mapped[str] = mapped_column(Text, default="")
    lessons: Mapped[str] = mapped_column(Text, default="")
    open_questions: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[SectionStatus] = mapped_column(enum_type(SectionStatus, "section_status"))
    saved_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    restored_from: Mapped[int | None] = mapped_column(Integer)  # the version a restore copied

    saved_by: Mapped[StaffUser | None] = relationship()


class ReportDraft(db.Model):
    """An editor's autosaved, unsaved text of a section: one row per editor and section, overwritten as they type
    (never a revision), gone when they save. `base_version` is the version they started from."""

    __tablename__ = "report_draft"
    __table_args__ = (UniqueConstraint("themed_session_id", "staff_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    themed_session_id: Mapped[int] = mapped_column(ForeignKey("themed_session.id", ondelete="CASCADE"))
    staff_user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"))
    base_version: Mapped[int] = mapped_column(Integer, default=0)
    narrative: Mapped[str] = mapped_column(Text, default="")
    key_findings: Mapped[str] = mapped_column(Text, default="")
    lessons: Mapped[str] = mapped_column(Text, default="")
    open_questions: Mapped[str] = mapped_column(Text, default="")
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
