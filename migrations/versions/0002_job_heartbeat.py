"""job heartbeat: a running job whose worker died is noticed and marked failed

Revision ID: 0002_job_heartbeat
Revises: 0001_whole_schema
Create Date: 2026-11-29 09:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0002_job_heartbeat"
down_revision = "0001_whole_schema"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.drop_column("heartbeat_at")
