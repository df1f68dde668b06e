"""Checks every service makes before writing, in both programmes and the features.

Roles (who may write, who decides), generic date checks on a ``Fields`` collector, the
station and officer named in input, and a record looked up within its case.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from corrections import clock, deferred
from corrections.auth.models import Station, User
from corrections.auth.scope import scope, station_in_scope
from corrections.errors import Forbidden, NotFound, RuleViolation
from corrections.extensions import db
from corrections.people.models import Person
from corrections.validation import Fields, declared


def require_writer(actor: User) -> None:
    if not actor.can_write:
        raise Forbidden(_("只读账号不能修改数据。"))


def require_decider(actor: User, message: str | None = None) -> None:
    if not actor.can_decide:
        raise Forbidden(message or _("此操作需要县局主管审批。"))


def require_not_ended_on(case: Any, on: date | None, message: Callable[[str], str]) -> None:
    """An ended case accepts no event dated after its end (``on`` None: no event at all);
    ``message`` gets the end date and says so in the programme's words."""
    if case.is_ended and (on is None or on > case.ended_on):
        raise RuleViolation(message(case.ended_on.isoformat()), code="case_ended")


def not_future(fields: Fields, key: str, value: date | None) -> None:
    if value is not None and value > clock.today():
        fields.error(key, _("不能晚于今天（%(d)s）。", d=clock.today().isoformat()))


def not_before(
    fields: Fields,
    key: str,
    value: date | None,
    start: date | None,
    message: str | Callable[[str], str],
) -> None:
    """``value`` may not be before ``start`` (when both are known); ``message`` is the text,
    or a function of the start date that words it."""
    if value is not None and start is not None and value < start:
        fields.error(key, message(start.isoformat()) if callable(message) else message)


def station_for(fields: Fields, actor: User, code: Any, key: str = "station") -> Station | None:
    """The station named by its code, if it is in the actor's scope."""
    if not isinstance(code, str) or not code:
        fields.error(key, _("请选择司法所。"))
        return None
    station = deferred.memoised(
        ("station", code),
        lambda: db.session.execute(
            select(Station).where(Station.code == code)
        ).scalar_one_or_none(),
    )
    if station is None or not station_in_scope(actor, station):
        fields.error(key, _("司法所代码无效或不在您的范围内。"))
        return None
    return station


def officer_for(fields: Fields, username: Any, station: Station | None) -> User | None:
    """The active officer named by username (working at ``station`` when given)."""
    if username in (None, ""):
        return None
    if not isinstance(username, str):
        fields.error("officer", _("应为用户名。"))
        return None
    user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None or not user.is_officer or not user.active:
        fields.error("officer", _("“%(u)s”不是在岗的司法所工作人员。", u=username))
        return None
    if station is not None and station.id not in {s.id for s in user.stations}:
        fields.error("officer", _("%(u)s 不在 %(s)s 工作。", u=username, s=station.name))
        return None
    return user


def record_of(case: Any, model: type, record_id: int) -> Any:
    """The ``model`` row ``record_id`` of ``case``; 404 when missing or of another case."""
    obj = db.session.get(model, record_id)
    if obj is None or obj.case_id != case.id:
        raise NotFound(_("记录不存在。"))
    return obj


def person_for(fields: Fields, actor: User, person_id: Any) -> Person | None:
    """The person ``person_id`` if in the actor's scope (a new case's person)."""
    person = None
    if isinstance(person_id, int) and not isinstance(person_id, bool):
        person = db.session.execute(
            scope(select(Person).where(Person.id == person_id), actor, Person)
        ).scalar_one_or_none()
    if person is None:
        fields.error("person_id", _("人员不存在或不在您的范围内。"))
    return person


def refuse_overlap(
    rules: Any,
    spans: list,
    starts_on: date,
    ends_on: date,
    code: str,
    key: str,
    message: Callable[[str, str], str],
) -> None:
    """Periods of one case may not overlap (docs/domain.md §7.3 leave, §7.4 monitoring):
    ``rules`` is the rule module of the period (``overlapping``, ``occupied_until``); the
    first clash is refused with 422 ``code``, ``message(start, occupied until)`` on ``key``."""
    clash = rules.overlapping(starts_on, ends_on, spans)
    if clash is None:
        return
    text = message(clash.starts_on.isoformat(), rules.occupied_until(clash).isoformat())
    raise RuleViolation(text, code=code, fields={key: text})


def read_dated(
    data: dict[str, Any],
    body: type,
    since: date | None = None,
    too_early: str | Callable[[str], str] | None = None,
    **read: Any,
) -> tuple[Fields, Any, date | None]:
    """``body`` read from ``data`` (``Fields.read``), and the record's date (the first date
    field of ``body``): not after today and, with ``too_early``, not before ``since``
    (``too_early`` is the message, or a function of that date). Returns the collector, the values
    and the date; the caller adds its own checks and raises."""
    f = Fields(data)
    values = f.read(body, **read)
    key = next(k for k, info in body.model_fields.items() if declared(info.annotation) is date)
    when = getattr(values, key)
    not_future(f, key, when)
    if too_early is not None:
        not_before(f, key, when, since, too_early)
    return f, values, when
