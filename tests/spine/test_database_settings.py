"""Engine settings the rules rely on."""

import pytest
from sqlalchemy import text

from eventapp.extensions import db

from ..conftest import ON_POSTGRES


@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL's isolation level")
def test_read_committed_whatever_the_servers_default(make_app):
    # A server (or a role, or a database) set to REPEATABLE READ by default would break the capacity rule's
    # fresh look after taking the lock; the app asks for READ COMMITTED itself.
    app = make_app(SQLALCHEMY_ENGINE_OPTIONS={
        "connect_args": {"options": "-c default_transaction_isolation=repeatable\\ read"}})
    with app.app_context():
        assert db.session.execute(text("SHOW default_transaction_isolation")).scalar_one() == "repeatable read"
        assert db.session.execute(text("SHOW transaction_isolation")).scalar_one() == "read committed"


def _prepared_statements(app) -> int:
    with app.app_context():
        return db.session.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar_one()


@pytest.mark.skipif(not ON_POSTGRES, reason="psycopg's prepared statements")
def test_read_only_requests_keep_prepared_statements_and_writes_are_still_rolled_back(make_app):
    from eventapp.demo.service import seed_demo

    app = make_app(PROPAGATE_EXCEPTIONS=False)  # a failing request answers 500, as in production

    @app.get("/test/write-without-commit")
    def _write_without_commit():
        db.session.execute(text("INSERT INTO organisation (name, kind, created_at) "
                                "VALUES ('Never Committed', 'ngo', now())"))
        return "written, not committed"

    @app.get("/test/read-then-write-on-the-driver")
    def _write_past_sqlalchemy():
        db.session.execute(text("SELECT 1"))
        cursor = db.session.connection().connection.dbapi_connection.cursor()
        cursor.execute("INSERT INTO organisation (name, kind, created_at) VALUES ('Written Raw', 'ngo', now())")
        return "written on the driver's cursor, not committed"

    @app.get("/test/read-then-fail")
    def _read_then_fail():
        db.session.execute(text("INSERT INTO organisation (name, kind, created_at) "
                                "VALUES ('Failed Request', 'ngo', now())"))
        raise RuntimeError("a bug")

    with app.app_context():
        slug = seed_demo(attendees=3).event.slug
    client = app.test_client()
    # psycopg prepares a statement on its fifth run and forgets them all on a rollback: read-only requests
    # ending in one (Flask-SQLAlchemy's default) would leave none prepared however often the page is read.
    for _ in range(8):
        assert client.get(f"/events/{slug}/register").status_code == 200
    assert _prepared_statements(app) > 0

    # Whatever wrote, however (the server is asked, not the statements' text), is rolled back as before.
    assert client.get("/test/write-without-commit").status_code == 200
    assert client.get("/test/read-then-write-on-the-driver").status_code == 200
    assert client.get("/test/read-then-fail").status_code == 500
    with app.app_context():
        assert db.session.execute(text(
            "SELECT count(*) FROM organisation WHERE name IN ('Never Committed', 'Written Raw', 'Failed Request')")
        ).scalar_one() == 0
