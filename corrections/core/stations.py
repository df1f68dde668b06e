"""Station history: the station a case was at on a day, from its station moves (rows with
``case_id``, ``moved_on``, ``from_station_id``, ``to_station_id``); per-station figures
follow it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select

from corrections.extensions import db


def station_among(moves: Sequence, current: int, on: date) -> int:
    """The station on ``on`` given the case's moves ordered by date (``current``, the
    case's station, when it never moved)."""
    if not moves:
        return current
    station = moves[0].from_station_id
    for move in moves:
        if move.moved_on <= on:
            station = move.to_station_id
    return station


def moves_of(model: type, case_id: int) -> list:
    """The case's station moves in order."""
    return (
        db.session.execute(
            select(model).where(model.case_id == case_id).order_by(model.moved_on, model.id)
        )
        .scalars()
        .all()
    )
