"""Outgoing mail: queue it in the caller's transaction, deliver it later with retries, never twice at once.

The life of a mail
------------------
``queue_mail()`` adds a PENDING ``OutboundMail`` to ``db.session`` and does not commit: it is written in
the same transaction as the registration that caused it, so a mail server that is down loses nothing
and a registration that is rolled back sends nothing.

``deliver_pending()`` sends what is due. For each mail it uses three short transactions on a session of
its own (never the caller's, so it can neither commit nor roll back the caller's work):

1. claim: pick the next due mail (PostgreSQL: ``SELECT ... FOR UPDATE SKIP LOCKED``, so two deliverers
   pass each other instead of queueing) and, with a conditional ``UPDATE ... WHERE status = 'pending'
   AND next_attempt_at <= now`` (which is all SQLite needs: it serialises writers, and only one of two
   racing updates matches), count the attempt, clear last_error and push next_attempt_at out by a lease
   (MAIL_CLAIM_SECONDS, default 10 minutes). Commit. No other deliverer can now pick it up;
2. send it, outside any transaction, so a slow mail server never holds a lock or blocks a registration;
3. record the outcome: SENT with sent_at, or last_error and next_attempt_at = now + backoff
   (1, 5, 15, 60 minutes, 3, 6, 12 hours), or FAILED once MAIL_MAX_ATTEMPTS (default 8) attempts have
   failed, or at once if the server refused the message permanently (a 5xx for the recipient).

A deliverer that dies between 1 and 3 leaves the mail claimed; the lease runs out and it is tried again
(so delivery is at least once: a crash after the server said 250 but before step 3 resends). While a mail
is claimed it is PENDING with attempts > 0 and no last_error: ``retry_now()`` leaves such mail alone, so
an organiser pressing "retry" cannot make a second deliverer send a mail that is being sent.

When the server itself is the problem (refused connection, timeout, login refused) the run stops after
that one attempt and leaves the rest queued: a mail server that is down costs one timeout, not one per mail.

Delivering right after a request: ``soon.deliver_soon()``
----------------------------------------------------
Call it after the commit that queued mail. With REDIS_URL set it puts one delivery job on the queue for
the `flask --app wsgi worker` processes (a job already waiting is not queued twice). Otherwise, by default
(MAIL_DELIVERY = "background") it starts a
background thread that delivers pending mail while the response goes out, at most one such thread per
process (a call while one runs asks it to go round once more). Why a thread rather than delivering
inline: the person registering should not wait for an SMTP handshake, and a mail server that is slow
or black-holed would otherwise hold their request for MAIL_TIMEOUT_SECONDS; why not a queue worker: the
app has none to run, and nothing is lost without one, because the mail is already committed in the
database and whatever the thread does not finish (process exit, failures) stays pending for the next
request's thread or ``flask mail deliver`` (run it from cron every few minutes in production so that
retries happen on schedule even when no one registers). With MAIL_DELIVERY = "inline" (the default
under TESTING, so tests are deterministic) it delivers in the calling thread; "off" leaves everything
to the CLI. Either way every exception is caught and logged: mail never turns a request into a 500.

Attachments
-----------
Files a mail carries (the badge, the calendar) come from providers other features register; see attachments.py.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from functools import cache

from flask import current_app
from sqlalchemy import and_, bindparam, func, select, update
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import Event, MailStatus, OutboundMail, Registration, utcnow
from .attachments import ATTACHMENT_PROVIDERS, BADGE, Attachment, attachments_for
from .transport import MailDeliveryError, Transport, make_transport

log = logging.getLogger(__name__)

# Minutes to wait after the 1st, 2nd, ... failed attempt; the last figure repeats.
BACKOFF_MINUTES = (1, 5, 15, 60, 180, 360, 720)
DEFAULT_MAX_ATTEMPTS = 8
DEFAULT_CLAIM_SECONDS = 600



# Work every delivery run does first, each `(now) -> object` on a session of its own: the event reminders, the
# retention job. Registered by the features that own them; one failing is logged and the mail still goes.
BEFORE_DELIVERY: dict[str, Callable[[datetime], object]] = {}


# Kinds whose text holds a secret that must not outlive its sending (a single-use password link, whose secret is
# otherwise stored only hashed): once sent, the stored text is replaced by FORGOTTEN_TEXT. Filled by the features
# that send them.
FORGET_TEXT_AFTER_SENDING: set[str] = set()
FORGOTTEN_TEXT = "(Removed once sent: it held a single-use link.)"


class MailAddressError(ValueError):
    """A recipient or subject that cannot go into a mail header."""


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0  # failed this time, will be tried again
    gave_up: int = 0  # failed for the last time: now FAILED
    stopped: str | None = None  # the reason the run stopped early (the server is down), leaving mail queued
    errors: list[str] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return self.retrying + self.gave_up

    @property
    def attempted(self) -> int:
        return self.sent + self.failed

    def summary(self) -> str:
        if not self.attempted:
            return "No mail was due to be sent."
        parts = [f"Sent {self.sent} mail{'s' if self.sent != 1 else ''}."]
        if self.retrying:
            parts.append(f"{self.retrying} could not be sent and will be tried again.")
        if self.gave_up:
            parts.append(f"{self.gave_up} failed for good.")
        if self.stopped:
            parts.append(f"Stopped: {self.stopped} The rest stay queued.")
        elif self.errors:
            parts.append(f"Last error: {self.errors[-1]}")
        return " ".join(parts)


def tidy_subject(subject: str) -> str:
    """One line (a newline in a header would be refused at send time), at most 300 characters."""
    subject = " ".join(subject.split())
    return subject[:299] + "…" if len(subject) > 300 else subject


def mail_row(kind: str, recipient: str, subject: str, body_text: str, event_id: int | None,
              registration_id: int | None, attach_badge: bool, body_html: str | None = None) -> dict:
    """The columns of a PENDING mail, checked: a recipient that is not one address is refused here."""
    recipient = recipient.strip()
    _, address = parseaddr(recipient)
    if not address or "@" not in address or any(c in recipient for c in "\r\n") or len(recipient) > 254:
        raise MailAddressError(f"Not a mail address: {recipient!r}")
    now = utcnow()
    return dict(kind=kind[:40], recipient=recipient, subject=tidy_subject(subject), body_text=body_text,
                body_html=body_html, event_id=event_id, registration_id=registration_id, attach_badge=attach_badge,
                status=MailStatus.PENDING, attempts=0, next_attempt_at=now, created_at=now)


def queue_mail(
    kind: str,
    recipient: str,
    subject: str,
    body_text: str,
    event: Event | None = None,
    registration: Registration | None = None,
    attach_badge: bool = False,
    body_html: str | None = None,
) -> OutboundMail:
    """Add a PENDING mail to db.session without committing; the caller commits it with its own work.

    Flushes when `registration` or `event` has no id yet (created in this same transaction), so that
    the mail can point at it.
    """
    if (registration is not None and registration.id is None) or (event is not None and event.id is None):
        db.session.flush()
    event_id = event.id if event is not None else (registration.event_id if registration is not None else None)
    mail = OutboundMail(**mail_row(kind, recipient, subject, body_text, event_id,
                                    registration.id if registration is not None else None, attach_badge,
                                    body_html))
    db.session.add(mail)
    return mail


def backoff(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt."""
    return timedelta(minutes=BACKOFF_MINUTES[min(max(attempts, 1), len(BACKOFF_MINUTES)) - 1])


