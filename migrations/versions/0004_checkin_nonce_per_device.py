"""check-in nonces per scanner: unique per device, or per staff member at an event, instead of per event

A nonce is what makes a scanner's retry safe: the same nonce again is answered from the scan log. Unique per
event, a second device (or staff member) that happened to send a nonce already used got the earlier person's
answer and nothing was written for the person in front of it. Now a nonce is unique per scanner: per device
(its token belongs to one event), or per event and staff member for the scanner page.

Revision ID: 0004_checkin_nonce_per_device
Revises: 0009_survey
Create Date: 2026-12-02 10:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0004_checkin_nonce_per_device"
# After the newest revision on main when this was written (0006 and 0009 were chained to 0003 first): one line
# of revisions, whatever their numbers.
down_revision = "0009_survey"
branch_labels = None
depends_on = None

NONCE_GIVEN = sa.text("nonce IS NOT NULL")


def upgrade():
    # SQLite keeps a UNIQUE constraint inside CREATE TABLE: dropping it is batch mode's rebuild of scan_log (with
    # foreign keys off for the migrations, see migrations/env.py; no table points at scan_log, none of its rows
    # is lost). On PostgreSQL batch mode issues plain ALTER TABLE statements.
    with op.batch_alter_table("scan_log", schema=None) as batch_op:
        batch_op.drop_constraint("uq_scan_log_event_id_nonce", type_="unique")
    op.create_index("uq_scan_log_device_nonce", "scan_log", ["scanner_device_id", "nonce"], unique=True,
                    sqlite_where=NONCE_GIVEN, postgresql_where=NONCE_GIVEN)
    op.create_index("uq_scan_log_staff_nonce", "scan_log", ["event_id", "staff_user_id", "nonce"], unique=True,
                    sqlite_where=NONCE_GIVEN, postgresql_where=NONCE_GIVEN)


def downgrade():
    op.drop_index("uq_scan_log_staff_nonce", table_name="scan_log")
    op.drop_index("uq_scan_log_device_nonce", table_name="scan_log")
    # Two scanners may now have logged the same nonce at one event, which the old constraint refuses: the later
    # rows forget theirs (they stay in the log; only a retry of those scans would no longer be recognised).
    op.execute(
        "UPDATE scan_log SET nonce = NULL WHERE nonce IS NOT NULL AND id NOT IN "
        "(SELECT min(id) FROM scan_log WHERE nonce IS NOT NULL GROUP BY event_id, nonce)"
    )
    with op.batch_alter_table("scan_log", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_scan_log_event_id_nonce", ["event_id", "nonce"])
