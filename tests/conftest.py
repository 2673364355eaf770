"""Shared fixtures: an app per test on a fresh database built by the migrations (SQLite, or PostgreSQL
when TEST_DATABASE_URL is set)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect, text

# A developer's .env holds their settings, not the tests': neither eventapp.config nor a `flask` the tests start
# reads it (tests of the .env file itself clear this).
os.environ["FLASK_SKIP_DOTENV"] = "1"

from eventapp import create_app  # noqa: E402
from eventapp.config import normalise_database_url  # noqa: E402
from eventapp.extensions import db as _db  # noqa: E402
from eventapp.jobs.service import wait_for_job_threads  # noqa: E402
from eventapp.mail.soon import wait_for_delivery  # noqa: E402

TEST_DATABASE_URL = normalise_database_url(os.environ.get("TEST_DATABASE_URL", ""))
ON_POSTGRES = TEST_DATABASE_URL.startswith("postgres")


def _migrate(url: str, instance: Path) -> None:
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_DIR": instance})
    with app.app_context():
        upgrade()
        _db.engine.dispose()


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory) -> str:
    """The URL of a database the migrations have built once for the whole run."""
    instance = tmp_path_factory.mktemp("instance")
    if ON_POSTGRES:
        url = TEST_DATABASE_URL
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        _migrate(url, instance)
        return url
    template = instance / "template.sqlite3"
    _migrate(f"sqlite:///{template}", instance)
    return str(template)


def _fresh_database(migrated: str, tmp_path: Path) -> str:
    if not ON_POSTGRES:
        target = tmp_path / "test.sqlite3"
        shutil.copyfile(migrated, target)
        return f"sqlite:///{target}"
    engine = create_engine(migrated)
    with engine.begin() as conn:
        tables = [t for t in inspect(conn).get_table_names() if t != "alembic_version"]
        conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return migrated


@pytest.fixture
def database_url(migrated_database, tmp_path) -> str:
    return _fresh_database(migrated_database, tmp_path)


@pytest.fixture
def make_app(database_url, tmp_path) -> Iterator[Callable[..., Flask]]:
    """Build an app on this test's fresh database, with extra settings."""
    apps: list[Flask] = []

    def build(**overrides) -> Flask:
        settings = {"SQLALCHEMY_DATABASE_URI": database_url, "INSTANCE_DIR": tmp_path / "instance"}
        settings.update(overrides)
        app = create_app("testing", settings)

        @app.teardown_request
        def _forget_user(_error):
            # Requests made while a test holds the app context share its `g`; in production every request
            # has its own. Forget the logged-in user so that two test clients never see each other's.
            from flask import g

            g.pop("_login_user", None)

        apps.append(app)
        return app

    yield build
    for app in apps:
        # A job or a delivery a request started in a thread must not run on into the next test's emptied
        # database (on PostgreSQL its locks deadlock with the TRUNCATE).
        finished = wait_for_job_threads(app) and wait_for_delivery(app)
        assert finished, "a job or a mail delivery this test started is still running after a minute"
        with app.app_context():
            _db.session.remove()
            _db.engine.dispose()


@pytest.fixture
def app(make_app) -> Iterator[Flask]:
    app = make_app()
    with app.app_context():
        yield app


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def staff(app):
    """Make a staff user: staff('checkin'), staff('report_editor', organisation=org)."""
    from eventapp.auth.service import create_staff_user

    counter = [0]

    def make(role: str, organisation=None, password: str = "correct horse battery"):
        counter[0] += 1
        user = create_staff_user(f"{role}{counter[0]}@example.org", password, role, organisation=organisation)
        _db.session.commit()
        return user

    return make


@pytest.fixture
def smtp():
    """A real SMTP server (aiosmtpd) on 127.0.0.1 for this test; what it received is in smtp.handler.received."""
    from .smtp import SMTPServer

    server = SMTPServer().start()
    yield server
    server.stop()


def log_in(client, user, password: str = "correct horse battery"):
    return client.post("/login", data={"email": user.email, "password": password})


@pytest.fixture
def demo_event(app):
    from eventapp.demo.service import seed_demo

    return seed_demo(attendees=12).event
