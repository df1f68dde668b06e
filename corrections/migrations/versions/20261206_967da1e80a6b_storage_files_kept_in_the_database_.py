"""storage: files kept in the database (stored_files)

Revision ID: 967da1e80a6b
Revises: 4f2c8e1a9b37
Create Date: 2026-12-06 05:22:53.441902

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '967da1e80a6b'
down_revision = '4f2c8e1a9b37'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stored_files',
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_stored_files'))
    )


def downgrade():
    op.drop_table('stored_files')
