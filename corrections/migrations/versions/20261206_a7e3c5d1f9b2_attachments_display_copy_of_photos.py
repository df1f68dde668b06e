"""attachments: the display copy of a phone photo (display_key, display_sha256)

Revision ID: a7e3c5d1f9b2
Revises: 4f7c2b9e1d3a
Create Date: 2026-12-06 07:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7e3c5d1f9b2'
down_revision = '4f7c2b9e1d3a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('display_key', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('display_sha256', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_column('display_sha256')
        batch_op.drop_column('display_key')
