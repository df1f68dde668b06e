"""Official numbers (文号): the one service that issues every number the system prints.

A number belongs to a series: a unit (the county bureau), a kind of paper (the series
code and the abbreviation printed in the number) and a year. It reads like the paper
one: ``示范县矫警〔2026〕1号`` (the unit's short name, the abbreviation, 〔year〕, the
serial, 号). Serials run 1, 2, 3 … without gaps or repeats within a series.

How a number is taken (docs/security.md, "Numbering"):

- ``number_sequences`` holds the last serial of each series, unique per unit/series/
  year. The serial is advanced by one ``UPDATE … SET last_serial = last_serial + 1``:
  PostgreSQL locks the row until the transaction ends (a second writer waits, then
  reads the new value), SQLite takes its write lock for the whole transaction. The
  first number of a series inserts the row; two first numbers at once meet the unique
  constraint and the loser tries again.
- ``official_numbers`` records every number issued (what it was issued for, by whom,
  when), unique per unit/series/year/serial: a number can never be issued twice, even
  if a sequence row were set back by hand; a conflict takes the next serial.

The number is part of the caller's transaction: if the request fails, the number is
not used and the next request takes it, so the series stays consecutive.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from corrections import clock
from corrections.db import Base
from corrections.errors import DomainError
from corrections.extensions import db

MAX_ATTEMPTS = 25


class NumberSequence(Base):
    """The last serial issued in one series (unit, series, year)."""

    __tablename__ = "number_sequences"
    __table_args__ = (Index("uq_number_sequences_key", "unit_id", "series", "year", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    series: Mapped[str] = mapped_column(String(40))
    year: Mapped[int] = mapped_column(Integer)
    last_serial: Mapped[int] = mapped_column(Integer, default=0)


class OfficialNumber(Base):
    """One issued number and what it was issued for (``subject``/``subject_id``)."""

    __tablename__ = "official_numbers"
    __table_args__ = (
        Index("uq_official_numbers_serial", "unit_id", "series", "year", "serial", unique=True),
        Index("ix_official_numbers_subject", "subject", "subject_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    series: Mapped[str] = mapped_column(String(40))
    year: Mapped[int] = mapped_column(Integer)
    serial: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(32))  # sanction / generated_document
    subject_id: Mapped[int | None] = mapped_column(Integer)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now_utc)


class NumberingConflict(DomainError):
    """Every attempt met another writer (only under extreme contention): try again."""

    status = 409
    code = "number_conflict"


@dataclass(frozen=True)
class Series:
    code: str  # e.g. warning_decision
    abbrev: str  # printed in the number, e.g. 矫警


def short_unit(name: str) -> str:
    """示范县司法局 -> 示范县 (the prefix of every number)."""
    for suffix in ("社区矫正管理局", "社区矫正局", "司法局", "司法所"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def format_number(unit_name: str, abbrev: str, year: int, serial: int) -> str:
    """示范县 + 矫警 + 〔2026〕 + 1 + 号: one pair of brackets, around the year only."""
    return f"{short_unit(unit_name)}{abbrev}〔{year}〕{serial}号"


def _key(unit_id: int, series: str, year: int):
    return (
        NumberSequence.unit_id == unit_id,
        NumberSequence.series == series,
        NumberSequence.year == year,
    )


def _advance(unit_id: int, series: str, year: int) -> int | None:
    """The next serial of the series (the sequence row is locked until the transaction
    ends), or None when another writer created the series at the same moment."""
    result = db.session.execute(
        update(NumberSequence)
        .where(*_key(unit_id, series, year))
        .values(last_serial=NumberSequence.last_serial + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount:
        return db.session.execute(
            select(NumberSequence.last_serial).where(*_key(unit_id, series, year))
        ).scalar_one()
    try:
        with db.session.begin_nested():
            db.session.add(NumberSequence(unit_id=unit_id, series=series, year=year, last_serial=1))
    except IntegrityError:
        return None
    return 1


def issue(
    unit: Any,
    series: Series,
    year: int,
    *,
    subject: str,
    subject_id: int | None = None,
    actor: Any = None,
) -> OfficialNumber:
    """Issue the next number of ``series`` for ``unit`` (a Unit) in ``year``; flushes, the
    caller commits (or rolls back, which gives the number back)."""
    db.session.flush()  # pending changes fail here, not inside the savepoints below
    for _attempt in range(MAX_ATTEMPTS):
        serial = _advance(unit.id, series.code, year)
        if serial is None:
            continue
        row = OfficialNumber(
            unit_id=unit.id,
            series=series.code,
            year=year,
            serial=serial,
            number=format_number(unit.name, series.abbrev, year, serial),
            subject=subject,
            subject_id=subject_id,
            issued_by_id=getattr(actor, "id", None),
            issued_at=clock.now_utc(),
        )
        try:
            with db.session.begin_nested():
                db.session.add(row)
        except IntegrityError:
            continue  # this serial was issued already (e.g. kept from before): the next one
        return row
    raise NumberingConflict(_("文号分配冲突，请稍后重试。"))


def issued_for(subject: str, subject_id: int) -> list[OfficialNumber]:
    return list(
        db.session.execute(
            select(OfficialNumber)
            .where(OfficialNumber.subject == subject, OfficialNumber.subject_id == subject_id)
            .order_by(OfficialNumber.id)
        ).scalars()
    )
