"""registration e-mail addresses in one normal form, unique by a key that holds for it

`josé@…` typed in NFC and in NFD, or a domain typed in Unicode and as `xn--…`, were two addresses: both could
register, and SQLite's lower() (ASCII only) let `JOSÉ@…` and `josé@…` both register too. Addresses are now
stored in email-validator's normal form (NFC, IDNA-normalised domain) and `email_key`, that form lower-cased in
Python, is what the database keeps unique per event, for registrations that are not cancelled (so that someone
who cancelled can register again, as the manage page tells them they may).

Existing rows are rewritten to the normal form here. If two live registrations of one event turn out to be one
mailbox, the upgrade stops and names them: cancel (or delete) one of each pair, then upgrade again.

Revision ID: 0007_registration_email_key
Revises: 0009_survey
Create Date: 2026-12-01 10:00:00

"""
import unicodedata

import sqlalchemy as sa
from alembic import op
from email_validator import EmailNotValidError, validate_email

revision = "0007_registration_email_key"
down_revision = "0005_user_session_version"
branch_labels = None
depends_on = None

LIVE = "status <> 'cancelled'"


def _normal_form(address: str) -> str:
    """As eventapp/registration/addresses.py stores it (kept here so this revision never changes meaning)."""
    address = (address or "").strip()
    try:
        return validate_email(address, check_deliverability=False).normalized
    except EmailNotValidError:
        return address


def _key(normal: str) -> str:
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", normal).lower())


def upgrade():
    bind = op.get_bind()
    on_postgresql = bind.dialect.name == "postgresql"
    if on_postgresql:
        # On a live database: no registration may be written between the rewrite and the new index.
        op.execute("LOCK TABLE registration IN SHARE ROW EXCLUSIVE MODE")
    # Everything is worked out, and any clash refused, before the schema changes (SQLite does not undo DDL).
    rows = bind.execute(sa.text("SELECT id, event_id, email, status FROM registration ORDER BY id")).fetchall()
    changes, seen, clashes = [], {}, []
    for row in rows:
        normal = _normal_form(row.email)
        key = _key(normal)
        changes.append({"the_id": row.id, "email": normal, "email_key": key})
        if row.status != "cancelled":
            first = seen.setdefault((row.event_id, key), row)
            if first is not row:
                clashes.append(f"registrations {first.id} ({first.email!r}) and {row.id} ({row.email!r}) "
                               f"of event {row.event_id}")
    if clashes:
        raise RuntimeError(
            "These registrations are the same mailbox once addresses are normalised: " + "; ".join(clashes)
            + ". Cancel one of each pair (as an organiser, or UPDATE registration SET status = 'cancelled'), "
            "then run the upgrade again.")
    # A plain ALTER TABLE, also on SQLite (in place; batch mode would rebuild the table and drop its triggers).
    op.add_column("registration", sa.Column("email_key", sa.String(length=254), nullable=False, server_default=""))
    # The old index goes first: a cancelled registration may now share a live one's address.
    op.drop_index("uq_registration_event_email", table_name="registration")
    if changes:
        bind.execute(sa.text("UPDATE registration SET email = :email, email_key = :email_key WHERE id = :the_id"),
                     changes)
    if on_postgresql:
        op.execute("ALTER TABLE registration ALTER COLUMN email_key DROP DEFAULT")
    # SQLite keeps the '' default (dropping it would rebuild the table); every insert sets the key.
    op.create_index("uq_registration_event_email_key", "registration", ["event_id", "email_key"], unique=True,
                    postgresql_where=sa.text(LIVE), sqlite_where=sa.text(LIVE))


def downgrade():
    # The old index counted cancelled registrations too: someone who cancelled and registered again has two rows
    # with one address, which it cannot take. Refused, named, before anything changes.
    clashes = op.get_bind().execute(sa.text(
        "SELECT event_id, lower(email) AS address, count(*) AS n FROM registration "
        "GROUP BY event_id, lower(email) HAVING count(*) > 1")).fetchall()
    if clashes:
        raise RuntimeError(
            "The earlier schema allows one registration per address per event, cancelled ones included; these "
            "addresses have more: " + "; ".join(f"{row.address!r} at event {row.event_id} ({row.n})" for row in clashes)
            + ". Delete the cancelled ones, then downgrade again.")
    op.drop_index("uq_registration_event_email_key", table_name="registration")
    op.create_index("uq_registration_event_email", "registration", ["event_id", sa.literal_column("lower(email)")],
                    unique=True)
    # Not batch mode: SQLite (3.35 on) drops a column in place, without rebuilding `registration`.
    op.execute("ALTER TABLE registration DROP COLUMN email_key")
