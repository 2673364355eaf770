"""Carrying out an attendee import: newcomers written a batch at a time under the event's capacity lock (the lock
and the capacity rule every sign-up uses, so an import never overbooks and waitlists beyond capacity in file
order), changed details through the service's update_details, each new person's letter with their manage link
queued in the same transaction (unless told not to)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..locking import lock_event
from ..mail.service import mail_row
from ..models import Event, Registration, RegistrationStatus, StaffUser, utcnow
from ..tokens import new_badge_secret, new_manage_secret
from . import addresses, mails, organisations, statements
from .import_plan import CREATE, UPDATE, WAITLIST, Plan, PlanRow
from .service import RegistrationError
from .signup import _typed_columns  # the columns a sign-up writes from what was typed: one list for both

# Newcomers per transaction: the lock is held for one batch, so public sign-ups wait at most that long.
BATCH = 200

Progress = Callable[[int, int], None]


@dataclass
class ImportResult:
    confirmed: int = 0
    waitlisted: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: int = 0
    outcomes: dict[int, str] = field(default_factory=dict)  # line -> what happened, for the result file

    def summary(self) -> str:
        return (f"{self.confirmed} confirmed, {self.waitlisted} on the waiting list, {self.updated} updated, "
                f"{self.unchanged} unchanged, {self.refused} refused.")


def apply_plan(event: Event, plan: Plan, mail: bool = True, by: StaffUser | None = None,
               progress: Progress | None = None) -> ImportResult:
    """Write what `plan` (made just before, by plan_import) says, in file order. Commits as it goes."""
    result = ImportResult()
    total = len(plan.rows)
    batch: list[PlanRow] = []
    done = 0
    for row in plan.rows:
        if row.action in (CREATE, WAITLIST):
            batch.append(row)
            if len(batch) >= BATCH:
                _create(event, batch, mail, result)
                done += len(batch)
                batch = []
                if progress:
                    progress(done, total)
            continue
        if batch:  # file order: the newcomers before this row first
            _create(event, batch, mail, result)
            done += len(batch)
            batch = []
        if row.action == UPDATE:
            _update(row, by, result)
        elif row.reasons:
            result.refused += 1
            result.outcomes[row.line] = "refused: " + " ".join(row.reasons)
        else:
            result.unchanged += 1
            result.outcomes[row.line] = "unchanged"
        done += 1
        if progress and done % BATCH == 0:
            progress(done, total)
    if batch:
        _create(event, batch, mail, result)
    if progress:
        progress(total, total)
    return result


def _update(row: PlanRow, by: StaffUser | None, result: ImportResult) -> None:
    from .signup import update_details

    registration = db.session.get(Registration, row.registration_id)
    try:
        if registration is None or registration.status == RegistrationStatus.CANCELLED:
            raise RegistrationError("The registration was cancelled meanwhile.")
        update_details(registration, row.details, by_staff=by)
    except RegistrationError as error:
        result.refused += 1
        result.outcomes[row.line] = f"refused: {error.message}"
    else:
        result.updated += 1
        result.outcomes[row.line] = "updated: " + ", ".join(row.changes)


def _create(event: Event, rows: list[PlanRow], mail: bool, result: ImportResult) -> None:
    try:
        decided = _write_newcomers(event, rows, mail)
        db.session.commit()
    except IntegrityError:
        # Someone signed up with one of these addresses since the plan was made: one at a time, so that only
        # that row is refused.
        db.session.rollback()
        if len(rows) == 1:
            result.refused += 1
            result.outcomes[rows[0].line] = "refused: the address registered meanwhile."
            return
        for row in rows:
            _create(event, [row], mail, result)
        return
    except BaseException:
        db.session.rollback()
        raise
    for row, status in zip(rows, decided, strict=True):
        if status == RegistrationStatus.CONFIRMED:
            result.confirmed += 1
            result.outcomes[row.line] = "created, confirmed"
        else:
            result.waitlisted += 1
            result.outcomes[row.line] = "created, waiting list"


def _write_newcomers(event: Event, rows: list[PlanRow], mail: bool) -> list[RegistrationStatus]:
    """Write the batch's registrations and ranked sessions and decide each in file order under the event's lock,
    by the capacity rule's own statement; then queue their letters. Returns each row's status."""
    connection = db.session.connection()
    now = utcnow()
    lock_event(event, refresh=False)
    organisation_ids: dict[str, int] = {}  # this transaction's: a batch rolled back forgets them
    statuses, letters, preferences = [], [], []
    for row in rows:
        details = row.details
        email = addresses.normalise_email(details.email)
        organisation = organisations.tidy_name(details.organisation_name).lower()
        if organisation not in organisation_ids:
            organisation_ids[organisation] = organisations.find_or_make(
                details.organisation_name, details.organisation_kind, details.country)
        values = {
            **_typed_columns(details, email), "event_id": event.id, "consent_privacy": True,
            "status": RegistrationStatus.WAITLISTED, "badge_secret": new_badge_secret(),
            "manage_secret": new_manage_secret(), "badge_changed_at": now, "waitlisted_at": now,
            "created_at": now, "updated_at": now, "organisation_id": organisation_ids[organisation],
        }
        # Written and decided one at a time, as a sign-up is: the rule confirms no one while anyone waits.
        registration_id = connection.execute(statements.insert_registration(), values).scalar_one()
        preferences.extend({"registration_id": registration_id, "themed_session_id": session_id, "rank": rank}
                           for rank, session_id in enumerate(details.preferences, start=1))
        decided = connection.execute(statements.confirm_if_room(), {
            "the_event": event.id, "now": now, "at": now, "the_registration": registration_id})
        status = RegistrationStatus.CONFIRMED if decided.rowcount == 1 else RegistrationStatus.WAITLISTED
        statuses.append(status)
        if mail:
            letter = mails.registered_letter(mails.Newcomer(values["full_name"], values["manage_secret"]), event,
                                             status)
            letters.append(mail_row(letter.kind, addresses.mail_recipient(email), letter.subject, letter.body,
                                    event.id, registration_id, False))
    if preferences:
        connection.execute(statements.insert_preferences(), preferences)
    if letters:
        connection.execute(statements.insert_mail(), letters)
    return statuses
