"""Database engine settings (some differ by backend), and which database is in use."""

import logging

from flask import Flask
from sqlalchemy import Connection, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from .extensions import db

log = logging.getLogger(__name__)


# The INSERT with ON CONFLICT of each database the app runs on.
_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def dialect_insert(dialect_name: str):
    """The ``insert()`` of a dialect, with its ``on_conflict_do_nothing``/``on_conflict_do_update``."""
    return _INSERTS[dialect_name]


def dialect_name(bind: Session | Connection | None = None) -> str:
    """Which database ``bind`` (a connection, or a session: by default the app's) talks to: "postgresql" or
    "sqlite"."""
    if isinstance(bind, Connection):
        return bind.dialect.name
    return (db.session if bind is None else bind).get_bind().dialect.name


def on_postgresql(bind: Session | Connection | None = None) -> bool:
    return dialect_name(bind) == "postgresql"


def set_engine_options(app: Flask) -> None:
    """Engine settings, before the engine is made. On every backend, a statement's parameters (e-mail addresses,
    manage secrets, tokens) are never written into its error's message, so never into a log or a traceback."""
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
                                               "hide_parameters": True}
    pin_read_committed(app)


def pin_read_committed(app: Flask) -> None:
    """PostgreSQL: READ COMMITTED, whatever the server's default_transaction_isolation says. The capacity rule
    relies on it: a sign-up decides in a statement that begins once the event's lock is held, and only at this
    level does that statement see what the lock's previous holder committed (registration/statements.py).
    Called before the engine is made."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
                                                   "isolation_level": "READ COMMITTED"}


def configure_sqlite(app: Flask) -> None:
    """SQLite: enforce foreign keys, wait for a writer instead of failing, and let readers run beside it."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 60000")
        if app.config["SQLALCHEMY_DATABASE_URI"] not in ("sqlite://", "sqlite:///:memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()


# A transaction that wrote anything, however its statements were sent, has been given an id (PostgreSQL 13+).
_WROTE_NOTHING = text("SELECT pg_current_xact_id_if_assigned() IS NULL")


def end_reads_with_commit(app: Flask) -> None:
    """PostgreSQL: a request (or command) whose transaction only read ends it with COMMIT, not the ROLLBACK that
    closing the session would send. psycopg forgets every prepared statement on a rollback (one might have
    undone DDL), so ending reads that way made PostgreSQL parse and plan every statement of every request
    afresh: half the database's work for the registration form. The server is asked whether the transaction
    wrote anything; one that did, or ended in an error, or has ORM changes not flushed, is rolled back as
    before. Registered after Flask-SQLAlchemy, so that it runs before the session is removed; for an app with
    one database (with SQLALCHEMY_BINDS, nothing changes)."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql") or app.config.get("SQLALCHEMY_BINDS"):
        return

    @app.teardown_appcontext
    def _commit_reads(error):
        session = db.session()
        if error is not None or not session.in_transaction() or session.new or session.dirty or session.deleted:
            return
        try:
            if session.connection().execute(_WROTE_NOTHING).scalar_one():
                session.commit()
        except SQLAlchemyError:
            log.warning("could not end a read-only transaction with a commit; it is rolled back", exc_info=True)
