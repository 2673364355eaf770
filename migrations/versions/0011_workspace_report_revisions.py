"""workspace: report section versions, revisions and autosaved drafts; indexes for the registrations table

Revision ID: 0011_workspace_report_revisions
Revises: 0011_offline_scan_times
Create Date: 2026-12-07 10:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0011_workspace_report_revisions'
down_revision = '0011_offline_scan_times'
branch_labels = None
depends_on = None

PARTS = ('narrative', 'key_findings', 'lessons', 'open_questions')


def _parts():
    return [sa.Column(name, sa.Text(), nullable=False) for name in PARTS]


def upgrade():
    op.add_column('report_section', sa.Column('version', sa.Integer(), server_default=sa.text('0'), nullable=False))
    op.create_table(
        'report_revision',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('section_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        *_parts(),
        sa.Column('status', sa.Enum('draft', 'ready', name='section_status', native_enum=False,
                                    create_constraint=True, length=32), nullable=False),
        sa.Column('saved_by_id', sa.Integer(), nullable=True),
        sa.Column('saved_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('restored_from', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['section_id'], ['report_section.id'],
                                name=op.f('fk_report_revision_section_id_report_section'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['saved_by_id'], ['staff_user.id'],
                                name=op.f('fk_report_revision_saved_by_id_staff_user'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_report_revision')),
        sa.UniqueConstraint('section_id', 'version', name=op.f('uq_report_revision_section_id_version')),
    )
    op.create_table(
        'report_draft',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('themed_session_id', sa.Integer(), nullable=False),
        sa.Column('staff_user_id', sa.Integer(), nullable=False),
        sa.Column('base_version', sa.Integer(), nullable=False),
        *_parts(),
        sa.Column('saved_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['themed_session_id'], ['themed_session.id'],
                                name=op.f('fk_report_draft_themed_session_id_themed_session'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['staff_user_id'], ['staff_user.id'],
                                name=op.f('fk_report_draft_staff_user_id_staff_user'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_report_draft')),
        sa.UniqueConstraint('themed_session_id', 'staff_user_id',
                            name=op.f('uq_report_draft_themed_session_id_staff_user_id')),
    )
    # What is saved already becomes version 1, so that its history starts with it.
    columns = ', '.join(PARTS)
    op.execute(f"INSERT INTO report_revision (section_id, version, {columns}, status, saved_by_id, saved_at) "
               f"SELECT id, 1, {columns}, status, updated_by_id, updated_at FROM report_section")
    op.execute("UPDATE report_section SET version = 1")
    op.create_index('ix_registration_event_created', 'registration', ['event_id', 'created_at'], unique=False)
    op.create_index('ix_registration_event_country', 'registration', ['event_id', 'country'], unique=False)


def downgrade():
    op.drop_index('ix_registration_event_country', table_name='registration')
    op.drop_index('ix_registration_event_created', table_name='registration')
    op.drop_table('report_draft')
    op.drop_table('report_revision')
    with op.batch_alter_table('report_section') as batch:
        batch.drop_column('version')
