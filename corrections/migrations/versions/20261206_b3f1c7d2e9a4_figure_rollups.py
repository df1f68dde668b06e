"""figures: stored per-station figures of open periods, kept exact by per-station versions
(folded versions, and the changes written since, inserted only)
(docs/performance.md, "Stored figures of open periods")

Revision ID: b3f1c7d2e9a4
Revises: 8e5d3c1f7a92
Create Date: 2026-12-06 14:20:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b3f1c7d2e9a4"
down_revision = "8e5d3c1f7a92"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "figure_station_versions",
        sa.Column("station_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("station_id", name=op.f("pk_figure_station_versions")),
    )
    op.create_table(
        "figure_station_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_figure_station_changes")),
    )
    op.create_index(
        op.f("ix_figure_station_changes_station_id"),
        "figure_station_changes",
        ["station_id"],
        unique=False,
    )
    op.create_table(
        "figure_rollups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("computed_on", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("members", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id"], ["stations.id"], name=op.f("fk_figure_rollups_station_id_stations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_figure_rollups")),
    )
    op.create_index(
        "uq_figure_rollups_station_period",
        "figure_rollups",
        ["station_id", "period_start", "period_end"],
        unique=True,
    )


def downgrade():
    op.drop_index("uq_figure_rollups_station_period", table_name="figure_rollups")
    op.drop_table("figure_rollups")
    op.drop_index(op.f("ix_figure_station_changes_station_id"), table_name="figure_station_changes")
    op.drop_table("figure_station_changes")
    op.drop_table("figure_station_versions")
