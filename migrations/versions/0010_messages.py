"""messages: the event reminder (days before, per event; when each attendee's was queued) and when an event's
attendee data was anonymised

Revision ID: 0010_messages
Revises: 0008_badge_qr
Create Date: 2026-12-07 08:05:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0010_messages'
down_revision = '0007_registration_email_key'
branch_labels = None
depends_on = None


CHECK = "reminder_days >= 0 AND reminder_days <= 60"
CONFIRMED_COUNT_REVISION = "0003_confirmed_count"
CONFIRMED_COUNT_TRIGGERS = ("registration_confirmed_insert", "registration_confirmed_update",
                            "registration_confirmed_delete")


def _on_sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade():
    op.add_column('event', sa.Column('anonymised_at', sa.DateTime(timezone=True), nullable=True))
    if _on_sqlite():
        # In place: SQLite adds a column with its CHECK; batch mode would rebuild `event` under its triggers.
        op.execute("ALTER TABLE event ADD COLUMN reminder_days INTEGER DEFAULT 3 NOT NULL "
                   f"CONSTRAINT ck_event_reminder_days_in_range CHECK ({CHECK})")
    else:
        op.add_column('event', sa.Column('reminder_days', sa.Integer(), server_default=sa.text('3'), nullable=False))
        op.create_check_constraint(op.f('ck_event_reminder_days_in_range'), 'event', CHECK)
    op.add_column('registration', sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    op.drop_column('registration', 'reminded_at')
    if not _on_sqlite():
        op.drop_constraint(op.f('ck_event_reminder_days_in_range'), 'event', type_='check')
        op.drop_column('event', 'reminder_days')
        op.drop_column('event', 'anonymised_at')
        return
    # SQLite will not drop a column its CHECK names: copy the table (as 0006 does), triggers made again after.
    for trigger in CONFIRMED_COUNT_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    with op.batch_alter_table("event", recreate="always") as batch:
        batch.drop_constraint(op.f('ck_event_reminder_days_in_range'), type_='check')
        batch.drop_column('reminder_days')
        batch.drop_column('anonymised_at')
    op.get_context().script.get_revision(CONFIRMED_COUNT_REVISION).module.create_triggers()
