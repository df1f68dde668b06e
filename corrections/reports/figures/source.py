"""A figure and the records behind it (docs/domain.md §5): the grouped count and the
drill-down rows are both built from one ``Source``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, literal, select
from sqlalchemy.sql import ColumnElement, Select

from corrections.reports.figures.overdue import overdue_cases
from corrections.reports.figures.sql import CC, RC, station_at


@dataclass(frozen=True)
class Source:
    """The records behind a figure: rows of ``entity`` (joined by ``frm`` when the station or a
    condition needs another table) meeting ``where``, each counted at ``station``. ``per`` is set
    when the figure counts distinct values (a case, a person) rather than rows; ``on`` is the date
    a row counts by. The grouped count and the drill-down rows are both built from this."""

    entity: Any
    station: ColumnElement
    where: tuple
    frm: Any = None
    per: ColumnElement | None = None
    on: ColumnElement | None = None

    def _from(self, query: Select) -> Select:
        return query.select_from(self.frm) if self.frm is not None else query

    def _scoped(self, query: Select, station_ids: Iterable[int] | None, *more) -> Select:
        """``query`` over this source's rows (and ``more`` conditions), only at ``station_ids``
        if given."""
        query = self._from(query).where(*self.where, *more)
        if station_ids is not None:
            query = query.where(self.station.in_(list(station_ids)))
        return query

    def grouped(self, station_ids: Iterable[int] | None = None) -> Select:
        """SELECT (station_id, value) grouped by station (only ``station_ids`` if given)."""
        value = func.count(func.distinct(self.per)) if self.per is not None else func.count()
        query = select(self.station.label("station_id"), value.label("value"))
        return self._scoped(query, station_ids).group_by(self.station)

    def distinct_total(self, station_ids: Iterable[int] | None) -> Select:
        """SELECT the number of distinct ``per`` over the stations (the total of a
        distinct-people figure is not the sum of its stations)."""
        query = select(
            literal(None).label("station_id"), func.count(func.distinct(self.per)).label("value")
        )
        return self._scoped(query, station_ids)

    def rows(self, station_ids: Iterable[int] | None) -> Select:
        """The rows behind the number: ``(entity, station_id)``; for a distinct figure one row
        per ``per`` value: ``(group_id, station_id, records, first_on, last_on)``."""
        if self.per is not None:
            query = select(
                self.per.label("group_id"),
                func.min(self.station).label("station_id"),
                func.count().label("records"),
                func.min(self.on).label("first_on"),
                func.max(self.on).label("last_on"),
            )
            query = self._scoped(query, station_ids)
            return query.group_by(self.per).order_by(func.max(self.on).desc(), self.per)
        query = self._scoped(select(self.entity, self.station.label("station_id")), station_ids)
        order = [self.on.desc()] if self.on is not None else []
        return query.order_by(*order, self.entity.id.desc())

    def station_members(self, station_ids: Iterable[int] | None) -> Select:
        """For a distinct figure: SELECT DISTINCT (station_id, member) — the ``per`` values
        counted at each station (a closed month stores them, docs/domain.md §7.8)."""
        query = select(self.station.label("station_id"), self.per.label("member"))
        return self._scoped(query, station_ids).distinct()

    def members(self, values: Iterable, station_ids: Iterable[int] | None) -> Select:
        """For a distinct figure: the records behind the given ``per`` values (each row
        ``(entity, group_id)``), meeting the same conditions."""
        query = select(self.entity, self.per.label("group_id"))
        query = self._scoped(query, station_ids, self.per.in_(list(values)))
        return query.order_by(self.on, self.entity.id)


@dataclass(frozen=True)
class Figure:
    key: str
    kind: str  # "period" | "stock"
    label: str  # Chinese, as reports print it
    unit: str  # 人 / 例 / 人次 / 场次 / 次
    # (start, end) -> the Source of its records; None for the engine figures (overdue)
    source: Callable[[date, date], Source] | None = None
    # distinct-people figures: the total is not the sum of stations
    distinct_people: bool = False

    @property
    def engine(self) -> bool:
        return self.source is None

    @property
    def text(self) -> str:
        """The label with its unit in the user's language: 漏管（人） / Missed intake (people)."""
        from flask_babel import gettext

        return gettext("%(label)s（%(unit)s）", label=gettext(self.label), unit=gettext(self.unit))

    def query(self, start: date, end: date, station_ids: Iterable[int] | None = None) -> Select:
        """SELECT (station_id, value) grouped by station (only ``station_ids`` if given)."""
        return self.source(start, end).grouped(station_ids)

    def distinct(self, start: date, end: date, station_ids=None) -> Select:
        return self.source(start, end).distinct_total(station_ids)

    def rows(self, start: date, end: date, station_ids: Iterable[int] | None = None) -> Select:
        """The records behind the figure, from the same conditions as its count."""
        if self.source is not None:
            return self.source(start, end).rows(station_ids)
        allowed = set(station_ids) if station_ids is not None else None
        ids = [i for per in overdue_cases(self.key, end, allowed).values() for i in per]
        model, station = (CC, station_at(end)) if self.key == "cc.overdue" else (RC, RC.station_id)
        return (
            select(model, station.label("station_id"))
            .where(model.id.in_(ids))
            .order_by(model.next_due_on, model.id)
        )


def N_(text: str) -> str:  # noqa: N802 (the gettext marker name)
    """Marks a label for translation without translating it: reports print the Chinese
    label; the pages show ``Figure.text`` in the user's language."""
    return text
