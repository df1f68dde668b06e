"""numbering: one service for every official number (number_sequences, official_numbers)

Replaces document_counters (sanctions) and the max + 1 of generated documents. Numbers
already issued are kept as they are (they may be on paper) and registered where they can
be read; every sequence continues after the highest serial already used, so no new number
repeats an old one.

Revision ID: 4f7c2b9e1d3a
Revises: d4e7a1c93b10
Create Date: 2026-12-06 04:40:00.000000

"""
import logging
import re

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4f7c2b9e1d3a'
down_revision = 'd4e7a1c93b10'
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

# the old sanction counters' kinds -> the series of the sanction's document
_SERIES = {
    "commendation": ["commendation"],
    "admonition": ["admonition_decision"],
    "warning": ["warning_decision"],
    "police_penalty_request": ["police_penalty_request"],
    "custody_request": ["custody_request"],
    "revocation_request": ["revocation_probation", "revocation_parole"],
}
_OLD_NUMBER = re.compile(r"〔(\d{4})〕\S*?字第(\d+)号")
_NEW_NUMBER = re.compile(r"〔(\d{4})〕(\d+)号$")


def _sanction_series(kind, correction_type):
    if kind == "revocation_request":
        return "revocation_parole" if correction_type == "parole" else "revocation_probation"
    return _SERIES.get(kind, [kind])[0]


def upgrade():
    op.create_table(
        'number_sequences',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('series', sa.String(length=40), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('last_serial', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_number_sequences_unit_id_units')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_number_sequences')),
    )
    op.create_index('uq_number_sequences_key', 'number_sequences', ['unit_id', 'series', 'year'], unique=True)
    op.create_table(
        'official_numbers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('series', sa.String(length=40), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('serial', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=64), nullable=False),
        sa.Column('subject', sa.String(length=32), nullable=False),
        sa.Column('subject_id', sa.Integer(), nullable=True),
        sa.Column('issued_by_id', sa.Integer(), nullable=True),
        sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_official_numbers_unit_id_units')),
        sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_official_numbers_issued_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_official_numbers')),
    )
    op.create_index('uq_official_numbers_serial', 'official_numbers', ['unit_id', 'series', 'year', 'serial'], unique=True)
    op.create_index('ix_official_numbers_subject', 'official_numbers', ['subject', 'subject_id'], unique=False)
    _carry_over(op.get_bind())
    op.drop_table('document_counters')


def _carry_over(conn):
    numbers = sa.table(
        'official_numbers',
        *(sa.column(c) for c in ('unit_id', 'series', 'year', 'serial', 'number', 'subject',
                                 'subject_id', 'issued_by_id', 'issued_at')),
    )
    sequences = sa.table(
        'number_sequences', *(sa.column(c) for c in ('unit_id', 'series', 'year', 'last_serial'))
    )
    taken = {}  # (unit, series, year, serial) -> row
    last = {}  # (unit, series, year) -> highest serial used

    def use(key, serial):
        last[key] = max(last.get(key, 0), serial)

    for row in conn.execute(sa.text(
        "SELECT id, unit_id, kind, year, serial, number, generated_by_id, generated_at "
        "FROM generated_documents WHERE serial IS NOT NULL ORDER BY id"
    )):
        key = (row.unit_id, row.kind, row.year)
        taken[(*key, row.serial)] = dict(
            unit_id=row.unit_id, series=row.kind, year=row.year, serial=row.serial,
            number=row.number, subject='generated_document', subject_id=row.id,
            issued_by_id=row.generated_by_id, issued_at=row.generated_at,
        )
        use(key, row.serial)

    duplicates = []
    for row in conn.execute(sa.text(
        "SELECT s.id, s.kind, s.document_number, s.decided_on, s.decided_by_id, "
        "c.correction_type, st.unit_id FROM sanctions s "
        "JOIN correction_cases c ON c.id = s.case_id JOIN stations st ON st.id = c.station_id "
        "WHERE s.document_number IS NOT NULL AND s.document_number <> '' ORDER BY s.id"
    )):
        match = _OLD_NUMBER.search(row.document_number) or _NEW_NUMBER.search(
            row.document_number
        )
        if match is None:
            continue
        year, serial = int(match.group(1)), int(match.group(2))
        key = (row.unit_id, _sanction_series(row.kind, row.correction_type), year)
        use(key, serial)
        if (*key, serial) in taken:
            duplicates.append(row.id)
            continue
        decided = row.decided_on
        taken[(*key, serial)] = dict(
            unit_id=row.unit_id, series=key[1], year=year, serial=serial,
            number=row.document_number, subject='sanction', subject_id=row.id,
            issued_by_id=row.decided_by_id,
            issued_at=_noon(decided),
        )

    for row in conn.execute(sa.text(
        "SELECT unit_id, year, kind, last_number FROM document_counters"
    )):
        for series in _SERIES.get(row.kind, [row.kind]):
            use((row.unit_id, series, row.year), row.last_number)

    for values in taken.values():
        conn.execute(numbers.insert().values(**values))
    for (unit_id, series, year), serial in last.items():
        conn.execute(sequences.insert().values(
            unit_id=unit_id, series=series, year=year, last_serial=serial
        ))
    if duplicates:
        log.warning(
            "sanctions %s carry a number another sanction carries already (issued before "
            "numbers were unique); they keep it, the register holds the first",
            ", ".join(str(i) for i in duplicates),
        )


def _noon(day):
    from datetime import datetime, timezone

    if day is None:
        return datetime.now(timezone.utc)
    if isinstance(day, str):
        day = datetime.strptime(day[:10], "%Y-%m-%d").date()
    return datetime(day.year, day.month, day.day, 4, 0, tzinfo=timezone.utc)


def downgrade():
    op.create_table(
        'document_counters',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('last_number', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_document_counters_unit_id_units')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_document_counters')),
    )
    op.create_index('uq_document_counters_key', 'document_counters', ['unit_id', 'year', 'kind'], unique=True)
    # the sanction series continue in the old counters, so no old number repeats
    back = {s: k for k, series in _SERIES.items() for s in series}
    last = {}
    for row in op.get_bind().execute(sa.text(
        "SELECT unit_id, series, year, last_serial FROM number_sequences"
    )):
        if row.series in back:
            key = (row.unit_id, row.year, back[row.series])
            last[key] = max(last.get(key, 0), row.last_serial)
    counters = sa.table(
        'document_counters', *(sa.column(c) for c in ('unit_id', 'year', 'kind', 'last_number'))
    )
    for (unit_id, year, kind), serial in last.items():
        op.get_bind().execute(counters.insert().values(
            unit_id=unit_id, year=year, kind=kind, last_number=serial
        ))
    op.drop_index('ix_official_numbers_subject', table_name='official_numbers')
    op.drop_index('uq_official_numbers_serial', table_name='official_numbers')
    op.drop_table('official_numbers')
    op.drop_index('uq_number_sequences_key', table_name='number_sequences')
    op.drop_table('number_sequences')
