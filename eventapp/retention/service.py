"""Anonymising an event's attendees: what goes, what stays for the report, and the job that does it when due.

Goes: each registration's names, e-mail (replaced by a unique address that cannot receive mail), job title,
access and dietary needs, and its manage and badge secrets (replaced, so old links and badges stop working);
the free-text survey answers and the quotes picked from them; the scan log's stored answers (they name the
person); every outbox mail of the event with its .eml file in the development outbox; every finished job of
the event with its stored result (badge sheets, exports, reports, certificates: files that name people).
Stays: each registration's row with its status, country, organisation (and so its kind), session preferences
and assignments, check-ins, survey ratings and choices: every figure of the report.

Due ``privacy_retention_months`` after the event's end (in whole calendar months). The mail deliverer runs
``run_due`` before it sends (as it queues reminders), so no schedule of its own is needed; ``flask --app wsgi
retention run`` does the same by hand or from cron.
"""

from __future__ import annotations

import calendar
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import (
    Event,
    Job,
    JobStatus,
    OutboundMail,
    QuestionKind,
    Registration,
    ReplacedBadge,
    ScanLog,
    SurveyAnswer,
    SurveyQuestion,
    SurveyQuote,
    SurveyResponse,
    utcnow,
)
from ..tokens import new_badge_secret, new_manage_secret

log = logging.getLogger(__name__)

ANONYMOUS_NAME = "Anonymised attendee"
ANONYMOUS_DOMAIN = "anonymised.invalid"  # .invalid never resolves (RFC 2606): nothing can be sent there
TEXT_KINDS = (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT)


class RetentionError(Exception):
    """Anonymising cannot be done as asked; the message says why."""


@dataclass(frozen=True)
class Anonymised:
    event_name: str
    people: int
    answers: int
    mails: int
    files: int
    jobs: int

    def summary(self) -> str:
        return (f"{self.event_name}: the personal data of {self.people} "
                f"{'person' if self.people == 1 else 'people'} is anonymised; {self.answers} free-text "
                f"answer{'s' if self.answers != 1 else ''}, {self.mails} mail{'s' if self.mails != 1 else ''} "
                f"and {self.jobs} stored file{'s' if self.jobs != 1 else ''} removed.")


def add_months(moment: datetime, months: int) -> datetime:
    month0 = moment.month - 1 + months
    year, month = moment.year + month0 // 12, month0 % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def retention_ends(event: Event) -> datetime | None:
    if not event.privacy_retention_months:
        return None
    return add_months(event.ends_at, event.privacy_retention_months)


def people_affected(event: Event) -> int:
    return db.session.execute(select(func.count()).where(Registration.event_id == event.id)).scalar_one()


def anonymise(event_id: int, now: datetime | None = None) -> Anonymised:
    """Anonymise one event's attendees in one transaction on a session of its own; commits."""
    now = now or utcnow()
    with Session(db.engine, expire_on_commit=False) as session:
        claimed = session.execute(
            update(Event).where(Event.id == event_id, Event.anonymised_at.is_(None)).values(anonymised_at=now)
            .execution_options(synchronize_session=False)).rowcount
        event = session.get(Event, event_id)
        if event is None:
            raise RetentionError("That event no longer exists.")
        if not claimed:
            raise RetentionError(f"The attendees of {event.name} were already anonymised.")
        result = _anonymise(session, event, now)
        session.commit()
    files = _delete_outbox_files(result.mails)
    log.info("Anonymised event %s: %s", event_id, result)
    return Anonymised(event.name, result.people, result.answers, len(result.mails), files, result.jobs)


@dataclass
class _Done:
    people: int
    answers: int
    mails: list[int]
    jobs: int


def _anonymise(session: Session, event: Event, now: datetime) -> _Done:
    ids = session.execute(select(Registration.id).where(Registration.event_id == event.id)).scalars().all()
    if ids:
        session.execute(update(Registration), [
            {"id": rid, "full_name": f"{ANONYMOUS_NAME} {rid}", "given_name": None, "family_name": None,
             "email": f"attendee-{rid}@{ANONYMOUS_DOMAIN}", "email_key": f"attendee-{rid}@{ANONYMOUS_DOMAIN}",
             "job_title": None, "accessibility_needs": None,
             "dietary_needs": None, "consent_listed": False, "manage_secret": new_manage_secret(),
             "badge_secret": new_badge_secret(), "badge_changed_at": now, "updated_at": now}
            for rid in ids
        ])
    of_event = select(Registration.id).where(Registration.event_id == event.id)
    session.execute(delete(ReplacedBadge).where(ReplacedBadge.registration_id.in_(of_event)))
    free_text = (
        select(SurveyAnswer.id).join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .where(SurveyResponse.registration_id.in_(of_event), SurveyQuestion.kind.in_(TEXT_KINDS))
    )
    session.execute(delete(SurveyQuote).where(SurveyQuote.answer_id.in_(free_text)))
    answers = session.execute(update(SurveyAnswer).where(SurveyAnswer.id.in_(free_text), SurveyAnswer.text.is_not(None))
                              .values(text=None).execution_options(synchronize_session=False)).rowcount
    session.execute(update(ScanLog).where(ScanLog.event_id == event.id).values(response_json=None)
                    .execution_options(synchronize_session=False))
    of_mail = (OutboundMail.event_id == event.id) | OutboundMail.registration_id.in_(of_event)
    mails = session.execute(select(OutboundMail.id).where(of_mail)).scalars().all()
    session.execute(delete(OutboundMail).where(of_mail).execution_options(synchronize_session=False))
    jobs = session.execute(delete(Job).where(Job.event_id == event.id, Job.status.in_([JobStatus.DONE,
                                                                                      JobStatus.FAILED]))
                           .execution_options(synchronize_session=False)).rowcount
    return _Done(len(ids), answers, list(mails), jobs)


def _delete_outbox_files(mail_ids: list[int]) -> int:
    """The development outbox keeps each sent mail as a file named ...-mail<id>-<kind>.eml."""
    outbox = Path(current_app.config["INSTANCE_DIR"]) / "outbox"
    if not mail_ids or not outbox.is_dir():
        return 0
    wanted = {f"-mail{mail_id}-" for mail_id in mail_ids}
    removed = 0
    for path in outbox.glob("*.eml"):
        marker = path.name[path.name.find("-mail"):]
        if any(marker.startswith(w) for w in wanted):
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def run_due(now: datetime | None = None) -> list[Anonymised]:
    """Anonymise every event whose retention period is over. Run by the mail deliverer and the CLI."""
    now = now or utcnow()
    done = []
    with Session(db.engine) as session:
        due = [e.id for e in session.execute(select(Event).where(
            Event.anonymised_at.is_(None), Event.privacy_retention_months.is_not(None), Event.ends_at < now,
        )).scalars() if retention_ends(e) <= now]
    for event_id in due:
        try:
            done.append(anonymise(event_id, now))
        except RetentionError:
            continue  # another runner got there first
    return done


def register_integrations() -> None:
    from ..mail.service import BEFORE_DELIVERY

    BEFORE_DELIVERY["retention"] = run_due
