"""Revision 0007 on a database that has registrations: their addresses are rewritten to the normal form with
their keys, and two live registrations that turn out to be one mailbox stop the upgrade, named."""

import unicodedata

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from eventapp import create_app
from eventapp.extensions import db

from ..spine.test_migrations import empty_database_url  # noqa: F401  (the fixture)


def _revision_before() -> str:
    """The revision this one follows (read from its file, so that this test follows it when it is re-chained)."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "migrations" / "versions" / "0007_registration_email_key.py"
    spec = importlib.util.spec_from_file_location("revision_0007", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.down_revision


BEFORE = _revision_before()
NFD_JOSE = unicodedata.normalize("NFD", "josé@example.org")


def _app(url, tmp_path):
    return create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_DIR": tmp_path})


def _add(conn, rows):
    has_state = "state" in {column["name"] for column in inspect(conn).get_columns("event")}  # from 0006 on
    conn.execute(text(
        "INSERT INTO event (id, slug, name, starts_at, ends_at, timezone, venue, waitlist_offer_hours, created_at"
        + (", state" if has_state else "") + ") VALUES (1, 'ev', 'Event', '2030-01-01 09:00', '2030-01-01 17:00', "
        "'UTC', 'Hall', 48, '2029-01-01'" + (", 'published'" if has_state else "") + ")"))
    for n, (email, status) in enumerate(rows, start=1):
        conn.execute(text(
            "INSERT INTO registration (event_id, full_name, email, consent_privacy, consent_listed, status, "
            "badge_secret, manage_secret, badge_changed_at, created_at, updated_at) VALUES (1, :name, :email, "
            ":yes, :no, :status, :badge, :manage, '2029-06-01', '2029-06-01', '2029-06-01')"),
            {"name": f"Person {n}", "email": email, "status": status, "badge": f"B{n}", "manage": f"m{n}",
             "yes": True, "no": False})


@pytest.mark.filterwarnings("ignore:.*expression-based index")
def test_existing_addresses_are_normalised_and_keyed(empty_database_url, tmp_path):  # noqa: F811
    app = _app(empty_database_url, tmp_path)
    with app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as conn:
            _add(conn, [(NFD_JOSE, "confirmed"), (" ana@XN--MNCHEN-3YA.DE ", "waitlisted"),
                        ("not an address", "confirmed"), ("josé@example.org", "cancelled")])
        upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT email, email_key FROM registration ORDER BY id")).all()
            assert [tuple(r) for r in rows] == [
                ("josé@example.org", "josé@example.org"), ("ana@münchen.de", "ana@münchen.de"),
                ("not an address", "not an address"), ("josé@example.org", "josé@example.org")]
        with db.engine.begin() as conn, pytest.raises(Exception, match="(?i)unique"):
            conn.execute(text(
                "INSERT INTO registration (event_id, full_name, email, email_key, consent_privacy, consent_listed, "
                "status, badge_secret, manage_secret, badge_changed_at, created_at, updated_at) VALUES (1, 'Again', "
                "'ana@münchen.de', 'ana@münchen.de', :yes, :no, 'confirmed', 'B9', 'm9', '2029-06-01', "
                "'2029-06-01', '2029-06-01')"), {"yes": True, "no": False})
        db.engine.dispose()


@pytest.mark.filterwarnings("ignore:.*expression-based index")
def test_two_live_registrations_of_one_mailbox_stop_the_upgrade_named(empty_database_url, tmp_path,  # noqa: F811
                                                                      capfd):
    app = _app(empty_database_url, tmp_path)
    with app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as conn:
            _add(conn, [("josé@example.org", "confirmed"), ("Other@example.org", "confirmed"),
                        (NFD_JOSE, "waitlisted")])
        with pytest.raises(SystemExit):  # Flask-Migrate logs the error and exits
            upgrade()
        # (Flask-Migrate logs it through alembic.ini's handler, to stderr)
        assert f"registrations 1 ('josé@example.org') and 3 ({NFD_JOSE!r}) of event 1" in capfd.readouterr().err
        with db.engine.connect() as conn:  # nothing changed
            assert "email_key" not in {c["name"] for c in inspect(conn).get_columns("registration")}
        with db.engine.begin() as conn:  # as the message says: cancel one, and upgrade again
            conn.execute(text("UPDATE registration SET status = 'cancelled' WHERE id = 3"))
        upgrade()
        with pytest.raises(SystemExit):  # the old schema cannot take a cancelled and a live row of one address
            downgrade(revision=BEFORE)
        assert "'josé@example.org' at event 1 (2)" in capfd.readouterr().err
        with db.engine.begin() as conn:
            conn.execute(text("DELETE FROM registration WHERE id = 3"))
        downgrade(revision=BEFORE)
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM registration")).scalar_one() == 2
        db.engine.dispose()
