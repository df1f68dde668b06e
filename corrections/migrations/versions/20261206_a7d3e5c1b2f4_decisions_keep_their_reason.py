"""decisions keep their reason: leaves and sanctions get a decision note like level changes

Revision ID: a7d3e5c1b2f4
Revises: a7e3c5d1f9b2
Create Date: 2026-12-06 07:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7d3e5c1b2f4'
down_revision = 'a7e3c5d1f9b2'
branch_labels = None
depends_on = None


def upgrade():
    for table in ('leaves', 'sanctions'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column('decision_note', sa.Text(), nullable=False, server_default='')
            )


def downgrade():
    for table in ('sanctions', 'leaves'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('decision_note')
