"""resettlement: cases flag whether their key status ever changed (figures skip the lookup)

Revision ID: 9c4a1d7e5b22
Revises: 7b3d9e2f1a60
Create Date: 2026-11-25 17:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9c4a1d7e5b22'
down_revision = '7b3d9e2f1a60'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('resettlement_cases', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('has_key_changes', sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.execute(
        "UPDATE resettlement_cases SET has_key_changes = true WHERE id IN "
        "(SELECT case_id FROM resettlement_key_changes GROUP BY case_id HAVING count(*) > 1)"
    )


def downgrade():
    with op.batch_alter_table('resettlement_cases', schema=None) as batch_op:
        batch_op.drop_column('has_key_changes')
