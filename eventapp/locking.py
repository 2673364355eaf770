"""Locks: the event lock, the one way to change who holds a place at an event (registration, the waiting list,
assignment, event setup and import all take it the same way); and named locks for other count-then-write
decisions (a login attempt, a job's place)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import cache

from sqlalchemy import Table, bindparam, delete, false, select, text, update
from sqlalchemy.orm import Session

from .database import on_postgresql
from .extensions import db
from .models import Event

# --- the event lock -------------------------------------------------------------------------------------------
#
# Every taker calls lock_event through this module (``locking.lock_event``, or holding_event_lock), never a copy
# of it imported elsewhere: the one seam where a test may put a lock that does nothing, to show that the race it
# prevents is real (tests/registration/test_rush.py). The app itself has no switch to turn it off.


@cache
def lock_event_row():
    """PostgreSQL: the event's row, FOR NO KEY UPDATE, without reloading it. Binds: event."""
    events = Event.__table__
    return select(events.c.id).where(events.c.id == bindparam("event")).with_for_update(key_share=True)


@cache
def _take_write_lock():
    """SQLite: a no-op write to the event's row, which takes the database's write lock. Binds: event."""
    events = Event.__table__
    return update(events).where(events.c.id == bindparam("event")).values(capacity=events.c.capacity)


def lock_event(event: Event, refresh: bool = True) -> None:
    """Serialise every change to who holds a place at this event until the transaction ends.

    PostgreSQL: a row lock on the event, FOR NO KEY UPDATE: it queues the lockers one behind the other but,
    unlike FOR UPDATE, does not wait for the key-share locks that inserting rows referencing the event (this
    transaction's registration, and everyone else's) take, which would deadlock. At READ COMMITTED (which
    database.py pins) every statement after it sees what the lock's previous holder committed. SQLite: a no-op
    write, which takes the database's write lock (before any count is read), so writers queue instead of
    racing. `refresh` reloads the event's row (its capacity may have changed while we waited); a caller whose
    next statement reads the capacity itself passes False and saves the round trip.
    """
    if on_postgresql():
        if refresh:
            db.session.execute(_fresh(event).with_for_update(of=Event, key_share=True))
        else:
            db.session.execute(lock_event_row(), {"event": event.id})
        return
    db.session.execute(_take_write_lock(), {"event": event.id})
    if refresh:
        db.session.execute(_fresh(event))  # what another writer committed before we got the lock


def _fresh(event: Event):
    return select(Event).where(Event.id == event.id).execution_options(populate_existing=True)


@contextmanager
def holding_event_lock(event: Event) -> Iterator[None]:
    """Run a block as one transaction that holds the event's lock: committed at its end, rolled back if
    anything in it fails (a rule broken, a database error), so nothing is ever half-saved."""
    try:
        lock_event(event)
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


# --- named locks ----------------------------------------------------------------------------------------------


def _lock_key(name: str) -> int:
    """A stable signed 64-bit number for a lock's name (PostgreSQL's advisory locks take a bigint)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)


_ADVISORY_LOCK = text("SELECT pg_advisory_xact_lock(:key)")


def hold_lock(session: Session, names: Iterable[str], sqlite_table: Table) -> None:
    """Serialise a count-then-write decision (a login attempt, a job's place) across every server, until the
    transaction ends. Call it first in a fresh transaction.

    PostgreSQL: a transaction-level advisory lock per name, taken in one fixed order so that two holders of
    overlapping names can never deadlock; at READ COMMITTED each statement after it sees what the previous
    holder committed. SQLite: a write that changes nothing, which takes the database's one write lock before
    anything is read (SQLite has no finer lock)."""
    if on_postgresql(session):
        for key in sorted({_lock_key(name) for name in names}):
            session.execute(_ADVISORY_LOCK, {"key": key})
    else:
        session.execute(delete(sqlite_table).where(false()))
