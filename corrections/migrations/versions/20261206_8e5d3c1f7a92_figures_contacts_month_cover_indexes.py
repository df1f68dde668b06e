"""figures: a month's contacts are read from an index alone (occurred_on, case_id, kind where
not voided), for contacts and resettlement contacts (docs/performance.md)

Revision ID: 8e5d3c1f7a92
Revises: 0d5354a001bf
Create Date: 2026-12-06 07:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "8e5d3c1f7a92"
down_revision = "0d5354a001bf"
branch_labels = None
depends_on = None

_INDEXES = (
    ("ix_contacts_month_cover", "contacts"),
    ("ix_resettlement_contacts_month_cover", "resettlement_contacts"),
)


def upgrade():
    for name, table in _INDEXES:
        op.create_index(
            name,
            table,
            ["occurred_on", "case_id", "kind"],
            unique=False,
            postgresql_where=sa.text("voided_at IS NULL"),
            sqlite_where=sa.text("voided_at IS NULL"),
        )


def downgrade():
    for name, table in _INDEXES:
        op.drop_index(name, table_name=table)
