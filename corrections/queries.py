"""Query pieces both programmes' lists share (supervision/queries.py, resettlement/queries.py).

Each returns a SQLAlchemy statement or runs one; pages and the API call them, routes only
parse, call and render.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from corrections.auth.models import Station, User
from corrections.auth.scope import scope
from corrections.extensions import db
from corrections.people.models import Person
from corrections.rules import engine
from corrections.rules.tables import contact_rules


def case_list(model, user: User, filters) -> tuple:
    """The start of a programme's case list: cases in ``user``'s scope with their person,
    station and officer, filtered by the ``station`` code, ``mine`` and the ``q`` search
    (a name, or four or more characters of an ID number). Returns (statement, q)."""
    query = (
        select(model)
        .join(Person, Person.id == model.person_id)
        .options(
            selectinload(model.person), selectinload(model.station), selectinload(model.officer)
        )
    )
    query = scope(query, user, model)
    if filters.get("station"):
        query = query.join(Station, Station.id == model.station_id).where(
            Station.code == filters["station"]
        )
    if filters.get("mine"):
        query = query.where(model.officer_id == user.id)
    q = (filters.get("q") or "").strip()
    if q:
        upper = q.upper()
        if upper.replace("X", "").isdigit() and len(q) >= 4:
            query = query.where(Person.id_number.contains(upper, autoescape=True))
        else:
            query = query.where(func.lower(Person.name).contains(q.lower(), autoescape=True))
    return query, q


def api_cases(model, user: User, *, status=None, station=None, **equal):
    """The API's case list: in scope, by current ``status`` and ``station`` and the other
    columns given (``level=``, ``is_key=``; ``None`` is no filter), oldest first."""
    query = scope(select(model), user, model)
    if status:
        query = query.where(model.status == status)
    if station:
        query = query.where(model.station_id == station.id)
    for column, value in equal.items():
        if value is not None and value != "":
            query = query.where(getattr(model, column) == value)
    return query.order_by(model.id)


def person_cases(model, user: User, person, *, newest_first: bool = True) -> list:
    """The person's cases of one programme in ``user``'s scope (the person file, the API)."""
    order = model.id.desc() if newest_first else model.id
    query = (
        select(model)
        .where(model.person_id == person.id)
        .options(selectinload(model.station), selectinload(model.officer))
    )
    return db.session.execute(scope(query, user, model).order_by(order)).scalars().all()


def overdue_ids(model, user: User, figure: str, day: date, *, status=None, station=None):
    """The ids (ascending) of the cases in ``user``'s scope overdue on ``day`` as the figure
    ``figure`` counts them (``cc.overdue``/``rs.overdue``: the stored due state where it
    answers for ``day``, the engine for the rest; docs/domain.md §3.5), at ``station`` on
    that day as the figure groups them; ``status`` is the current status."""
    from corrections.reports.figures import overdue_cases

    per_station = overdue_cases(figure, day, None)
    if station:
        ids = list(per_station.get(station.id, ()))
    else:
        ids = [i for found in per_station.values() for i in found]
    if not ids:
        return []
    query = scope(select(model.id), user, model).where(model.id.in_(ids))
    if status:
        query = query.where(model.status == status)
    return db.session.execute(query.order_by(model.id)).scalars().all()


def _facts(services, model, ids: list[int], day: date):
    """``(case, facts on day)`` for ``ids`` in ascending order, 500 cases at a time."""
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        cases = (
            db.session.execute(select(model).where(model.id.in_(chunk)).order_by(model.id))
            .scalars()
            .all()
        )
        facts = services.case_facts_many(cases, day)
        for case in cases:
            yield case, facts[case.id]


def keep_on(services, model, ids: list[int], day: date, keep) -> list[int]:
    """The ``ids`` (ascending) for which ``keep(case, facts on day)`` holds: a filter on what
    was in force on ``day`` (the level, the key status)."""
    return [
        case.id for case, facts in _facts(services, model, sorted(ids), day) if keep(case, facts)
    ]


def overdue_states(services, model, ids: list[int], day: date) -> dict[int, list]:
    """Case id → its overdue requirements on ``day`` with their explanations (the engine;
    called for the page of cases on screen only)."""
    rules = contact_rules()
    return {
        case.id: engine.overdue_on(facts, rules, day)
        for case, facts in _facts(services, model, sorted(ids), day)
    }


def by_ids(model, ids: list[int], *options) -> list:
    """The rows of ``ids``, in that order (a page of an id list)."""
    found = {
        row.id: row
        for row in db.session.execute(
            select(model).where(model.id.in_(ids)).options(*options)
        ).scalars()
    }
    return [found[i] for i in ids]
