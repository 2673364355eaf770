"""The two letters to staff: an invitation to choose a password, and a reset link. Queued in the caller's
transaction like every mail; the link is in the body only (its secret is stored nowhere else)."""

from __future__ import annotations

from flask import current_app

from ..mail.service import queue_mail
from ..models import StaffUser


def _queue(kind: str, user: StaffUser, subject: str, url: str, **context) -> None:
    body = current_app.jinja_env.get_template(f"auth/mail/{kind}.txt").render(user=user, url=url, **context)
    queue_mail(kind, user.email, subject, body)


def queue_invitation(user: StaffUser, url: str, by: StaffUser | None) -> None:
    _queue("staff_invitation", user, "You are invited to eventapp: choose your password", url, by=by,
           role={"admin": "an admin", "checkin": "check-in staff", "report_editor": "a report editor"}[user.role])


def queue_reset(user: StaffUser, url: str) -> None:
    _queue("password_reset", user, "Choose a new eventapp password", url)


def mail_server_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))
