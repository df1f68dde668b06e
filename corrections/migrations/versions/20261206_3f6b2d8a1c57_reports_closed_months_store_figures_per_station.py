"""reports: closed months store their figures per station (scope holds on closed months)

Months closed before this revision kept each station's figures inside closed_months.figures
(by station code). They are converted into one closed_month_stations row per station with the
same stored numbers; their distinct-people members were never stored, so those rows have
members NULL (the figure over several stations then falls back as docs/domain.md §7.8 says).
closed_months.figures is left as it was, so a downgrade loses nothing.

Revision ID: 3f6b2d8a1c57
Revises: 967da1e80a6b
Create Date: 2026-12-06 04:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3f6b2d8a1c57'
down_revision = '967da1e80a6b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('closed_month_stations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('closed_month_id', sa.Integer(), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('members', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['closed_month_id'], ['closed_months.id'], name=op.f('fk_closed_month_stations_closed_month_id_closed_months')),
    sa.ForeignKeyConstraint(['station_id'], ['stations.id'], name=op.f('fk_closed_month_stations_station_id_stations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_closed_month_stations'))
    )
    with op.batch_alter_table('closed_month_stations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_closed_month_stations_closed_month_id'), ['closed_month_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_closed_month_stations_station_id'), ['station_id'], unique=False)
        batch_op.create_index('uq_closed_month_stations_month_station', ['closed_month_id', 'station_id'], unique=True)

    convert(op.get_bind())


def convert(bind):
    """One closed_month_stations row per station stored in each closed month's JSON (members
    NULL: the people behind distinct figures were not stored then). Returns the rows made."""
    months = sa.table(
        'closed_months',
        sa.column('id', sa.Integer),
        sa.column('unit_id', sa.Integer),
        sa.column('figures', sa.JSON),
    )
    stations = sa.table(
        'stations',
        sa.column('id', sa.Integer),
        sa.column('unit_id', sa.Integer),
        sa.column('code', sa.String),
    )
    rows = sa.table(
        'closed_month_stations',
        sa.column('closed_month_id', sa.Integer),
        sa.column('station_id', sa.Integer),
        sa.column('figures', sa.JSON),
        sa.column('members', sa.JSON),
    )
    station_ids = {
        (unit_id, code): station_id
        for station_id, unit_id, code in bind.execute(
            sa.select(stations.c.id, stations.c.unit_id, stations.c.code)
        )
    }
    done = {month_id for (month_id,) in bind.execute(sa.select(rows.c.closed_month_id))}
    converted = []
    for month_id, unit_id, stored in bind.execute(
        sa.select(months.c.id, months.c.unit_id, months.c.figures)
    ):
        if month_id in done:
            continue
        for code, values in sorted(((stored or {}).get('stations') or {}).items()):
            station_id = station_ids.get((unit_id, code))
            if station_id is None:  # a station since deleted or renamed: kept in the JSON only
                continue
            converted.append(
                {
                    'closed_month_id': month_id,
                    'station_id': station_id,
                    'figures': {k: int(v) for k, v in (values or {}).items()},
                    'members': None,
                }
            )
    if converted:
        bind.execute(rows.insert(), converted)
    return len(converted)


def downgrade():
    with op.batch_alter_table('closed_month_stations', schema=None) as batch_op:
        batch_op.drop_index('uq_closed_month_stations_month_station')
        batch_op.drop_index(batch_op.f('ix_closed_month_stations_station_id'))
        batch_op.drop_index(batch_op.f('ix_closed_month_stations_closed_month_id'))

    op.drop_table('closed_month_stations')
