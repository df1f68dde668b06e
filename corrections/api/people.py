from flask import request
from flask_babel import gettext as _

from corrections.api import (
    bp,
    created,
    current_api_user,
    json_body,
    ok,
    page_from_args,
    page_json,
    require_writer,
)
from corrections.auth.scope import get_in_scope, station_in_scope
from corrections.auth.services import station_by_code
from corrections.errors import ValidationFailed
from corrections.extensions import db
from corrections.people import services
from corrections.people.models import Person
from corrections.web import paginate

# Features add the person's cases to the person's JSON: fn(person, user) -> list[dict].
CASE_SERIALIZERS: list = []


def person_json(person: Person, *, with_cases: bool = False) -> dict:
    body = {
        "id": person.id,
        "version": person.version,
        "name": person.name,
        "id_number": person.id_number,
        "sex": person.sex,
        "birth_date": person.birth_date.isoformat(),
        "ethnicity": person.ethnicity,
        "phone": person.phone,
        "household_type": person.household_type,
        "household_address": person.household_address,
        "residence_address": person.residence_address,
        "same_address": person.same_address,
        "education": person.education,
        "employment": person.employment,
        "emergency_contact": person.emergency_contact,
        "notes": person.notes,
        "flags": person.flags,
        "registered_station": person.registered_station.code if person.registered_station else None,
    }
    if with_cases:
        cases = []
        for serialise in CASE_SERIALIZERS:
            cases.extend(serialise(person, current_api_user()))
        body["cases"] = cases
    return body


@bp.get("/people")
def list_people():
    page, per_page = page_from_args()
    query = services.search_people(current_api_user(), request.args.get("q"))
    return page_json(paginate(query, page, per_page), person_json)


@bp.get("/people/<int:person_id>")
def get_person(person_id: int):
    person = get_in_scope(Person, person_id, current_api_user())
    return ok(person_json(person, with_cases=True))


@bp.post("/people")
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
    person = services.create_person(user, payload, station)
    return created(person_json(person, with_cases=True))


@bp.patch("/people/<int:person_id>")
def update_person(person_id: int):
    require_writer()
    user = current_api_user()
    person = get_in_scope(Person, person_id, user)
    data = json_body()
    if "version" not in data:
        raise ValidationFailed(_("缺少版本号（version）。"), fields={"version": _("必填")})
    payload = {k: v for k, v in data.items() if k != "version"}
    services.update_person(user, person, data["version"], payload)
    db.session.commit()
    return ok(person_json(person, with_cases=True))
