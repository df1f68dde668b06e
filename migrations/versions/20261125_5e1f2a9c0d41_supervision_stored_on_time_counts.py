"""supervision: each correction case stores its on-time counts over the dashboard window

Revision ID: 5e1f2a9c0d41
Revises: cb9e8b1788e7
Create Date: 2026-11-25 16:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e1f2a9c0d41'
down_revision = 'cb9e8b1788e7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('correction_cases', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('on_time_ok', sa.Integer(), nullable=False, server_default='0')
        )
        batch_op.add_column(
            sa.Column('on_time_total', sa.Integer(), nullable=False, server_default='0')
        )
    # the counts are not known yet: mark every stored state stale (the nightly job or
    # the next write fills them; until then the dashboard computes them)
    op.execute("UPDATE correction_cases SET due_computed_on = NULL")


def downgrade():
    with op.batch_alter_table('correction_cases', schema=None) as batch_op:
        batch_op.drop_column('on_time_total')
        batch_op.drop_column('on_time_ok')
