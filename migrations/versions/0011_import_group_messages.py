"""group messages: a message an organiser writes to a group of attendees, and its copies in the outbox

Revision ID: 0011_import_group_messages
Revises: 0011_staff_people
Create Date: 2026-12-07 10:15:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0011_import_group_messages'
down_revision = '0011_staff_people'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'group_message',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('audience', sa.String(length=40), nullable=False),
        sa.Column('themed_session_id', sa.Integer(), nullable=True),
        sa.Column('subject', sa.String(length=300), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('attach_calendar', sa.Boolean(), nullable=False),
        sa.Column('recipients', sa.Integer(), nullable=False),
        sa.Column('job_id', sa.String(length=36), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_group_message_event_id_event'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['themed_session_id'], ['themed_session.id'],
                                name=op.f('fk_group_message_themed_session_id_themed_session'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['created_by_id'], ['staff_user.id'],
                                name=op.f('fk_group_message_created_by_id_staff_user'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_group_message')),
    )
    op.create_index(op.f('ix_group_message_event_id'), 'group_message', ['event_id'], unique=False)
    with op.batch_alter_table('outbound_mail') as batch:
        batch.add_column(sa.Column('group_message_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(batch.f('fk_outbound_mail_group_message_id_group_message'), 'group_message',
                                 ['group_message_id'], ['id'], ondelete='CASCADE')
        batch.create_index(batch.f('ix_outbound_mail_group_message_id'), ['group_message_id'], unique=False)


def downgrade():
    with op.batch_alter_table('outbound_mail') as batch:
        batch.drop_index(batch.f('ix_outbound_mail_group_message_id'))
        batch.drop_constraint(batch.f('fk_outbound_mail_group_message_id_group_message'), type_='foreignkey')
        batch.drop_column('group_message_id')
    op.drop_index(op.f('ix_group_message_event_id'), table_name='group_message')
    op.drop_table('group_message')
