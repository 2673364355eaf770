"""Statements run on the driver's cursor (eventapp/checkin/driver.py) write and read what SQLAlchemy would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import bindparam, insert, select, text

from eventapp.checkin.driver import DriverConnection, DriverStatement
from eventapp.checkin.service import EARLIER_DOOR_CHECK_IN, REGISTRATION_BY_SECRET
from eventapp.extensions import db
from eventapp.models import CheckIn, Registration, RegistrationStatus, ScanLog

_check_in = CheckIn.__table__
NEW_CHECK_IN = insert(_check_in).values(
    {name: bindparam(name, type_=_check_in.c[name].type) for name in ("event_id", "registration_id", "checked_in_at")}
    | {"method": "scan"}
)
MOMENT = datetime(2026, 3, 1, 9, 15, 30, 123456, tzinfo=UTC)
# The same moment given in another zone, with microseconds: the column's type must convert it to UTC to store it.
MOMENT_IN_PARIS = MOMENT.astimezone(timezone(timedelta(hours=1)))


def _stored_moments() -> list:
    """checked_in_at as the database keeps it, read past SQLAlchemy's types (text on SQLite)."""
    with db.engine.connect() as conn:
        return list(conn.execute(text("SELECT checked_in_at FROM check_in ORDER BY id")).scalars())


def test_a_write_is_stored_exactly_as_sqlalchemy_stores_it(app, demo_event, people):
    values = {"event_id": demo_event.id, "checked_in_at": MOMENT_IN_PARIS}
    with db.engine.begin() as conn:  # SQLAlchemy's own execution, for comparison
        conn.execute(NEW_CHECK_IN, {**values, "registration_id": people[0].id})
    with DriverConnection(db.engine) as conn:
        conn.execute(DriverStatement(NEW_CHECK_IN), {**values, "registration_id": people[1].id})
        conn.commit()
    by_sqlalchemy, by_driver = _stored_moments()
    assert by_driver == by_sqlalchemy
    read_back = db.session.execute(select(CheckIn.checked_in_at).order_by(CheckIn.id)).scalars().all()
    assert read_back == [MOMENT, MOMENT] and all(m.tzinfo is not None for m in read_back)


def test_a_read_converts_each_column_by_its_type(app, demo_event, people):
    with DriverConnection(db.engine) as conn:
        conn.execute(DriverStatement(NEW_CHECK_IN),
                     {"event_id": demo_event.id, "registration_id": people[0].id, "checked_in_at": MOMENT})
        registration = conn.one(REGISTRATION_BY_SECRET, {"secret": people[0].badge_secret})
        earlier = conn.one(EARLIER_DOOR_CHECK_IN, {"registration_id": people[0].id})
    assert registration.id == people[0].id and registration.full_name == people[0].full_name
    assert registration.status is RegistrationStatus.CONFIRMED
    assert registration.organisation == people[0].organisation.name
    assert earlier.checked_in_at == MOMENT and earlier.checked_in_at.tzinfo is not None
    assert earlier.device_name is None and earlier.display_name is None


def test_closing_without_commit_rolls_back(app, demo_event, people):
    with DriverConnection(db.engine) as conn:
        conn.execute(DriverStatement(NEW_CHECK_IN),
                     {"event_id": demo_event.id, "registration_id": people[0].id, "checked_in_at": MOMENT})
    assert _stored_moments() == []


def test_one_row_means_one(app, demo_event, people):
    every_registration = DriverStatement(select(Registration.id).order_by(Registration.id))
    with DriverConnection(db.engine) as conn:
        with pytest.raises(ValueError, match="more than one row"):
            conn.one_or_none(every_registration, {})
        with pytest.raises(LookupError):
            conn.one(REGISTRATION_BY_SECRET, {"secret": "0" * 26})
        assert conn.one_or_none(REGISTRATION_BY_SECRET, {"secret": "0" * 26}) is None
        assert [row.id for row in conn.all(every_registration, {})] == sorted(p.id for p in people)


def test_a_write_that_needs_a_python_side_default_is_refused(app, demo_event, people):
    without_method = insert(_check_in).values(event_id=bindparam("event_id"), registration_id=bindparam("r"))
    with DriverConnection(db.engine) as conn, pytest.raises(ValueError, match="give a value for checked_in_at, method:"):
        conn.execute(DriverStatement(without_method), {"event_id": demo_event.id, "r": people[0].id})


@pytest.mark.parametrize("statement", [
    select(ScanLog.id).where(ScanLog.id.in_([1, 2])),
    select(ScanLog.id).where(ScanLog.id.in_(bindparam("ids", expanding=True))),
    select(ScanLog.id).where(ScanLog.id == bindparam("now_id", callable_=lambda: 1)),
    select(ScanLog.id).limit(bindparam("n", literal_execute=True)),
])
def test_what_sqlalchemy_rewrites_at_each_execution_is_refused(app, statement):
    with pytest.raises(ValueError, match="SQLAlchemy's work at each execution"):
        DriverStatement(statement).sql(db.engine.dialect)


def test_a_statement_is_compiled_once_per_dialect(app):
    statement = DriverStatement(select(ScanLog.id).where(ScanLog.nonce == bindparam("nonce")))
    first = statement.sql(db.engine.dialect)
    assert statement.sql(db.engine.dialect) is first
    assert ":nonce" not in first  # the driver's own parameter style, not SQLAlchemy's
