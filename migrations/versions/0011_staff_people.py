"""staff and letters: single-use password links (invitation, reset) kept hashed, the events a staff member may
work on, an event's own wording of its letters, and an HTML version of a mail

Revision ID: 0011_staff_people
Revises: 0011_workspace_report_revisions
Create Date: 2026-12-07 10:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0011_staff_people'
down_revision = '0011_workspace_report_revisions'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'staff_token',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('staff_user_id', sa.Integer(), nullable=False),
        sa.Column('purpose', sa.Enum('invitation', 'reset', name='staff_token_purpose', native_enum=False,
                                     create_constraint=True, length=32), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['staff_user_id'], ['staff_user.id'],
                                name=op.f('fk_staff_token_staff_user_id_staff_user'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by_id'], ['staff_user.id'],
                                name=op.f('fk_staff_token_created_by_id_staff_user'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_token')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_staff_token_token_hash')),
    )
    op.create_index(op.f('ix_staff_token_staff_user_id'), 'staff_token', ['staff_user_id'], unique=False)
    op.create_table(
        'staff_event',
        sa.Column('staff_user_id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['staff_user_id'], ['staff_user.id'],
                                name=op.f('fk_staff_event_staff_user_id_staff_user'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_staff_event_event_id_event'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('staff_user_id', 'event_id', name=op.f('pk_staff_event')),
    )
    op.create_table(
        'letter_template',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('subject', sa.String(length=300), nullable=False),
        sa.Column('body_text', sa.Text(), nullable=False),
        sa.Column('body_html', sa.Text(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_letter_template_event_id_event'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['updated_by_id'], ['staff_user.id'],
                                name=op.f('fk_letter_template_updated_by_id_staff_user'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_letter_template')),
        sa.UniqueConstraint('event_id', 'kind', name=op.f('uq_letter_template_event_id_kind')),
    )
    op.add_column('outbound_mail', sa.Column('body_html', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('outbound_mail') as batch:
        batch.drop_column('body_html')
    op.drop_table('letter_template')
    op.drop_table('staff_event')
    op.drop_index(op.f('ix_staff_token_staff_user_id'), table_name='staff_token')
    op.drop_table('staff_token')
