"""reminders: job runs record the scheduler that ran them

Revision ID: 5951e0c95509
Revises: cb080d8941da
Create Date: 2026-12-06 04:37:11.357247

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5951e0c95509'
down_revision = 'cb080d8941da'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('runner', sa.String(length=128), server_default='', nullable=False))



def downgrade():
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.drop_column('runner')

