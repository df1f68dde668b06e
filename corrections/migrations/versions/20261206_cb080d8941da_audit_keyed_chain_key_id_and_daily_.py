"""audit: keyed chain (key_id) and daily anchors

Revision ID: cb080d8941da
Revises: 9c4a1d7e5b22
Create Date: 2026-12-06 04:24:42.073877

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'cb080d8941da'
down_revision = '9c4a1d7e5b22'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_anchors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('anchored_on', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('length', sa.Integer(), nullable=False),
    sa.Column('last_event_id', sa.Integer(), nullable=False),
    sa.Column('head_hash', sa.String(length=64), nullable=False),
    sa.Column('key_id', sa.String(length=16), nullable=False),
    sa.Column('signature', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_anchors')),
    sa.UniqueConstraint('anchored_on', name=op.f('uq_audit_anchors_anchored_on'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('key_id', sa.String(length=16), server_default='', nullable=False))



def downgrade():
    # Events written since the upgrade carry HMAC hashes: after a downgrade the chain
    # no longer verifies with the old code from the first of them on.
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_column('key_id')

    op.drop_table('audit_anchors')