def build_message(mail: OutboundMail, sender: str, attachments: Sequence[Attachment] = ()) -> EmailMessage:
    """An RFC 5322 message: UTF-8 throughout (headers are encoded words, the body quoted-printable)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(utcnow())
    # Stable per mail, so that a resend after a crash can be recognised as the same message.
    domain = parseaddr(sender)[1].rpartition("@")[2] or "eventapp.local"
    message["Message-ID"] = f"<eventapp.{mail.id}.{mail.created_at:%Y%m%d%H%M%S}@{domain}>"
    message.set_content(mail.body_text, charset="utf-8", cte="quoted-printable")
    if mail.body_html:
        message.add_alternative(mail.body_html, subtype="html", charset="utf-8", cte="quoted-printable")
    for attachment in attachments:
        maintype, _, subtype = attachment.mimetype.partition("/")
        message.add_attachment(attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename)
    return message


def deliver_pending(limit: int | None = None, now: datetime | None = None,
                    transport: Transport | None = None, housekeeping: bool = True) -> DeliveryReport:
    """Send due PENDING mail (next_attempt_at <= now), each claimed, sent and recorded on its own.

    `now` fixes the clock for the whole run (tests use it to step past a backoff); `transport` defaults to
    the one the app's settings describe; `housekeeping` False skips the work registered in BEFORE_DELIVERY.
    Needs an app context. Never raises for a mail that cannot be
    sent; a database error does propagate (the mail stays claimed and is retried when its lease ends).
    """
    config = current_app.config
    fixed_now = now
    now = now or utcnow()
    clock = (lambda: fixed_now) if fixed_now is not None else utcnow
    max_attempts = int(config.get("MAIL_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))
    lease = timedelta(seconds=float(config.get("MAIL_CLAIM_SECONDS", DEFAULT_CLAIM_SECONDS)))
    sender = config["MAIL_DEFAULT_SENDER"]
    own_transport = transport is None
    transport = transport or make_transport(config)
    report = DeliveryReport()
    if housekeeping:
        _before_delivery(now)
    try:
        with Session(db.engine, expire_on_commit=False) as session:
            while limit is None or report.attempted < limit:
                mail = _claim_next(session, now, clock() + lease)
                if mail is None:
                    break
                try:
                    message = build_message(mail, sender, attachments_for(mail))
                    transport.send(message, name=f"{clock():%Y%m%dT%H%M%S}-mail{mail.id}-{mail.kind}")
                except Exception as error:
                    failure = error if isinstance(error, MailDeliveryError) else MailDeliveryError(
                        f"Could not send the mail: {type(error).__name__}: {error}")
                    if not isinstance(error, MailDeliveryError):
                        log.exception("Unexpected error sending mail %s", mail.id)
                    gave_up = _record_failure(session, mail, failure, clock(), max_attempts)
                    report.errors.append(failure.reason)
                    if gave_up:
                        report.gave_up += 1
                    else:
                        report.retrying += 1
                    if failure.server_problem:
                        report.stopped = failure.reason
                        break
                else:
                    _record_success(session, mail, clock())
                    report.sent += 1
    finally:
        if own_transport:
            transport.close()
    return report


def _before_delivery(now: datetime) -> None:
    for name, task in list(BEFORE_DELIVERY.items()):
        try:
            task(now)
        except Exception:
            log.exception("Before delivering mail, %s failed; delivering all the same", name)


def _due(now: datetime):
    return and_(OutboundMail.status == MailStatus.PENDING, OutboundMail.next_attempt_at <= now)


def _claim_next(session: Session, now: datetime, lease_ends: datetime) -> OutboundMail | None:
    """Claim the next mail due at `now` for this deliverer until `lease_ends` (counted from the moment of the
    claim, not from the start of the run: a long run must not hand out leases that have already run out)."""
    pick = (
        select(OutboundMail.id)
        .where(_due(now))
        .order_by(OutboundMail.next_attempt_at, OutboundMail.id)
        .limit(1)
        .with_for_update(skip_locked=True)  # PostgreSQL; SQLite renders nothing and serialises writers
    )
    for _ in range(100):  # another deliverer may win the same row on SQLite; then look again
        mail_id = session.execute(pick).scalar()
        if mail_id is None:
            session.rollback()
            return None
        claimed = session.execute(
            update(OutboundMail)
            .where(OutboundMail.id == mail_id, _due(now))
            .values(attempts=OutboundMail.attempts + 1, last_error=None, next_attempt_at=lease_ends)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount == 1:
            mail = session.get(OutboundMail, mail_id, populate_existing=True)
            session.commit()
            return mail
        session.rollback()
    return None


@cache
def _mark_sent():
    """Built once: the statement every mail sent runs."""
    mails = OutboundMail.__table__
    return (
        update(mails)
        .where(mails.c.id == bindparam("mail_id"), mails.c.status == MailStatus.PENDING)
        .values(status=MailStatus.SENT, sent_at=bindparam("at"), last_error=None)
    )


def _record_success(session: Session, mail: OutboundMail, at: datetime) -> None:
    session.execute(_mark_sent(), {"mail_id": mail.id, "at": at})
    if mail.kind in FORGET_TEXT_AFTER_SENDING:
        session.execute(update(OutboundMail).where(OutboundMail.id == mail.id)
                        .values(body_text=FORGOTTEN_TEXT, body_html=None)
                        .execution_options(synchronize_session=False))
    session.commit()


def _record_failure(session: Session, mail: OutboundMail, failure: MailDeliveryError, at: datetime,
                    max_attempts: int) -> bool:
    gave_up = failure.permanent or mail.attempts >= max_attempts
    values: dict = {"last_error": failure.reason}
    if gave_up:
        values["status"] = MailStatus.FAILED
        log.error("Mail %s to %s failed for good after %d attempt(s): %s",
                  mail.id, mail.recipient, mail.attempts, failure.reason)
    else:
        values["next_attempt_at"] = at + backoff(mail.attempts)
        log.warning("Mail %s to %s not sent (attempt %d), will retry: %s",
                    mail.id, mail.recipient, mail.attempts, failure.reason)
    session.execute(
        update(OutboundMail)
        .where(OutboundMail.id == mail.id, OutboundMail.status == MailStatus.PENDING)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return gave_up


def _in_flight():
    """Claimed by a deliverer right now: the claim counts the attempt and clears last_error."""
    return and_(OutboundMail.status == MailStatus.PENDING, OutboundMail.attempts > 0,
                OutboundMail.last_error.is_(None))


def retry_now(include_failed: bool = False, now: datetime | None = None) -> int:
    """Make waiting mail due now (and FAILED mail PENDING again if asked); commits; returns how many changed.

    A FAILED mail keeps its attempt count, so one more failure makes it FAILED again rather than
    starting a new series of retries.
    """
    now = now or utcnow()
    changed = db.session.execute(
        update(OutboundMail)
        .where(OutboundMail.status == MailStatus.PENDING, OutboundMail.next_attempt_at > now,
               ~_in_flight())
        .values(next_attempt_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if include_failed:
        changed += db.session.execute(
            update(OutboundMail)
            .where(OutboundMail.status == MailStatus.FAILED)
            .values(status=MailStatus.PENDING, next_attempt_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
    db.session.commit()
    return changed


@dataclass(frozen=True)
class MailOverview:
    unsent: list[OutboundMail]  # failed first, then pending, oldest first; at most `limit`
    pending: int
    failed: int
    sent: int

    @property
    def unsent_total(self) -> int:
        return self.pending + self.failed


def count_by_status() -> dict[MailStatus, int]:
    rows = db.session.execute(select(OutboundMail.status, func.count()).group_by(OutboundMail.status))
    counts = dict.fromkeys(MailStatus, 0)
    counts.update({status: n for status, n in rows})
    return counts


def mail_overview(limit: int = 500) -> MailOverview:
    counts = count_by_status()
    unsent = db.session.execute(
        select(OutboundMail)
        .where(OutboundMail.status.in_([MailStatus.PENDING, MailStatus.FAILED]))
        .order_by((OutboundMail.status == MailStatus.FAILED).desc(), OutboundMail.created_at, OutboundMail.id)
        .limit(limit)
    ).scalars().all()
    return MailOverview(unsent=list(unsent), pending=counts[MailStatus.PENDING],
                        failed=counts[MailStatus.FAILED], sent=counts[MailStatus.SENT])


def list_mail(status: MailStatus | None = None, limit: int | None = None) -> list[OutboundMail]:
    query = select(OutboundMail).order_by(OutboundMail.created_at, OutboundMail.id)
    if status is not None:
        query = query.where(OutboundMail.status == status)
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.execute(query).scalars())


def is_in_flight(mail: OutboundMail) -> bool:
    return mail.status == MailStatus.PENDING and mail.attempts > 0 and mail.last_error is None


__all__ = [
    "ATTACHMENT_PROVIDERS",
    "BADGE",
    "BEFORE_DELIVERY",
    "FORGET_TEXT_AFTER_SENDING",
    "DeliveryReport",
    "MailAddressError",
    "MailOverview",
    "backoff",
    "build_message",
    "deliver_pending",
    "is_in_flight",
    "list_mail",
    "mail_overview",
    "queue_mail",
    "retry_now",
]
