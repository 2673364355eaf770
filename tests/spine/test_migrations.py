"""The migrations build exactly the models' schema, and go down again, on SQLite and PostgreSQL."""

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.engine import make_url

from eventapp import create_app
from eventapp.extensions import db

from ..conftest import ON_POSTGRES, TEST_DATABASE_URL


@pytest.fixture
def empty_database_url(tmp_path):
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    name = f"eventapp_mig_{uuid.uuid4().hex[:8]}"
    admin = create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.mark.filterwarnings("ignore:.*expression-based index")
def test_upgrade_matches_models_and_downgrade_empties(empty_database_url, tmp_path):
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": empty_database_url, "INSTANCE_DIR": tmp_path})
    with app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert set(db.metadata.tables) <= tables
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, db.metadata)
        assert diff == [], f"models and migrations differ; add a revision: {diff}"
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert set(db.metadata.tables) <= set(inspect(db.engine).get_table_names())
        db.engine.dispose()


def _confirmed_count_triggers(conn) -> set[str]:
    if conn.dialect.name == "postgresql":
        query = "SELECT tgname FROM pg_trigger WHERE tgrelid = 'registration'::regclass AND NOT tgisinternal"
    else:
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'registration'"
    return {name for (name,) in conn.execute(text(query))}


@pytest.mark.filterwarnings("ignore:.*expression-based index")
def test_the_confirmed_count_survives_a_downgrade_and_upgrade_with_data_in_place(empty_database_url, tmp_path):
    """Revision 0003 goes down and up again on a database with registrations in it, losing none (SQLite's batch
    mode would have rebuilt the event table and deleted them by cascade), and its triggers are there at the head
    (a later revision rebuilding `registration` on SQLite would drop them)."""
    from eventapp.demo.service import seed_demo
    from eventapp.models import Event, Registration, RegistrationStatus

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": empty_database_url, "INSTANCE_DIR": tmp_path})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            assert _confirmed_count_triggers(conn) == {
                "registration_confirmed_insert", "registration_confirmed_update", "registration_confirmed_delete"}
        seed_demo(attendees=12)
        db.session.execute(text("UPDATE registration SET status = 'cancelled' WHERE id IN "
                                "(SELECT id FROM registration ORDER BY id LIMIT 2)"))
        db.session.commit()
        db.session.remove()
        downgrade(revision="0002_job_heartbeat")
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM registration")).scalar_one() == 12
            assert conn.execute(text("SELECT count(*) FROM themed_session")).scalar_one() >= 3
            assert _confirmed_count_triggers(conn) == set()
        upgrade()
        kept = db.session.execute(select(Event.confirmed_count)).scalar_one()
        real = db.session.execute(select(func.count()).where(
            Registration.status == RegistrationStatus.CONFIRMED)).scalar_one()
        assert kept == real == 10
        db.session.remove()
        db.engine.dispose()
