"""paperwork: generated documents keep their PDF; sanction documents carry the sanction's number

Revision ID: cb9e8b1788e7
Revises: 0ccb5e0eb14a
Create Date: 2026-11-25 16:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'cb9e8b1788e7'
down_revision = '0ccb5e0eb14a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('generated_documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('record_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('size', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('sha256', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('storage_key', sa.String(length=300), nullable=True))
        batch_op.alter_column('serial', existing_type=sa.Integer(), nullable=True)


def downgrade():
    # documents numbered by their sanction have no serial of their own: drop them first
    op.execute("DELETE FROM generated_documents WHERE serial IS NULL")
    with op.batch_alter_table('generated_documents', schema=None) as batch_op:
        batch_op.alter_column('serial', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('storage_key')
        batch_op.drop_column('sha256')
        batch_op.drop_column('size')
        batch_op.drop_column('record_id')
