"""offline check-in: a scan's device time and the answer the device gave offline, for the scan log

A scan made on a device with no network is sent later: its log row's ``at`` is when it reached the server (the
sync time), ``device_at`` when the person was scanned, and ``offline_result`` what the device answered then
(NULL for a scan answered online). A row whose offline_result differs from its result is a correction the
device shows its staff.

Revision ID: 0011_offline_scan_times
Revises: 0010_messages
Create Date: 2026-12-07 10:20:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0011_offline_scan_times"
down_revision = "0010_messages"
branch_labels = None
depends_on = None


def upgrade():
    # Nullable columns with no default: ALTER TABLE ADD COLUMN in place on both SQLite and PostgreSQL.
    op.add_column("scan_log", sa.Column("device_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("scan_log", sa.Column("offline_result", sa.String(length=32), nullable=True))


def downgrade():
    with op.batch_alter_table("scan_log", schema=None) as batch_op:
        batch_op.drop_column("offline_result")
        batch_op.drop_column("device_at")
