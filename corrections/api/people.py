from flask import request
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from corrections.api import (
    answer,
    current_api_user,
    json_body,
    page_from_args,
    page_json,
    require_writer,
)
from corrections.api.openapi import SCOPED, WRITE, listing, operation, write
from corrections.api.records import people as records
from corrections.auth.scope import get_in_scope, station_in_scope
from corrections.auth.services import station_by_code
from corrections.errors import Duplicate, ValidationFailed
from corrections.extensions import db
from corrections.people import idnumber, privacy, services
from corrections.people import schemas as bodies
from corrections.people.models import Person
from corrections.schema import Schema
from corrections.web import paginate


class PeopleQuery(Schema):
    q: str = None


# Features add the person's cases to the person's JSON: fn(person, user) -> list[dict].
CASE_SERIALIZERS: list = []


def id_notices(person: Person) -> list[str]:
    """Notices about a valid ID number (an unknown area code is a notice, not a refusal)."""
    try:
        notice = idnumber.parse(person.id_number).notice
    except idnumber.InvalidIdNumber:  # stored before a rule change: say so, do not fail
        return [_("身份证号码未通过现行校验，请核对。")]
    return [str(notice)] if notice else []


def person_json(person: Person, *, with_cases: bool = False) -> dict:
    user = current_api_user()
    if not with_cases:
        return records.Person.of(person, user)
    cases = []
    for serialise in CASE_SERIALIZERS:
        cases.extend(serialise(person, user))
    return records.Person.of(person, user, notices=id_notices(person), cases=cases)


@listing(
    "/people",
    "People in scope; q matches a name or an ID number",
    records.Person,
    PeopleQuery,
)
def list_people():
    page, per_page = page_from_args()
    query = services.search_people(current_api_user(), request.args.get("q"))
    found = paginate(query, page, per_page)
    privacy.prefetch(current_api_user(), [p.id for p in found.items])
    return page_json(found, person_json)


@operation(
    "get",
    "/people/<int:person_id>",
    "A person with all their cases",
    ok=records.Person,
    errors=SCOPED,
)
def get_person(person_id: int):
    person = get_in_scope(Person, person_id, current_api_user())
    return person_json(person, with_cases=True)


@write(
    "/people",
    "Register a person (一人一档)",
    records.Person,
    bodies.PersonCreate,
    status=201,
    conflict=True,
)
def create_person():
    require_writer()
    data = json_body()
    user = current_api_user()
    station = None
    if data.get("station") is not None:
        station = station_by_code(data.get("station")) if isinstance(data["station"], str) else None
        if station is None or not station_in_scope(user, station):
            raise ValidationFailed(
                _("司法所代码无效或不在您的范围内。"), fields={"station": _("无效")}
            )
    payload = {k: v for k, v in data.items() if k != "station"}
    try:
        person = services.create_person(user, payload, station)
        db.session.commit()
    except IntegrityError:
        # Registered by someone else between our duplicate check and our insert.
        db.session.rollback()
        _duplicate_after_race(payload.get("id_number"))
        raise
    return answer(201, lambda: person_json(person, with_cases=True))


def _duplicate_after_race(raw: object) -> None:
    """Raise the usual 409 with ``existing_id`` if ``raw`` is now registered."""
    number = idnumber.normalise(raw) if isinstance(raw, str) else None
    existing = db.session.execute(
        select(Person.id).where(Person.id_number == number)
    ).scalar_one_or_none()
    if existing is not None:
        raise Duplicate(
            _("身份证号码 %(n)s 已经登记过，一人只建一档。", n=idnumber.mask(number)),
            existing_id=existing,
            fields={"id_number": _("已登记")},
        )


@operation(
    "patch",
    "/people/<int:person_id>",
    "Update a person (send the current version)",
    ok=records.Person,
    body=bodies.PersonUpdate,
    errors=(*WRITE, 404, 409),
)
def update_person(person_id: int):
    require_writer()
    user = current_api_user()
    person = get_in_scope(Person, person_id, user)
    data = json_body()
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise ValidationFailed(
            _("缺少版本号（version）或不是整数。"), fields={"version": _("必填，整数")}
        )
    payload = {k: v for k, v in data.items() if k != "version"}
    services.update_person(user, person, version, payload)
    db.session.commit()
    return person_json(person, with_cases=True)
