"""Database engine settings that differ by backend."""

from flask import Flask
from sqlalchemy import event

from .extensions import db


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
