"""Small helpers shared by the resource modules: the language, committing answers, optional
versions and query-string filters. The records themselves are in corrections.api.records."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from corrections.api import current_api_user
from corrections.auth.models import Station
from corrections.auth.scope import station_in_scope
from corrections.errors import StaleVersion, ValidationFailed
from corrections.extensions import db
from corrections.rules import engine
from corrections.validation import Fields

# --------------------------------------------------------------------------- rendering


def lang() -> str:
    return "en" if str(get_locale() or "zh").startswith("en") else "zh"


def overdue_json(state: engine.DueState) -> dict:
    from corrections.api.records.cases import OverdueItem

    return OverdueItem.of(state)


def answer(status: int, render):
    """Commit, then render (so generated ids and bumped versions are in the body)."""
    db.session.commit()
    return jsonify(render()), status


# --------------------------------------------------------------------------- versions


def given_version(data: dict[str, Any]) -> int | None:
    if "version" not in data:
        return None
    value = data["version"]
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationFailed(_("版本号（version）应为整数。"), fields={"version": _("整数")})
    return value


def check_version(given: int | None, stored: int) -> None:
    """Called after the service (so a 422 answers first); the rollback undoes its writes."""
    if given is not None and given != stored:
        raise StaleVersion(_("该记录已被他人修改（当前版本 %(v)d），请刷新后重试。", v=stored))


# --------------------------------------------------------------------------- query strings


def query_fields(*keys: str) -> Fields:
    return Fields({k: request.args.get(k) for k in keys})


def station_filter(fields: Fields, key: str = "station") -> Station | None:
    code = request.args.get(key)
    if not code:
        return None
    station = db.session.execute(select(Station).where(Station.code == code)).scalar_one_or_none()
    if station is None or not station_in_scope(current_api_user(), station):
        fields.error(key, _("司法所代码无效或不在您的范围内。"))
        return None
    return station


def bool_filter(fields: Fields, key: str) -> bool | None:
    raw = request.args.get(key)
    if raw in (None, ""):
        return None
    value = {"true": True, "1": True, "false": False, "0": False}.get(raw.strip().lower())
    if value is None:
        fields.error(key, _("应为 true 或 false。"))
    return value
