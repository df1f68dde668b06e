"""scope(query, user): the one way to query people and cases.

An officer sees the records of their stations; a supervisor or viewer those
of their unit; an admin everything. A person is in scope when any of the
person's cases is at an allowed station, or the person has no case yet and
was registered by a user of one of those stations (docs/api.md).

Features register their case models with ``register_case_model`` so the
person rule covers every programme (corrections, resettlement, …).
"""

from __future__ import annotations

from sqlalchemy import and_, exists, false, or_, select
from sqlalchemy.sql import Select

from corrections.auth.models import Station, User, user_stations
from corrections.errors import NotFound

_CASE_MODELS: list[type] = []


def register_case_model(model: type) -> type:
    """Class decorator: ``model`` has ``person_id`` and ``station_id`` columns."""
    if model not in _CASE_MODELS:
        _CASE_MODELS.append(model)
    return model


def case_models() -> tuple[type, ...]:
    return tuple(_CASE_MODELS)


def allowed_station_ids(user: User) -> Select | None:
    """A subquery of the station ids the user may see; ``None`` means all."""
    if user.is_admin:
        return None
    if user.is_officer:
        return select(user_stations.c.station_id).where(user_stations.c.user_id == user.id)
    return select(Station.id).where(Station.unit_id == user.unit_id)


def person_clause(user: User):
    from corrections.people.models import Person

    stations = allowed_station_ids(user)
    if stations is None:
        return None
    has_case_here = [
        exists().where(m.person_id == Person.id, m.station_id.in_(stations)) for m in _CASE_MODELS
    ]
    has_any_case = [exists().where(m.person_id == Person.id) for m in _CASE_MODELS]
    registrant_here = exists().where(
        user_stations.c.user_id == Person.registered_by_id,
        user_stations.c.station_id.in_(stations),
    )
    registered_here = [registrant_here, Person.registered_station_id.in_(stations)]
    if not user.is_officer:
        registered_here.append(
            exists().where(User.id == Person.registered_by_id, User.unit_id == user.unit_id)
        )
    no_case = and_(*[~c for c in has_any_case]) if has_any_case else None
    registered = or_(*registered_here)
    if no_case is not None:
        registered = and_(no_case, registered)
    return or_(*has_case_here, registered) if has_case_here else registered


def scope(query: Select, user: User, entity: type | None = None) -> Select:
    """Restrict ``query`` (whose first entity is a person, case or station) to ``user``."""
    from corrections.people.models import Person

    if user is None or not getattr(user, "is_authenticated", False):
        return query.where(false())
    if entity is None:
        entity = query.column_descriptions[0]["entity"]
    if user.is_admin:
        return query
    if entity is Person:
        from corrections.deferred import memoised

        return query.where(memoised(("person_clause", user.id), lambda: person_clause(user)))
    stations = allowed_station_ids(user)
    if entity is Station:
        return query.where(Station.id.in_(stations))
    if hasattr(entity, "station_id"):
        return query.where(entity.station_id.in_(stations))
    raise TypeError(f"scope() does not know how to restrict {entity!r}")


def get_in_scope(model: type, record_id: int, user: User, *, for_update: bool = False):
    """The record if the user may see it; otherwise NotFound (out of scope looks missing)."""
    from corrections.extensions import db

    query = scope(select(model).where(model.id == record_id), user, model)
    obj = db.session.execute(query).scalar_one_or_none()
    if obj is None:
        from flask_babel import gettext as _

        raise NotFound(_("记录不存在，或不在您的管辖范围内。"))
    return obj


def station_in_scope(user: User, station: Station) -> bool:
    if user.is_admin:
        return True
    if user.is_officer:
        return any(s.id == station.id for s in user.stations)
    return station.unit_id == user.unit_id
