"""Staff accounts as plain functions: create, authenticate (with throttling), look up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from ..extensions import db
from ..locking import hold_lock
from ..models import LoginFailure, Organisation, StaffRole, StaffUser, utcnow
from ..registration.addresses import AddressError
from ..registration.addresses import normalise_email as normalise_address
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


def checked_email(email: str) -> str:
    """A staff account's address as typed, trimmed; StaffAccountError if it cannot be one."""
    email = email.strip()
    try:
        normalise_address(email)  # the attendees' rule (email-validator); the account keeps it as typed
    except AddressError as error:
        raise StaffAccountError(f"{email!r} is not an e-mail address.") from error
    return email


def check_role(role: StaffRole, organisation: Organisation | None) -> None:
    """A report editor belongs to one partner organisation; nobody else belongs to one."""
    if role == StaffRole.REPORT_EDITOR and organisation is None:
        raise StaffAccountError("A report editor drafts for one partner organisation: say which "
                                "(on the command line, --organisation).")
    if role != StaffRole.REPORT_EDITOR and organisation is not None:
        raise StaffAccountError("Only report editors belong to an organisation.")


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
    email = checked_email(email)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise StaffAccountError(f"The password must be at least {MIN_PASSWORD_LENGTH} characters long.")
    check_role(role, organisation)
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
    """A new password; every session of the account made before it ends."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise StaffAccountError(f"The password must be at least {MIN_PASSWORD_LENGTH} characters long.")
    user.password_hash = hash_password(password)
    end_sessions(user)


def end_sessions(user: StaffUser) -> None:
    """Every session of this account ends, on every device and in every copy of its cookie (committed by the
    caller). The increment is done by the database, so two at once both count; flushed at once, so the account's
    next get_id() reads the new number back rather than the expression."""
    user.session_version = StaffUser.session_version + 1
    db.session.flush()


def log_out_everywhere(user: StaffUser) -> None:
    end_sessions(user)
    db.session.commit()


def deactivate(user: StaffUser) -> None:
    """The account can no longer log in, and its sessions end (for good: reactivating does not revive them)."""
    user.active = False
    end_sessions(user)


def reactivate(user: StaffUser) -> None:
    user.active = True


def throttled_until(email: str, address: str, max_failures: int, window: timedelta) -> datetime | None:
    """When the account or the address has failed too often within the window, the moment it may try again."""
    since = utcnow() - window
    email = _failure_email(email)
    for column, value, limit in (
        (LoginFailure.email, email, max_failures),
        (LoginFailure.address, address[:64], max_failures * ADDRESS_FAILURE_FACTOR),
    ):
        count, oldest = db.session.execute(
            select(func.count(), func.min(LoginFailure.at)).where(column == value, LoginFailure.at > since)
        ).one()
        if count >= limit:
            # Conservative: the whole window from the oldest failure that still counts.
            return oldest + window
    return None


def _failure_email(email: str) -> str:
    return normalise_email(email)[:254]


def _reserve_attempt(email: str, address: str, max_failures: int, window: timedelta) -> datetime | None:
    """Record this attempt as a failure before its password is checked, unless the account or the address is
    already at its limit (then: until when). Counting and recording happen under one lock per account and per
    address, so of any number of attempts at the same moment only as many as the limit allows get a check; the
    password is then checked outside the lock. A right password deletes the record again."""
    db.session.commit()  # a fresh transaction: the lock must be its first statement
    try:
        hold_lock(db.session, (f"login-email:{email}", f"login-address:{address}"), LoginFailure.__table__)
        until = throttled_until(email, address, max_failures, window)
        if until is None:
            db.session.add(LoginFailure(email=email, address=address))
        # Old failures are only noise once the window has passed.
        db.session.execute(delete(LoginFailure).where(LoginFailure.at < utcnow() - 4 * window))
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return until


def authenticate(
    email: str, password: str, address: str, max_failures: int, window: timedelta
) -> LoginResult:
    email, address = _failure_email(email), address[:64]
    until = _reserve_attempt(email, address, max_failures, window)
    if until is not None:
        return LoginResult(user=None, throttled_until=until)
    user = find_staff_by_email(email)
    if user is not None and user.active:
        if check_password(user.password_hash, password):
            user.last_login_at = utcnow()
            db.session.execute(delete(LoginFailure).where(LoginFailure.email == email))
            db.session.commit()
            return LoginResult(user=user)
    else:
        check_password(None, password)  # the same cost as a real check
    # The attempt recorded before the check is this failure; it may be the one that reaches the limit.
    return LoginResult(user=None, throttled_until=throttled_until(email, address, max_failures, window))


def load_user(session_id: str) -> StaffUser | None:
    """The staff member of a session, from the id StaffUser.get_id() gave at login: "<user id>:<session
    version>". A session made before the account's version last changed (logout, new password, deactivation),
    or in an older form, is no login."""
    user_id, _, version = session_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()) or len(user_id) > 18 or len(version) > 18:
        return None
    user = db.session.get(StaffUser, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user
