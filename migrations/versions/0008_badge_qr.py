"""badge QR codes kept: each badge code's QR symbol as SVG, made once instead of at every print

Revision ID: 0008_badge_qr
Revises: 0009_survey
Create Date: 2026-12-07 07:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0008_badge_qr"
down_revision = "0004_checkin_nonce_per_device"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "badge_qr",
        sa.Column("code", sa.String(length=80), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("svg", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["registration_id"], ["registration.id"], name=op.f("fk_badge_qr_registration_id_registration"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_badge_qr")),
    )
    op.create_index(op.f("ix_badge_qr_registration_id"), "badge_qr", ["registration_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_badge_qr_registration_id"), table_name="badge_qr")
    op.drop_table("badge_qr")
