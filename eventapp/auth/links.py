"""Single-use links to choose a password: an invitation (72 hours) or a reset after "Forgot your password?".

The link carries a 256-bit secret from `secrets`; only its SHA-256 is stored, so a copy of the database opens no
account (the secret is long and random: a plain hash is enough, no salt or slow hash needed). A link works
once, until it expires, and only while its account is active; issuing a new link of the same kind ends the
ones before. Choosing the password ends every session of the account (set_password raises its
session_version), so whoever held the old password is logged out everywhere.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from ..extensions import db
from ..models import StaffToken, StaffTokenPurpose, StaffUser, utcnow
from .service import set_password

LIFETIME = {StaffTokenPurpose.INVITATION: timedelta(hours=72), StaffTokenPurpose.RESET: timedelta(hours=2)}


class LinkError(ValueError):
    """The link cannot be used: unknown, used, expired; the message says so to the person holding it."""


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def link_url(secret: str) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/password/{secret}"


def issue(user: StaffUser, purpose: StaffTokenPurpose, by: StaffUser | None = None,
          now: datetime | None = None) -> str:
    """A new link for `user` (not committed); earlier unused links of the same purpose stop working.
    Returns the secret, which is shown or mailed once and never stored."""
    now = now or utcnow()
    db.session.execute(
        update(StaffToken)
        .where(StaffToken.staff_user_id == user.id, StaffToken.purpose == purpose, StaffToken.used_at.is_(None))
        .values(used_at=now).execution_options(synchronize_session=False))
    secret = secrets.token_urlsafe(32)
    db.session.add(StaffToken(staff_user_id=user.id, purpose=purpose, token_hash=hash_secret(secret),
                              created_at=now, expires_at=now + LIFETIME[purpose],
                              created_by_id=by.id if by is not None else None))
    db.session.flush()
    return secret


def find(secret: str, now: datetime | None = None) -> StaffToken:
    """The usable link for this secret, or LinkError saying why not."""
    now = now or utcnow()
    if not secret or len(secret) > 100:
        raise LinkError("This link is not valid. Ask for a new one.")
    token = db.session.execute(
        select(StaffToken).where(StaffToken.token_hash == hash_secret(secret))).scalar_one_or_none()
    if token is None:
        raise LinkError("This link is not valid. Ask for a new one.")
    if token.used_at is not None:
        raise LinkError("This link has already been used. Ask for a new one if you need to.")
    if token.expires_at <= now:
        raise LinkError("This link has expired. Ask for a new one.")
    if not token.staff_user.active:
        raise LinkError("This account is deactivated. Ask an admin.")
    return token


def use(secret: str, password: str, now: datetime | None = None) -> StaffUser:
    """Set the password through the link and spend it, in one transaction (committed). The claim is a
    conditional UPDATE, so two uses of the same link at once cannot both succeed. StaffAccountError for a
    password that is too short (the link is then still unused)."""
    now = now or utcnow()
    token = find(secret, now)
    user = token.staff_user
    set_password(user, password)  # raises before anything is spent
    claimed = db.session.execute(
        update(StaffToken).where(StaffToken.id == token.id, StaffToken.used_at.is_(None))
        .values(used_at=now).execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        db.session.rollback()
        raise LinkError("This link has already been used. Ask for a new one if you need to.")
    # Every other link of the account (an older reset, the invitation) dies with this one.
    db.session.execute(
        update(StaffToken).where(StaffToken.staff_user_id == user.id, StaffToken.used_at.is_(None))
        .values(used_at=now).execution_options(synchronize_session=False))
    db.session.commit()
    return user


def request_reset(email: str) -> None:
    """"Forgot your password?": mail a reset link when `email` is an active staff account, and do nothing
    otherwise; the caller answers the same either way. Committed."""
    from .mails import queue_reset
    from .service import find_staff_by_email

    user = find_staff_by_email(email)
    if user is None or not user.active:
        db.session.rollback()
        return
    queue_reset(user, link_url(issue(user, StaffTokenPurpose.RESET)))
    db.session.commit()
