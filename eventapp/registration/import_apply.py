"""Carrying out an attendee import: newcomers written a batch at a time under the event's capacity lock (the lock
and the capacity rule every sign-up uses, so an import never overbooks and waitlists beyond capacity in file
order), changed details through the service's update_details, each new person's letter with their manage link
queued in the same transaction (unless told not to)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..letters.service import saved_letters
from ..models import Event, Registration, RegistrationStatus, StaffUser, utcnow
from . import organisations, signup
from .import_plan import CREATE, UPDATE, WAITLIST, Plan, PlanRow
from .service import RegistrationError

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
    known: dict[str, int] = {}  # organisations by lower-cased name, as committed by the batches so far
    total = len(plan.rows)
    batch: list[PlanRow] = []
    done = 0
    for row in plan.rows:
        if row.action in (CREATE, WAITLIST):
            batch.append(row)
            if len(batch) >= BATCH:
                _create(event, batch, mail, result, known)
                done += len(batch)
                batch = []
                if progress:
                    progress(done, total)
            continue
        if batch:  # file order: the newcomers before this row first
            _create(event, batch, mail, result, known)
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
        _create(event, batch, mail, result, known)
    if progress:
        progress(total, total)
    return result


def _update(row: PlanRow, by: StaffUser | None, result: ImportResult) -> None:
    registration = db.session.get(Registration, row.registration_id)
    try:
        if registration is None or registration.status == RegistrationStatus.CANCELLED:
            raise RegistrationError("The registration was cancelled meanwhile.")
        signup.update_details(registration, row.details, by_staff=by)
    except RegistrationError as error:
        result.refused += 1
        result.outcomes[row.line] = f"refused: {error.message}"
    else:
        result.updated += 1
        result.outcomes[row.line] = "updated: " + ", ".join(row.changes)


def _create(event: Event, rows: list[PlanRow], mail: bool, result: ImportResult, known: dict[str, int]) -> None:
    organisation_ids = dict(known)  # this batch's own: a batch rolled back forgets what it made
    try:
        decided = _write_newcomers(event, rows, mail, organisation_ids)
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
            _create(event, [row], mail, result, known)
        return
    except BaseException:
        db.session.rollback()
        raise
    known.update(organisation_ids)
    for row, status in zip(rows, decided, strict=True):
        if status == RegistrationStatus.CONFIRMED:
            result.confirmed += 1
            result.outcomes[row.line] = "created, confirmed"
        else:
            result.waitlisted += 1
            result.outcomes[row.line] = "created, waiting list"


def _write_newcomers(event: Event, rows: list[PlanRow], mail: bool, organisation_ids: dict[str, int]
                     ) -> list[RegistrationStatus]:
    """Write the batch's registrations in file order as the sign-up form writes one (signup.write_newcomers: each
    inserted and decided by the capacity rule under the event's lock, then the ranked sessions and the one letter
    each decision needs), in one transaction, so the lock is held from the batch's first decision to its commit.
    `organisation_ids`: the organisations known by lower-cased name, to which this batch adds those it finds or
    makes. Returns each row's status."""
    now = utcnow()
    # The organiser's wording of the letters, read once for the batch.
    saved = saved_letters(event, signup.newcomer_letter_kinds("invitation")) if mail else {}
    newcomers = []
    for row in rows:
        details = row.details
        email = details.email  # in its normal form: the registration form's check normalised it (import_plan)
        organisation = organisations.tidy_name(details.organisation_name).lower()
        if organisation not in organisation_ids:
            organisation_ids[organisation] = organisations.find_or_make(
                details.organisation_name, details.organisation_kind, details.country)
        values = {**signup.newcomer_row(event, details, email, now), "organisation_id": organisation_ids[organisation]}
        # An invited guest with a place gets the invitation; one beyond capacity, word of the waiting list. The
        # batch holds the lock from its first decision to its commit, so the one letter needed is composed once
        # the decision is made.
        letter = partial(signup.newcomer_letter, event, values, email, confirmed_kind="invitation",
                         saved=saved) if mail else None
        newcomers.append(signup.NewRegistration(values, list(details.preferences), letter))
    return [status for _, status in signup.write_newcomers(event, newcomers, now)]
