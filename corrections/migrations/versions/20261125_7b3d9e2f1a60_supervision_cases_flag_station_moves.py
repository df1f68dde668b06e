"""supervision: correction cases flag whether they ever moved station (figures skip the lookup)

Revision ID: 7b3d9e2f1a60
Revises: 5e1f2a9c0d41
Create Date: 2026-11-25 17:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7b3d9e2f1a60'
down_revision = '5e1f2a9c0d41'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('correction_cases', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('has_moves', sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.execute(
        "UPDATE correction_cases SET has_moves = true "
        "WHERE id IN (SELECT case_id FROM case_station_moves)"
    )


def downgrade():
    with op.batch_alter_table('correction_cases', schema=None) as batch_op:
        batch_op.drop_column('has_moves')
