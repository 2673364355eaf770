"""event setup: lifecycle, texts, privacy notice, partners with roles, programme changes

Any conference can now be set up by its organisers: the event gets a short name, a tagline, a lifecycle state
(events that exist are already live: published), and the privacy notice's controller, contact and retention.
Convenors and funders become one list of partners with a role (event_convenor and event.funder_id are moved
into event_partner); organisations get a short name (an event file names a session's lead by it); a slot's
name is unique in its event; a programme change made after attendees were told is kept until they are mailed.

Revision ID: 0006_event_setup
Revises: 0003_confirmed_count
Create Date: 2026-12-02 10:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0006_event_setup"
down_revision = "0003_confirmed_count"
branch_labels = None
depends_on = None

STATES = ("draft", "published", "finished", "archived")
ROLES = ("convenor", "funder")
CONFIRMED_COUNT_REVISION = "0003_confirmed_count"
CONFIRMED_COUNT_TRIGGERS = ("registration_confirmed_insert", "registration_confirmed_update",
                            "registration_confirmed_delete")


def _on_sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _rebuild_event_on_sqlite(change) -> None:
    """SQLite cannot drop a column a foreign key uses, so batch mode copies `event` and renames the copy; the
    confirmed-count triggers on `registration` name `event` and would fail that rename, so they are dropped first
    and made again from their own revision afterwards (foreign keys are off during migrations: env.py)."""
    for trigger in CONFIRMED_COUNT_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    with op.batch_alter_table("event", recreate="always") as batch:
        change(batch)
    script = op.get_context().script.get_revision(CONFIRMED_COUNT_REVISION)
    script.module.create_triggers()


def upgrade():
    op.add_column("organisation", sa.Column("short_name", sa.String(length=40), nullable=True))
    # Plain ALTER TABLEs: SQLite adds columns in place (its CHECK constraints included).
    op.add_column("event", sa.Column("short_name", sa.String(length=80), nullable=True))
    op.add_column("event", sa.Column("tagline", sa.String(length=300), nullable=True))
    op.add_column("event", sa.Column(
        "state", sa.Enum(*STATES, name="event_state", native_enum=False, create_constraint=True, length=32),
        nullable=False, server_default="published"))
    op.add_column("event", sa.Column("privacy_controller", sa.String(length=300), nullable=True))
    op.add_column("event", sa.Column("privacy_contact", sa.String(length=254), nullable=True))
    op.add_column("event", sa.Column("privacy_retention_months", sa.Integer(), nullable=True))

    op.create_table(
        "event_partner",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.Enum(*ROLES, name="partner_role", native_enum=False, create_constraint=True,
                                  length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], name=op.f("fk_event_partner_event_id_event"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name=op.f("fk_event_partner_organisation_id_organisation")),
        sa.PrimaryKeyConstraint("event_id", "organisation_id", name=op.f("pk_event_partner")),
    )
    op.execute("INSERT INTO event_partner (event_id, organisation_id, role, position) "
               "SELECT event_id, organisation_id, 'convenor', position FROM event_convenor")
    op.execute("INSERT INTO event_partner (event_id, organisation_id, role, position) "
               "SELECT id, funder_id, 'funder', 1000 FROM event WHERE funder_id IS NOT NULL AND NOT EXISTS "
               "(SELECT 1 FROM event_partner p WHERE p.event_id = event.id AND p.organisation_id = event.funder_id)")
    op.drop_table("event_convenor")

    def finish_event(batch) -> None:
        batch.drop_column("funder_id")
        # The state's default is the model's (draft) from now on; the server default only served existing rows.
        batch.alter_column("state", server_default=None)
        batch.create_check_constraint(
            "retention_positive", "privacy_retention_months IS NULL OR privacy_retention_months > 0")

    if _on_sqlite():
        def finish_event_on_sqlite(batch) -> None:
            finish_event(batch)
            # SQLite's ALTER TABLE could not add the state's CHECK with its column; the rebuilt table has it.
            batch.create_check_constraint("event_state", "state IN ('draft', 'published', 'finished', 'archived')")

        _rebuild_event_on_sqlite(finish_event_on_sqlite)
    else:
        op.drop_constraint("fk_event_funder_id_organisation", "event", type_="foreignkey")
        with op.batch_alter_table("event") as batch:
            finish_event(batch)

    op.create_index("uq_time_slot_event_label", "time_slot", ["event_id", "label"], unique=True)

    op.create_table(
        "programme_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("themed_session_id", sa.Integer(), nullable=True),
        sa.Column("time_slot_id", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("mailed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("mailed_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["staff_user.id"],
                                name=op.f("fk_programme_change_created_by_id_staff_user"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], name=op.f("fk_programme_change_event_id_event"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["themed_session_id"], ["themed_session.id"],
                                name=op.f("fk_programme_change_themed_session_id_themed_session"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["time_slot_id"], ["time_slot.id"],
                                name=op.f("fk_programme_change_time_slot_id_time_slot"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_change")),
    )
    op.create_index(op.f("ix_programme_change_event_id"), "programme_change", ["event_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_programme_change_event_id"), table_name="programme_change")
    op.drop_table("programme_change")
    op.drop_index("uq_time_slot_event_label", table_name="time_slot")

    op.create_table(
        "event_convenor",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], name=op.f("fk_event_convenor_event_id_event"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name=op.f("fk_event_convenor_organisation_id_organisation")),
        sa.PrimaryKeyConstraint("event_id", "organisation_id", name=op.f("pk_event_convenor")),
    )
    op.execute("INSERT INTO event_convenor (event_id, organisation_id, position) "
               "SELECT event_id, organisation_id, position FROM event_partner WHERE role = 'convenor'")

    def restore_funder(batch) -> None:
        batch.add_column(sa.Column("funder_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_event_funder_id_organisation", "organisation", ["funder_id"], ["id"])

    def drop_new_columns(batch) -> None:
        batch.drop_constraint(op.f("ck_event_retention_positive"), type_="check")
        if _on_sqlite():  # on PostgreSQL the state's CHECK goes with its column
            batch.drop_constraint(op.f("ck_event_event_state"), type_="check")
        for column in ("privacy_retention_months", "privacy_contact", "privacy_controller", "state", "tagline",
                       "short_name"):
            batch.drop_column(column)

    if _on_sqlite():
        def change(batch) -> None:
            restore_funder(batch)
            drop_new_columns(batch)

        _rebuild_event_on_sqlite(change)
    else:
        with op.batch_alter_table("event") as batch:
            restore_funder(batch)
            drop_new_columns(batch)
    # The first funder of each event (the schema before this revision had room for one).
    op.execute("UPDATE event SET funder_id = (SELECT organisation_id FROM event_partner p WHERE p.event_id = "
               "event.id AND p.role = 'funder' ORDER BY position LIMIT 1)")
    op.drop_table("event_partner")
    op.drop_column("organisation", "short_name")
