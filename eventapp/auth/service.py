"""Staff accounts as plain functions: create, authenticate (with throttling), look up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from ..extensions import db
from ..models import LoginFailure, Organisation, StaffRole, StaffUser, utcnow
from .passwords import MIN_PASSWORD_LENGTH, check_password, hash_password

# One address may try several accounts (a shared office), so it gets more room than one account does.
ADDRESS_FAILURE_FACTOR = 5


class StaffAccountError(ValueError):
    """A staff account cannot be created or changed as asked; the message says why."""


@dataclass(frozen=True)
class LoginResult:
    user: StaffUser | None
    throttled_until: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.user is not None


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_staff_by_email(email: str) -> StaffUser | None:
    return db.session.execute(
        select(StaffUser).where(func.lower(StaffUser.email) == normalise_email(email))
    ).scalar_one_or_none()


def create_staff_user(
    email: str,
    password: str,
    role: StaffRole | str,
    organisation: Organisation | None = None,
    display_name: str | None = None,
) -> StaffUser:
    role = StaffRole(role)
    email = email.strip()
    if "@" not in email or len(email) > 254:
        raise StaffAccountError(f"{email!r} is not an e-mail address.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise StaffAccountError(f"The password must be at least {MIN_PASSWORD_LENGTH} characters long.")
    if role == StaffRole.REPORT_EDITOR and organisation is None:
        raise StaffAccountError("A report editor drafts for one partner organisation: name it with --organisation.")
    if role != StaffRole.REPORT_EDITOR and organisation is not None:
        raise StaffAccountError("Only report editors belong to an organisation.")
    if find_staff_by_email(email) is not None:
        raise StaffAccountError(f"There is already a staff account for {email}.")
    user = StaffUser(
        email=email,
        password_hash=hash_password(password),
        role=role,
        organisation=organisation,
        display_name=display_name,
    )
    db.session.add(user)
    db.session.flush()
    return user


def set_password(user: StaffUser, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise StaffAccountError(f"The password must be at least {MIN_PASSWORD_LENGTH} characters long.")
    user.password_hash = hash_password(password)


def throttled_until(email: str, address: str, max_failures: int, window: timedelta) -> datetime | None:
    """When the account or the address has failed too often within the window, the moment it may try again."""
    since = utcnow() - window
    email = normalise_email(email)
    for column, value, limit in (
        (LoginFailure.email, email, max_failures),
        (LoginFailure.address, address, max_failures * ADDRESS_FAILURE_FACTOR),
    ):
        count, oldest = db.session.execute(
            select(func.count(), func.min(LoginFailure.at)).where(column == value, LoginFailure.at > since)
        ).one()
        if count >= limit:
            # Conservative: the whole window from the oldest failure that still counts.
            return oldest + window
    return None


def authenticate(
    email: str, password: str, address: str, max_failures: int, window: timedelta
) -> LoginResult:
    until = throttled_until(email, address, max_failures, window)
    if until is not None:
        return LoginResult(user=None, throttled_until=until)
    user = find_staff_by_email(email)
    if user is not None and user.active and check_password(user.password_hash, password):
        user.last_login_at = utcnow()
        db.session.execute(delete(LoginFailure).where(LoginFailure.email == normalise_email(email)))
        db.session.commit()
        return LoginResult(user=user)
    if user is None:
        check_password(None, password)  # same cost as a real check
    db.session.add(LoginFailure(email=normalise_email(email)[:254], address=address[:64]))
    # Old failures are only noise once the window has passed.
    db.session.execute(delete(LoginFailure).where(LoginFailure.at < utcnow() - 4 * window))
    db.session.commit()
    return LoginResult(user=None, throttled_until=throttled_until(email, address, max_failures, window))


def load_user(user_id: str) -> StaffUser | None:
    if not user_id.isdigit():
        return None
    user = db.session.get(StaffUser, int(user_id))
    return user if user is not None and user.active else None
