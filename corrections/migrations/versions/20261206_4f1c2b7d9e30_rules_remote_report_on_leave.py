"""rules: seed the remote-report-on-leave contact rule (every level reports remotely on leave)

Revision ID: 4f1c2b7d9e30
Revises: 3f6b2d8a1c57
Create Date: 2026-12-06 04:40:00.000000

"""
from datetime import date, datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4f1c2b7d9e30'
down_revision = '3f6b2d8a1c57'
branch_labels = None
depends_on = None


def upgrade():
    bind = op.get_bind()
    exists = bind.execute(
        sa.text("SELECT id FROM contact_rules WHERE requirement = 'remote_report_on_leave'")
    ).first()
    if exists is None:
        now = datetime.now(timezone.utc)
        contact_rules = sa.table(
            "contact_rules",
            sa.column("programme", sa.String), sa.column("requirement", sa.String),
            sa.column("level", sa.String), sa.column("correction_type", sa.String),
            sa.column("is_key", sa.Boolean), sa.column("satisfied_by", sa.String),
            sa.column("every_days", sa.Integer), sa.column("effective_from", sa.Date),
            sa.column("version", sa.Integer),
            sa.column("created_at", sa.DateTime(timezone=True)),
            sa.column("updated_at", sa.DateTime(timezone=True)),
        )
        op.bulk_insert(contact_rules, [{
            'programme': 'correction',
            'requirement': 'remote_report_on_leave',
            'level': None,
            'correction_type': None,
            'is_key': None,
            'satisfied_by': 'field_visit,info_check,phone,report_in_person,video',
            'every_days': 7,
            'effective_from': date(1900, 1, 1),
            'version': 1,
            'created_at': now,
            'updated_at': now,
        }])
    # Cases with approved leave: their stored due state no longer answers for today or
    # past month ends until the next refresh; the figures then ask the engine.
    op.execute(
        "UPDATE correction_cases SET due_computed_on = NULL, month_ends_from = NULL, "
        "month_ends_to = NULL WHERE id IN "
        "(SELECT case_id FROM leaves WHERE status = 'approved' AND kind = 'leave')"
    )


def downgrade():
    op.execute("DELETE FROM contact_rules WHERE requirement = 'remote_report_on_leave'")
