"""The two letters to staff: an invitation to choose a password, and a reset link. Queued in the caller's
transaction like every mail; the link is in the body only, which the outbox forgets once the mail is sent."""

from __future__ import annotations

from flask import current_app

from ..mail.service import queue_mail
from ..models import StaffUser

INVITATION, RESET = "staff_invitation", "password_reset"


def _queue(kind: str, user: StaffUser, subject: str, url: str, **context) -> None:
    body = current_app.jinja_env.get_template(f"auth/mail/{kind}.txt").render(user=user, url=url, **context)
    queue_mail(kind, user.email, subject, body)


def queue_invitation(user: StaffUser, url: str, by: StaffUser | None) -> None:
    _queue(INVITATION, user, "You are invited to eventapp: choose your password", url, by=by,
           role={"admin": "an admin", "checkin": "check-in staff", "report_editor": "a report editor"}[user.role])


def queue_reset(user: StaffUser, url: str) -> None:
    _queue(RESET, user, "Choose a new eventapp password", url)


def mail_server_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def register_integrations() -> None:
    from ..mail.service import FORGET_TEXT_AFTER_SENDING

    # The link's secret is stored only hashed: the mail that carries it keeps no copy once sent.
    FORGET_TEXT_AFTER_SENDING.update({INVITATION, RESET})
