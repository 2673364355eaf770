"""Managing staff from the browser: invite, change role and events, deactivate; the last admin is kept.

An invited person has an account at once (so an admin sees them in the list, can change the invitation or
withdraw it by deactivating) but no password anyone knows until they choose one through their link.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select

from ..extensions import db
from ..locking import hold_lock
from ..models import Event, Organisation, StaffRole, StaffToken, StaffTokenPurpose, StaffUser, utcnow
from . import links
from .service import (
    StaffAccountError,
    check_role,
    checked_email,
    deactivate,
    end_sessions,
    find_staff_by_email,
    reactivate,
)

# Never a scrypt hash: check_password_hash answers False for it, so nobody can log in before choosing a password.
NO_PASSWORD = "!invited"


class LastAdminError(StaffAccountError):
    """The change would leave no active admin."""


@dataclass(frozen=True)
class Invitation:
    user: StaffUser
    url: str
    renewed: bool  # an existing, not yet accepted invitation was sent again


def is_pending(user: StaffUser) -> bool:
    """Invited, and has not chosen a password yet."""
    return user.password_hash == NO_PASSWORD


def list_staff() -> list[StaffUser]:
    return list(db.session.execute(
        select(StaffUser).order_by(StaffUser.active.desc(), StaffUser.role, func.lower(StaffUser.email))
    ).scalars())


def invite(email: str, role: StaffRole | str, organisation: Organisation | None = None,
           events: Sequence[Event] = (), by: StaffUser | None = None, send_mail: bool = True) -> Invitation:
    """Create the account with no password and issue its 72-hour link (committed). Inviting an address that
    was invited but has not chosen a password yet sends a new link (and the new role); an account in use is
    refused. With send_mail the link is mailed too (queued in the same transaction)."""
    role = StaffRole(role)
    email = checked_email(email)
    check_role(role, organisation)
    user = find_staff_by_email(email)
    renewed = user is not None
    if user is not None:
        if not is_pending(user):
            raise StaffAccountError(f"There is already a staff account for {email}.")
        user.role, user.organisation, user.active = role, organisation, True
    else:
        user = StaffUser(email=email, password_hash=NO_PASSWORD, role=role, organisation=organisation)
        db.session.add(user)
        db.session.flush()
    user.events = list(events) if role != StaffRole.ADMIN else []
    url = links.link_url(links.issue(user, StaffTokenPurpose.INVITATION, by=by))
    if send_mail:
        from .mails import queue_invitation

        queue_invitation(user, url, by)
    db.session.commit()
    return Invitation(user, url, renewed)


def _active_admins() -> int:
    return db.session.execute(select(func.count()).select_from(StaffUser).where(
        StaffUser.role == StaffRole.ADMIN, StaffUser.active.is_(True),
        StaffUser.password_hash != NO_PASSWORD)).scalar_one()


def _keep_an_admin(user: StaffUser) -> None:
    """Refuse a change that takes `user` out of the active admins when they are the last one. Runs under a lock
    (held to the caller's commit), so two admins demoting each other at once cannot both succeed."""
    hold_lock(db.session, ("staff-admins",), StaffUser.__table__)
    db.session.refresh(user)
    if user.role == StaffRole.ADMIN and user.active and not is_pending(user) and _active_admins() <= 1:
        raise LastAdminError(
            f"{user.email} is the last active admin: make someone else an admin first, so that somebody "
            "can still manage the staff and the events.")


def change(user: StaffUser, role: StaffRole | str, organisation: Organisation | None = None,
           events: Sequence[Event] = ()) -> StaffUser:
    """A new role (and organisation, events); committed. The last active admin cannot be demoted."""
    role = StaffRole(role)
    check_role(role, organisation)
    db.session.commit()  # a fresh transaction: the lock must be its first statement
    try:
        if role != StaffRole.ADMIN:
            _keep_an_admin(user)
        demoted = user.role == StaffRole.ADMIN and role != StaffRole.ADMIN
        user.role, user.organisation = role, organisation
        user.events = list(events) if role != StaffRole.ADMIN else []
        if demoted:
            # Their sessions end: a page left open as an admin must not go on acting as one.
            end_sessions(user)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return user


def set_active(user: StaffUser, active: bool) -> StaffUser:
    """Deactivate (every session ends) or reactivate; committed. The last active admin cannot be deactivated."""
    db.session.commit()
    try:
        if not active:
            _keep_an_admin(user)
            deactivate(user)
            # An invitation not yet accepted is withdrawn with the account.
            db.session.execute(StaffToken.__table__.update().where(
                StaffToken.staff_user_id == user.id, StaffToken.used_at.is_(None)).values(used_at=utcnow()))
        else:
            reactivate(user)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return user


def get_staff(user_id: int) -> StaffUser | None:
    return db.session.get(StaffUser, user_id)


def organisations() -> list[Organisation]:
    return list(db.session.execute(select(Organisation).order_by(func.lower(Organisation.name))).scalars())


def events_by_id(ids: Sequence[int]) -> list[Event]:
    if not ids:
        return []
    return list(db.session.execute(select(Event).where(Event.id.in_(list(ids)))).scalars())


def organisation_by_id(value: str | None) -> Organisation | None:
    return db.session.get(Organisation, int(value)) if value and value.isdigit() else None
