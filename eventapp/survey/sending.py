"""Sending the survey through the outbox: to checked-in attendees not yet invited, and one reminder after N days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, exists, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..mail.service import mail_row
from ..models import (
    CheckIn,
    Event,
    OutboundMail,
    Registration,
    RegistrationStatus,
    Survey,
    SurveyInvitation,
    SurveyResponse,
    utcnow,
)
from ..templating import format_local_time
from .building import SurveyError, is_open

INVITATION = "survey"
REMINDER = "survey_reminder"


def survey_url(manage_secret: str) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/manage/{manage_secret}/survey"


def _checked_in():
    return and_(
        Registration.status == RegistrationStatus.CONFIRMED,
        exists().where(CheckIn.registration_id == Registration.id, CheckIn.undone_at.is_(None)),
    )


def _not_invited(survey: Survey):
    return ~exists().where(SurveyInvitation.survey_id == survey.id,
                           SurveyInvitation.registration_id == Registration.id)


def count_to_send(survey: Survey) -> int:
    from sqlalchemy import func

    return db.session.execute(
        select(func.count()).select_from(Registration)
        .where(Registration.event_id == survey.event_id, _checked_in(), _not_invited(survey))
    ).scalar_one()


def _letter(kind: str, survey: Survey, event: Event, full_name: str, manage_secret: str) -> str:
    return current_app.jinja_env.get_template(f"survey/mail/{kind}.txt").render(
        survey=survey, event=event, full_name=full_name, survey_url=survey_url(manage_secret),
        closes=format_local_time(survey.closes_at, event.timezone, "%A %d %B %Y, %H:%M") if survey.closes_at else None,
    )


def send_survey(survey: Survey, now: datetime | None = None) -> int:
    """Queue the survey mail to every checked-in attendee who has not had it; commits; returns how many."""
    now = now or utcnow()
    if not is_open(survey, now):
        raise SurveyError("The survey is closed: reopen it before sending it.")
    if not survey.questions:
        raise SurveyError("The survey has no questions yet.")
    event = survey.event
    people = db.session.execute(
        select(Registration.id, Registration.full_name, Registration.email, Registration.manage_secret)
        .where(Registration.event_id == event.id, _checked_in(), _not_invited(survey))
        .order_by(Registration.id)
    ).all()
    if not people:
        return 0
    subject = f"{survey.title}"
    mails, invitations = [], []
    for rid, full_name, email, secret in people:
        body = _letter(INVITATION, survey, event, full_name, secret)
        mails.append(mail_row(INVITATION, email, subject, body, event.id, rid, False))
        invitations.append({"survey_id": survey.id, "registration_id": rid, "sent_at": now})
    try:
        db.session.execute(insert(SurveyInvitation), invitations)
        db.session.execute(insert(OutboundMail), mails)
        db.session.commit()
    except IntegrityError as error:  # another send of the same survey got there first: it sent these
        db.session.rollback()
        raise SurveyError("The survey was being sent at the same moment by someone else. Look again.") from error
    return len(people)


@dataclass(frozen=True)
class ReminderReport:
    reminded: int
    surveys: int


def send_reminders(now: datetime | None = None, event: Event | None = None) -> ReminderReport:
    """One reminder to each invited person who has not answered once the survey's reminder_days have passed,
    for every open survey (or one event's). Commits; running it again reminds no one twice."""
    now = now or utcnow()
    query = select(Survey).where(Survey.reminder_days.is_not(None))
    if event is not None:
        query = query.where(Survey.event_id == event.id)
    reminded = surveys = 0
    for survey in db.session.execute(query).scalars().all():
        if not is_open(survey, now):
            continue
        due = now - timedelta(days=survey.reminder_days)
        people = db.session.execute(
            select(SurveyInvitation.id, Registration.id, Registration.full_name, Registration.email,
                   Registration.manage_secret)
            .join(Registration, Registration.id == SurveyInvitation.registration_id)
            .where(SurveyInvitation.survey_id == survey.id, SurveyInvitation.reminded_at.is_(None),
                   SurveyInvitation.sent_at <= due, Registration.status == RegistrationStatus.CONFIRMED,
                   ~exists().where(SurveyResponse.survey_id == survey.id,
                                   SurveyResponse.registration_id == Registration.id))
        ).all()
        if not people:
            continue
        mails = [mail_row(REMINDER, email, f"Reminder: {survey.title}",
                          _letter(REMINDER, survey, survey.event, full_name, secret), survey.event_id, rid, False)
                 for _, rid, full_name, email, secret in people]
        # Only rows still unreminded are marked; a concurrent run that marked them first makes this one stop.
        marked = db.session.execute(
            update(SurveyInvitation)
            .where(SurveyInvitation.id.in_([p[0] for p in people]), SurveyInvitation.reminded_at.is_(None))
            .values(reminded_at=now).execution_options(synchronize_session=False)
        ).rowcount
        if marked != len(people):
            db.session.rollback()
            continue
        db.session.execute(insert(OutboundMail), mails)
        db.session.commit()
        reminded += len(people)
        surveys += 1
    return ReminderReport(reminded=reminded, surveys=surveys)


def invitation_for(survey: Survey, registration: Registration) -> SurveyInvitation | None:
    return db.session.execute(
        select(SurveyInvitation).where(SurveyInvitation.survey_id == survey.id,
                                       SurveyInvitation.registration_id == registration.id)
    ).scalar_one_or_none()
