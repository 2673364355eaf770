"""Group messages: checked (placeholders from the fixed set only), previewed with a real attendee's data, tried on
oneself, then sent as a job that queues one copy per attendee in the outbox and delivers them with progress. The
outbox rows are the log: who, what, when, delivered or failed."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select, update

from ..extensions import db
from ..mail import placeholders
from ..mail.service import deliver_pending, mail_row, queue_mail
from ..mail.soon import deliver_soon
from ..models import Event, GroupMessage, MailStatus, OutboundMail, Registration, StaffRole, StaffUser
from ..registration.addresses import mail_recipient
from ..rules import RuleBroken
from . import audiences
from .audiences import Audience

JOB_KIND = "group_message"
QUEUE_BATCH = 500
DELIVERY_BATCH = 200


class MessageRefused(RuleBroken):
    pass


@dataclass(frozen=True)
class Draft:
    audience: Audience
    subject: str
    body: str
    attach_calendar: bool = False

    @property
    def kind(self) -> str:
        return "message_calendar" if self.attach_calendar else "message"


@dataclass(frozen=True)
class Rendered:
    recipient: Registration | None
    subject: str
    body: str


def check(event: Event, draft: Draft) -> None:
    """Raise MessageRefused, with the field it is about, for a draft that cannot be sent."""
    for field, text in (("subject", draft.subject), ("body", draft.body)):
        unknown = placeholders.unknown_placeholders(text)
        if unknown:
            names = ", ".join("{{ " + name + " }}" for name in unknown)
            raise MessageRefused(f"Unknown placeholder{'s' if len(unknown) > 1 else ''}: {names}. Use only the "
                                 "placeholders listed.", field=field)
    if draft.audience.kind == audiences.SESSION and audiences.valid_session(event, draft.audience.themed_session_id
                                                                            ) is None:
        raise MessageRefused("Choose one of the event's themed sessions.", field="themed_session")
    if draft.audience.kind == audiences.SELECTION and not draft.audience.selection:
        raise MessageRefused("Nobody is picked: pick people on the registrations list first.", field="audience")


def render_for(registration: Registration, draft: Draft) -> tuple[str, str]:
    context = placeholders.context_for(registration)
    return placeholders.render(draft.subject, context), placeholders.render(draft.body, context)


def preview(event: Event, draft: Draft) -> Rendered:
    """The message as its first recipient would get it (or with the placeholders as written when nobody is in
    the group yet)."""
    check(event, draft)
    registration = audiences.first(event, draft.audience)
    if registration is None:
        return Rendered(None, draft.subject, draft.body)
    subject, body = render_for(registration, draft)
    return Rendered(registration, subject, body)


def send_test(event: Event, draft: Draft, to: StaffUser) -> Rendered:
    """The preview, mailed to the organiser themself. Commits."""
    rendered = preview(event, draft)
    queue_mail("message_test", to.email, "[Test] " + rendered.subject, rendered.body, event=event)
    db.session.commit()
    deliver_soon()
    return rendered


def start_sending(event: Event, draft: Draft, confirmed_count: int, by: StaffUser) -> GroupMessage:
    """Record the message and start the job that sends it, if it still reaches the number the organiser
    confirmed; otherwise MessageRefused (the group changed: they are asked again)."""
    from ..jobs.service import submit

    check(event, draft)
    reach = audiences.count(event, draft.audience)
    if reach != confirmed_count:
        raise MessageRefused(f"The group has changed: it is now {reach} {'person' if reach == 1 else 'people'}. "
                             "Check and confirm again.")
    if reach == 0:
        raise MessageRefused("Nobody is in this group: there is no one to send it to.", field="audience")
    message = GroupMessage(event_id=event.id, audience=draft.audience.kind,
                           themed_session_id=draft.audience.themed_session_id, subject=draft.subject,
                           body=draft.body, attach_calendar=draft.attach_calendar, recipients=0,
                           created_by_id=by.id)
    db.session.add(message)
    db.session.commit()
    job = submit(JOB_KIND, {"message": message.id, "selection": list(draft.audience.selection)}, event=event, by=by)
    message.job_id = job.id
    db.session.commit()
    return message


def _queue_copies(message: GroupMessage, draft: Draft, progress) -> int:
    """One outbox row per attendee of the group, a batch per transaction; returns how many."""
    event_id, message_id = message.event_id, message.id
    total = audiences.count(db.session.get(Event, event_id), draft.audience)
    queued, after = 0, 0
    insert = OutboundMail.__table__.insert()
    while True:
        event = db.session.get(Event, event_id)  # again after each batch: the session is emptied below
        ids = audiences.ids_after(event, draft.audience, after, QUEUE_BATCH)
        if not ids:
            break
        rows = []
        for registration in db.session.execute(select(Registration).where(Registration.id.in_(ids))
                                               .order_by(Registration.id)).scalars():
            subject, body = render_for(registration, draft)
            rows.append({**mail_row(draft.kind, mail_recipient(registration.email), subject, body, event.id,
                                    registration.id, False), "group_message_id": message_id})
        db.session.execute(insert, rows)
        queued += len(rows)
        db.session.execute(update(GroupMessage).where(GroupMessage.id == message_id).values(recipients=queued))
        db.session.commit()
        db.session.expunge_all()  # a batch's attendees are not kept for the next
        after = ids[-1]
        progress(queued, total, f"Queued {queued} of {total}")
    return queued


def outcome_counts(message_id: int) -> dict[MailStatus, int]:
    counts = dict.fromkeys(MailStatus, 0)
    counts.update(dict(db.session.execute(select(OutboundMail.status, func.count())
                                          .where(OutboundMail.group_message_id == message_id)
                                          .group_by(OutboundMail.status)).all()))
    return counts


def run_message_job(job, progress):
    from ..jobs.service import JobResult, params

    settings = params(job)
    message = db.session.get(GroupMessage, settings["message"])
    draft = Draft(Audience(message.audience, message.themed_session_id, tuple(settings.get("selection", ()))),
                  message.subject, message.body, message.attach_calendar)
    message_id = message.id
    total = _queue_copies(message, draft, progress)
    # MAIL_DELIVERY "off": the copies wait in the outbox for `flask mail deliver`, as all mail does then.
    while current_app.config.get("MAIL_DELIVERY") != "off":
        # Deliver, with the delivery's progress: stops when all are out or the server is down.
        report = deliver_pending(limit=DELIVERY_BATCH)
        counts = outcome_counts(message_id)
        done = counts[MailStatus.SENT] + counts[MailStatus.FAILED]
        progress(done, total, f"Sent {counts[MailStatus.SENT]} of {total}")
        if counts[MailStatus.PENDING] == 0 or report.attempted == 0 or report.stopped:
            break
    return JobResult(f"message-{message_id}-log.csv", "text/csv", log_csv(message_id))


def log_csv(message_id: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["recipient", "status", "queued_at", "sent_at", "error"])
    for mail in db.session.execute(select(OutboundMail).where(OutboundMail.group_message_id == message_id)
                                   .order_by(OutboundMail.id)).scalars():
        writer.writerow([mail.recipient, mail.status.value, mail.created_at.isoformat(),
                         mail.sent_at.isoformat() if mail.sent_at else "", mail.last_error or ""])
    return out.getvalue().encode("utf-8")


def history(event: Event) -> list[tuple[GroupMessage, dict[MailStatus, int]]]:
    messages = db.session.execute(select(GroupMessage).where(GroupMessage.event_id == event.id)
                                  .order_by(GroupMessage.created_at.desc(), GroupMessage.id.desc())).scalars().all()
    counts: dict[int, dict[MailStatus, int]] = {m.id: dict.fromkeys(MailStatus, 0) for m in messages}
    for message_id, status, n in db.session.execute(
            select(OutboundMail.group_message_id, OutboundMail.status, func.count())
            .where(OutboundMail.group_message_id.in_(list(counts) or [-1]))
            .group_by(OutboundMail.group_message_id, OutboundMail.status)):
        counts[message_id][status] = n
    return [(m, counts[m.id]) for m in messages]


def get_message(event: Event, message_id: int) -> GroupMessage | None:
    message = db.session.get(GroupMessage, message_id)
    return message if message is not None and message.event_id == event.id else None


def message_log(message: GroupMessage, limit: int = 1000) -> list[tuple[OutboundMail, str]]:
    """Each copy of the message, with the attendee's name."""
    return list(db.session.execute(
        select(OutboundMail, Registration.full_name).join(Registration, Registration.id == OutboundMail.registration_id)
        .where(OutboundMail.group_message_id == message.id).order_by(OutboundMail.id).limit(limit)).all())


def register_job_kinds() -> None:
    """Group messages' kind of background job (called once by create_app, with every feature's)."""
    from ..jobs.service import register_kind

    register_kind(JOB_KIND, run_message_job, (StaffRole.ADMIN,), "Group message")
