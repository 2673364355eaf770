"""confirmed count on the event, kept by triggers; an index of the open offers

The capacity rule asked, under the event's lock, how many registrations are confirmed: a count that read
every registration of the event (4 ms at 16,000, for every sign-up, one after the other). Now the event row
carries the number, kept right by the database itself on every insert, status change and delete of a
registration, whichever code makes it; and the offers still open are counted through an index of the few rows
that have one.

Revision ID: 0003_confirmed_count
Revises: 0002_job_heartbeat
Create Date: 2026-11-29 13:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0003_confirmed_count"
down_revision = "0002_job_heartbeat"
branch_labels = None
depends_on = None

TRIGGERS = ("registration_confirmed_insert", "registration_confirmed_update", "registration_confirmed_delete")

POSTGRESQL = [
    """
    CREATE FUNCTION registration_keeps_confirmed_count() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'confirmed' THEN
            UPDATE event SET confirmed_count = confirmed_count - 1 WHERE id = OLD.event_id;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'confirmed' THEN
            UPDATE event SET confirmed_count = confirmed_count + 1 WHERE id = NEW.event_id;
        END IF;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER registration_confirmed_insert AFTER INSERT ON registration
    FOR EACH ROW WHEN (NEW.status = 'confirmed') EXECUTE FUNCTION registration_keeps_confirmed_count()
    """,
    """
    CREATE TRIGGER registration_confirmed_update AFTER UPDATE OF status, event_id ON registration
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.event_id IS DISTINCT FROM NEW.event_id)
    EXECUTE FUNCTION registration_keeps_confirmed_count()
    """,
    """
    CREATE TRIGGER registration_confirmed_delete AFTER DELETE ON registration
    FOR EACH ROW WHEN (OLD.status = 'confirmed') EXECUTE FUNCTION registration_keeps_confirmed_count()
    """,
]

SQLITE = [
    """
    CREATE TRIGGER registration_confirmed_insert AFTER INSERT ON registration WHEN NEW.status = 'confirmed'
    BEGIN
        UPDATE event SET confirmed_count = confirmed_count + 1 WHERE id = NEW.event_id;
    END
    """,
    """
    CREATE TRIGGER registration_confirmed_update AFTER UPDATE OF status, event_id ON registration
    WHEN OLD.status IS NOT NEW.status OR OLD.event_id IS NOT NEW.event_id
    BEGIN
        UPDATE event SET confirmed_count = confirmed_count - 1 WHERE id = OLD.event_id AND OLD.status = 'confirmed';
        UPDATE event SET confirmed_count = confirmed_count + 1 WHERE id = NEW.event_id AND NEW.status = 'confirmed';
    END
    """,
    """
    CREATE TRIGGER registration_confirmed_delete AFTER DELETE ON registration WHEN OLD.status = 'confirmed'
    BEGIN
        UPDATE event SET confirmed_count = confirmed_count - 1 WHERE id = OLD.event_id;
    END
    """,
]


# Every count written from scratch (as `flask --app wsgi waitlist recount` does, after anything that bypasses
# the triggers: a restore with triggers disabled, TRUNCATE).
RECOUNT = ("UPDATE event SET confirmed_count = (SELECT count(*) FROM registration "
           "WHERE registration.event_id = event.id AND registration.status = 'confirmed')")


def upgrade():
    # A plain ALTER TABLE, also on SQLite (which adds a column in place; batch mode would rebuild the table).
    op.add_column("event", sa.Column("confirmed_count", sa.Integer(), server_default=sa.text("0"), nullable=False))
    op.create_index("ix_registration_event_offers", "registration", ["event_id", "offer_expires_at"], unique=False,
                    postgresql_where=sa.text("offer_expires_at IS NOT NULL"),
                    sqlite_where=sa.text("offer_expires_at IS NOT NULL"))
    if _on_postgresql():
        # On a live database: no registration may change between the count and the triggers taking over.
        op.execute("LOCK TABLE registration IN SHARE ROW EXCLUSIVE MODE")
    create_triggers()
    op.execute(RECOUNT)


def create_triggers() -> None:
    """The triggers that keep the count. SQLite drops a table's triggers with it: a later revision that rebuilds
    `registration` in batch mode must call this again (tests/spine/test_migrations.py checks they exist)."""
    for statement in POSTGRESQL if _on_postgresql() else SQLITE:
        op.execute(statement)


def downgrade():
    for trigger in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}" + (" ON registration" if _on_postgresql() else ""))
    if _on_postgresql():
        op.execute("DROP FUNCTION IF EXISTS registration_keeps_confirmed_count()")
    op.drop_index("ix_registration_event_offers", table_name="registration")
    # Not batch mode: SQLite (3.35 on) drops a column in place, without rebuilding `event`.
    op.execute("ALTER TABLE event DROP COLUMN confirmed_count")


def _on_postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"
