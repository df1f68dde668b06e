"""intake: correction cases keep why a report deadline was not moved off a rest day; "due soon" windows become deadline rule rows

Revision ID: d4e7a1c93b10
Revises: 4f1c2b7d9e30
Create Date: 2026-12-06 04:50:00.000000

"""
from datetime import date, datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4e7a1c93b10'
down_revision = '4f1c2b7d9e30'
branch_labels = None
depends_on = None

WINDOWS = {'medical_review_soon_days': 7, 'monitoring_end_soon_days': 7, 'due_soon_days': 7}


def upgrade():
    with op.batch_alter_table('correction_cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('report_deadline_note', sa.String(length=100), nullable=True))
    deadline_rules = sa.table(
        "deadline_rules",
        sa.column("key", sa.String), sa.column("value", sa.Integer),
        sa.column("effective_from", sa.Date), sa.column("version", sa.Integer),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    now = datetime.now(timezone.utc)
    op.bulk_insert(deadline_rules, [
        {"key": k, "value": v, "effective_from": date(1900, 1, 1), "version": 1,
         "created_at": now, "updated_at": now}
        for k, v in WINDOWS.items()
    ])


def downgrade():
    keys = ", ".join(f"'{k}'" for k in WINDOWS)
    op.execute(f"DELETE FROM deadline_rules WHERE key IN ({keys})")
    with op.batch_alter_table('correction_cases', schema=None) as batch_op:
        batch_op.drop_column('report_deadline_note')
