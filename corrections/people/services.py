"""Registering and editing people. The UI form and the API both call these."""

from __future__ import annotations

from typing import Any, Literal, get_args, get_origin

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from corrections import clock
from corrections.audit.services import record, snapshot
from corrections.auth.models import Station, User
from corrections.auth.scope import scope, station_in_scope
from corrections.auth.services import check_version
from corrections.errors import Duplicate, Forbidden, ValidationFailed
from corrections.extensions import db
from corrections.people import idnumber
from corrections.people.models import FLAGS, Person
from corrections.people.schemas import PersonFields
from corrections.validation import constraint, declared

# The person's text fields and their limits, and its choices, as PersonFields declares them.
TEXT_LIMITS = {
    key: constraint(info, "max_length")
    for key, info in PersonFields.model_fields.items()
    if info.annotation is str and constraint(info, "max_length")
}
CHOICES = {
    key: get_args(declared(info.annotation))
    for key, info in PersonFields.model_fields.items()
    if get_origin(declared(info.annotation)) is Literal
}
EDITABLE = (*TEXT_LIMITS, *CHOICES, "same_address", "flags", "id_number")


def _clean(data: dict[str, Any], *, partial: bool) -> tuple[dict[str, Any], idnumber.IdInfo | None]:
    """Validate ``data``; return the cleaned values (only those given when ``partial``)."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    info = None

    if not partial or "name" in data:
        name = data.get("name")
        if not isinstance(name, str) or not name.strip():
            errors["name"] = _("请填写姓名。")
        else:
            clean["name"] = name.strip()
    if not partial or "id_number" in data:
        raw = data.get("id_number")
        if not isinstance(raw, str) or not raw.strip():
            errors["id_number"] = _("请填写身份证号码。")
        else:
            try:
                info = idnumber.parse(raw, today=clock.today())
                clean["id_number"] = info.number
            except idnumber.InvalidIdNumber as e:
                errors["id_number"] = str(e.message)
    for key, limit in TEXT_LIMITS.items():
        if key == "name" or key not in data:
            continue
        value = data.get(key)
        if value is None:
            value = ""
        if not isinstance(value, str):
            errors[key] = _("应为文字。")
        elif len(value.strip()) > limit:
            errors[key] = _("最多%(n)d个字。", n=limit)
        else:
            clean[key] = value.strip()
    if "name" in clean and len(clean["name"]) > TEXT_LIMITS["name"]:
        errors["name"] = _("姓名最多%(n)d个字。", n=TEXT_LIMITS["name"])
    for key, allowed in CHOICES.items():
        if key not in data:
            continue
        value = data.get(key) or None
        if value is not None and value not in allowed:
            errors[key] = _("可选值：%(v)s。", v=", ".join(allowed))
        else:
            clean[key] = value
    if "same_address" in data:
        if not isinstance(data["same_address"], bool):
            errors["same_address"] = _("应为 true 或 false。")
        else:
            clean["same_address"] = data["same_address"]
    if "flags" in data:
        flags = data.get("flags") or []
        if not isinstance(flags, list | tuple) or not all(isinstance(f, str) for f in flags):
            errors["flags"] = _("应为标记代码的列表。")
        else:
            unknown = [f for f in flags if f not in FLAGS]
            if unknown:
                errors["flags"] = _(
                    "未知标记：%(u)s；可选：%(v)s。", u=", ".join(unknown), v=", ".join(FLAGS)
                )
            else:
                clean["flags"] = list(dict.fromkeys(flags))
    if errors:
        raise ValidationFailed(_("信息不完整或格式不对，请按提示修改。"), fields=errors)
    return clean, info


def _refuse_duplicate(id_number: str, exclude_id: int | None = None) -> None:
    query = select(Person.id).where(Person.id_number == id_number)
    if exclude_id is not None:
        query = query.where(Person.id != exclude_id)
    existing = db.session.execute(query).scalar_one_or_none()
    if existing is not None:
        raise Duplicate(
            _("身份证号码 %(n)s 已经登记过，一人只建一档。", n=idnumber.mask(id_number)),
            existing_id=existing,
            fields={"id_number": _("已登记")},
        )


def _person_snapshot(person: Person) -> dict:
    data = snapshot(person)
    data["flags"] = person.flags
    return data


def _apply(person: Person, clean: dict[str, Any], info: idnumber.IdInfo | None) -> None:
    for key, value in clean.items():
        if key == "flags":
            person.set_flags(value)
        elif key != "id_number":
            setattr(person, key, value)
    if info is not None:
        person.id_number = info.number
        person.sex = info.sex
        person.birth_date = info.birth_date


def create_person(actor: User, data: dict[str, Any], station: Station | None = None) -> Person:
    if not actor.can_write:
        raise Forbidden(_("只读账号不能登记人员。"))
    unknown = sorted(set(data) - set(EDITABLE))
    if unknown:
        raise ValidationFailed(
            _("不认识这些字段：%(f)s。", f=", ".join(unknown)),
            fields={f: _("未知字段") for f in unknown},
        )
    clean, info = _clean(data, partial=False)
    if station is not None and not station_in_scope(actor, station):
        raise ValidationFailed(_("所选司法所不在您的管辖范围内。"), fields={"station": _("无效")})
    if station is None and actor.is_officer and len(actor.stations) == 1:
        station = actor.stations[0]
    _refuse_duplicate(clean["id_number"])
    person = Person(registered_by_id=actor.id, registered_station=station)
    person.set_flags([])
    _apply(person, clean, info)
    db.session.add(person)
    db.session.flush()
    record(actor, "person.create", "person", person.id, None, _person_snapshot(person))
    return person


def update_person(actor: User, person: Person, version: Any, data: dict[str, Any]) -> Person:
    if not actor.can_write:
        raise Forbidden(_("只读账号不能修改人员信息。"))
    unknown = sorted(set(data) - set(EDITABLE) - {"version"})
    if unknown:
        raise ValidationFailed(
            _("不能修改这些字段：%(f)s。", f=", ".join(unknown)),
            fields={f: _("不可修改") for f in unknown},
        )
    clean, info = _clean(data, partial=True)
    check_version(person, version)
    if info is not None and info.number != person.id_number:
        _refuse_duplicate(info.number, exclude_id=person.id)
    elif info is not None:
        info = None  # unchanged number: nothing to re-derive
    before = _person_snapshot(person)
    _apply(person, clean, info)
    db.session.flush()
    after = _person_snapshot(person)
    if before != after:
        record(actor, "person.update", "person", person.id, before, after)
    return person


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_people(user: User, q: str | None = None):
    """A scoped query of people, newest first, matching a name or ID number fragment."""
    query = select(Person).options(selectinload(Person.registered_station))
    q = (q or "").strip()
    if q:
        upper = q.upper()
        if upper.replace("X", "").isdigit() and len(q) >= 4:
            query = query.where(Person.id_number.like(f"%{_escape_like(upper)}%", escape="\\"))
        else:
            pattern = f"%{_escape_like(q.lower())}%"
            query = query.where(
                or_(func.lower(Person.name).like(pattern, escape="\\"), Person.id_number == upper)
            )
    return scope(query, user, Person).order_by(Person.id.desc())
