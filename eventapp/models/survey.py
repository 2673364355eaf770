"""After the event: the feedback survey and certificates of attendance."""

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
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .events import Event, ThemedSession
from .people import Registration
from .types import UTCDateTime, enum_type, utcnow


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
    kind: Mapped[QuestionKind] = mapped_column(enum_type(QuestionKind, "question_kind"))
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
    quote_consent: Mapped[QuoteConsent | None] = mapped_column(enum_type(QuoteConsent, "quote_consent"))
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
