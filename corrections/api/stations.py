from flask_babel import gettext as _
from sqlalchemy import select

from corrections.api import answer, current_api_user, json_body, paged, require
from corrections.api.openapi import listing, write
from corrections.api.records import people as records
from corrections.auth import services
from corrections.auth.models import Station
from corrections.auth.scope import scope
from corrections.errors import ValidationFailed
from corrections.people import schemas as bodies


@listing(
    "/stations",
    "Stations in the user's scope",
    records.Station,
)
def list_stations():
    query = scope(select(Station), current_api_user(), Station).order_by(Station.code)
    return paged(query, records.Station.of)


@write(
    "/stations",
    "Add a station (admin)",
    records.Station,
    bodies.StationCreate,
    status=201,
    conflict=True,
)
def create_station():
    user = current_api_user()
    require(user.is_admin, _("只有系统管理员可以添加司法所。"))
    data = json_body()
    for key in ("code", "name"):
        if not isinstance(data.get(key), str):
            raise ValidationFailed(_("缺少字段或类型不对：%(k)s。", k=key), fields={key: _("必填")})
    station = services.create_station(user, data["code"], data["name"])
    return answer(201, lambda: records.Station.of(station))
