from flask_babel import gettext as _
from sqlalchemy import select

from corrections.api import (
    bp,
    created,
    current_api_user,
    json_body,
    page_from_args,
    page_json,
    require,
)
from corrections.auth import services
from corrections.auth.models import Station
from corrections.auth.scope import scope
from corrections.errors import ValidationFailed
from corrections.web import paginate


def station_json(station: Station) -> dict:
    return {
        "id": station.id,
        "version": station.version,
        "code": station.code,
        "name": station.name,
        "unit": station.unit.name,
        "active": station.active,
    }


@bp.get("/stations")
def list_stations():
    page, per_page = page_from_args()
    query = scope(select(Station), current_api_user(), Station).order_by(Station.code)
    return page_json(paginate(query, page, per_page), station_json)


@bp.post("/stations")
def create_station():
    user = current_api_user()
    require(user.is_admin, _("只有系统管理员可以添加司法所。"))
    data = json_body()
    for key in ("code", "name"):
        if not isinstance(data.get(key), str):
            raise ValidationFailed(_("缺少字段或类型不对：%(k)s。", k=key), fields={key: _("必填")})
    station = services.create_station(user, data["code"], data["name"])
    return created(station_json(station))
