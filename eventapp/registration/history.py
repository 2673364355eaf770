"""A person's history for the organiser's page about them, read from what the app already keeps: the
registration's own dates, the letters sent to them, session assignments, badges replaced, and check-ins (undone
ones too). Of edits to their details only the last change to what their badge shows has a time (no table keeps
each edit, and the row's updated_at moves with any change, a printed badge included)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from ..badges.service import needing_a_print
from ..extensions import db
from ..models import (
    Assignment,
    CheckIn,
    MailStatus,
    OutboundMail,
    Registration,
    ReplacedBadge,
    StaffUser,
    ThemedSession,
    utcnow,
)

MAIL_KINDS = {
    "confirmed": "Confirmation", "waitlisted": "Waiting-list letter", "offer": "Offer of a place",
    "cancelled": "Cancellation letter", "manage_link": "Their link",
    "already_registered": "Their link (signed up again)",
    "assignment": "Session assignment", "reminder": "Reminder",
}


@dataclass(frozen=True)
class Entry:
    at: datetime
    kind: str  # registered, offer, change, mail, check-in, badge, assignment, cancelled
    text: str
    detail: str = ""
    problem: bool = False
    until: datetime | None = None  # an offer's deadline, shown in the event's time zone


def _staff_name(user: StaffUser | None) -> str:
    return (user.display_name or user.email) if user else ""


def person_history(registration: Registration) -> list[Entry]:
    """Everything known about this registration, oldest first (four queries)."""
    r = registration
    entries = [Entry(r.created_at, "registered", "Registered",
                     "on the waiting list" if r.waitlisted_at and abs(r.waitlisted_at - r.created_at) < timedelta(
                         seconds=5) else "")]
    if r.waitlisted_at and abs(r.waitlisted_at - r.created_at) >= timedelta(seconds=5):
        entries.append(Entry(r.waitlisted_at, "change", "Put on the waiting list"))
    if r.offer_made_at:
        expired = r.offer_expires_at is not None and r.offer_expires_at < utcnow()
        entries.append(Entry(r.offer_made_at, "offer", "Offered a place",
                             problem=expired and r.status.value == "waitlisted", until=r.offer_expires_at))
    if r.badge_changed_at and r.badge_changed_at - r.created_at > timedelta(seconds=5):
        reprint = r.id in needing_a_print([r.id])
        entries.append(Entry(r.badge_changed_at, "change", "Badge details changed (name, organisation or code)",
                             "the badge needs printing again" if reprint else ""))
    if r.badge_printed_at:
        entries.append(Entry(r.badge_printed_at, "badge", "Badge last printed"))
    if r.cancelled_at:
        entries.append(Entry(r.cancelled_at, "cancelled", "Cancelled"))
    for mail in db.session.execute(
        select(OutboundMail).where(OutboundMail.registration_id == r.id).order_by(OutboundMail.created_at)
    ).scalars():
        failed = mail.status == MailStatus.FAILED
        state = {"pending": "waiting to be sent"}.get(mail.status.value, mail.status.value)
        detail = f"“{mail.subject}” · {state}" + (f": {mail.last_error}" if failed and mail.last_error else "")
        entries.append(Entry(mail.sent_at or mail.created_at, "mail",
                             f"Mail: {MAIL_KINDS.get(mail.kind, mail.kind.replace('_', ' '))}", detail, failed))
    for assignment, title, by in db.session.execute(
        select(Assignment, ThemedSession.title, StaffUser)
        .join(ThemedSession, ThemedSession.id == Assignment.themed_session_id)
        .outerjoin(StaffUser, StaffUser.id == Assignment.assigned_by_id)
        .where(Assignment.registration_id == r.id)
    ):
        by_whom = _staff_name(by)
        entries.append(Entry(assignment.created_at, "assignment", f"Assigned to {title}",
                             f"{assignment.method.value}" + (f" by {by_whom}" if by_whom else "")))
    for replaced in db.session.execute(
        select(ReplacedBadge).where(ReplacedBadge.registration_id == r.id)
    ).scalars():
        entries.append(Entry(replaced.replaced_at, "badge", "Badge re-issued", "the old badge scans as replaced"))
    for check_in, title, by in db.session.execute(
        select(CheckIn, ThemedSession.title, StaffUser)
        .outerjoin(ThemedSession, ThemedSession.id == CheckIn.themed_session_id)
        .outerjoin(StaffUser, StaffUser.id == CheckIn.staff_user_id)
        .where(CheckIn.registration_id == r.id)
    ):
        where = f"Checked in at {title}" if title else "Checked in at the door"
        how = ", ".join(part for part in (check_in.method, check_in.device_label or _staff_name(by)) if part)
        entries.append(Entry(check_in.checked_in_at, "check-in", where, how))
        if check_in.undone_at:
            entries.append(Entry(check_in.undone_at, "check-in", f"{where}: undone"))
    return sorted(entries, key=lambda e: e.at)
