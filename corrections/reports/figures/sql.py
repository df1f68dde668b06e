"""The SQL pieces the figures share (docs/domain.md §5): a case's station, level and key
status on a day, and whether it is on the register on a day."""

from __future__ import annotations

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.sql import ColumnElement

from corrections.resettlement.models import KeyStatusChange, ResettlementCase
from corrections.rules import twins
from corrections.supervision.models import CaseLevel, CorrectionCase, StationMove

CC = CorrectionCase
RC = ResettlementCase


def _dated(record, latest, first, dated_on, owner, on, approved=False) -> tuple:
    """Of a case's dated records (``record`` rows of the ``owner`` case, only approved ones
    if ``approved``): (``latest`` of the last one dated on or before ``on``, ``first`` of the
    earliest one), each a scalar subquery."""

    def where() -> list:
        conditions = [record.case_id == owner.id]
        if approved:
            conditions.append(record.status == "approved")
        return conditions

    in_force = (
        select(latest)
        .where(*where(), dated_on <= on)
        .order_by(dated_on.desc(), record.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    earliest = select(first).where(*where()).order_by(dated_on, record.id).limit(1)
    return in_force, earliest.scalar_subquery()


def station_at(on) -> ColumnElement:
    """SQL: the station a correction case was at on ``on`` (a date or a date column)."""
    move = StationMove
    moved_to, first_from = _dated(
        move, move.to_station_id, move.from_station_id, move.moved_on, CC, on
    )
    # most cases never move: only those that did look at their moves
    expr = case((CC.has_moves, func.coalesce(moved_to, first_from, CC.station_id)),
                else_=CC.station_id)  # fmt: skip
    expr._never_moved_station = CC.station_id  # see in_stations
    return expr


def in_stations(station: ColumnElement, ids: list[int]) -> ColumnElement:
    """``station IN ids``; for ``station_at`` also the condition it implies and an index can
    use: a case that never moved is at its own station (a unit's figures then read only its
    cases' rows)."""
    condition = station.in_(ids)
    own = getattr(station, "_never_moved_station", None)
    if own is not None:
        condition = and_(or_(own.in_(ids), CC.has_moves.is_(True)), condition)
    return condition


def level_at(on) -> ColumnElement:
    """SQL: the approved level of a correction case in force on ``on``."""
    level = CaseLevel
    in_force, first = _dated(level, level.level, level.level, level.effective_on, CC, on, True)
    return func.coalesce(in_force, first)


def key_at(on) -> ColumnElement:
    """SQL: a resettlement case's key status on ``on`` (the first record holds from the start)."""
    change = KeyStatusChange
    in_force, first = _dated(change, change.is_key, change.is_key, change.effective_on, RC, on)
    # with a single key-status record the case's is_key holds it
    return case((RC.has_key_changes, func.coalesce(in_force, first, RC.is_key)),
                else_=RC.is_key)  # fmt: skip


def cc_on_register(on) -> ColumnElement:
    return and_(CC.received_on <= on, or_(CC.ended_on.is_(None), CC.ended_on > on))


def rc_on_register(on) -> ColumnElement:
    """在册安置帮教对象 (docs/domain.md §7.7): off the register from the day after the
    support period ends, ended or not."""
    return twins.resettlement_on_register(RC.released_on, RC.ended_on, RC.period_ends_on, on)
