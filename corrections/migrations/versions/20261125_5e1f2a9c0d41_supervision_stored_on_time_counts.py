"""due state: cases store their on-time counts and the past month ends they were overdue on

Revision ID: 5e1f2a9c0d41
Revises: cb9e8b1788e7
Create Date: 2026-11-25 16:30:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "5e1f2a9c0d41"
down_revision = "cb9e8b1788e7"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("correction_cases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("on_time_ok", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("on_time_total", sa.Integer(), nullable=False, server_default="0")
        )
        _month_end_columns(batch_op)
    with op.batch_alter_table("resettlement_cases", schema=None) as batch_op:
        _month_end_columns(batch_op)
    # the counts are not known yet: mark every stored state stale (the nightly job or
    # the next write fills them; until then the dashboard computes them)
    op.execute("UPDATE correction_cases SET due_computed_on = NULL")
    op.execute("UPDATE resettlement_cases SET due_computed_on = NULL")


def _month_end_columns(batch_op):
    batch_op.add_column(sa.Column("month_ends_from", sa.Date(), nullable=True))
    batch_op.add_column(sa.Column("month_ends_to", sa.Date(), nullable=True))
    batch_op.add_column(
        sa.Column("overdue_month_ends", sa.String(length=200), nullable=False, server_default="")
    )


def downgrade():
    with op.batch_alter_table("resettlement_cases", schema=None) as batch_op:
        batch_op.drop_column("overdue_month_ends")
        batch_op.drop_column("month_ends_to")
        batch_op.drop_column("month_ends_from")
    with op.batch_alter_table("correction_cases", schema=None) as batch_op:
        batch_op.drop_column("overdue_month_ends")
        batch_op.drop_column("month_ends_to")
        batch_op.drop_column("month_ends_from")
        batch_op.drop_column("on_time_total")
        batch_op.drop_column("on_time_ok")
