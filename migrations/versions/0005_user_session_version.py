"""staff session version: logging out, a new password or deactivation ends every session of the account

A login's session carries the account's id and this number; raising the number makes every session (and every
copied cookie) made before it stop working.

Revision ID: 0005_user_session_version
Revises: 0009_survey
Create Date: 2026-12-07 09:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0005_user_session_version"
down_revision = "0008_badge_qr"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE, also on SQLite: batch mode would rebuild `staff_user` and lose its expression index
    # (unique lower(email)), which SQLAlchemy cannot reflect.
    op.add_column("staff_user", sa.Column("session_version", sa.Integer(), nullable=False,
                                          server_default=sa.text("1")))


def downgrade():
    # SQLite (3.35 on) drops a column in place, without rebuilding the table.
    op.execute("ALTER TABLE staff_user DROP COLUMN session_version")
