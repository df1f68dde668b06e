"""Small helpers shared by the resource modules: rendering, optional versions, filters,
and the building blocks of their OpenAPI entries."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import jsonify, request
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from corrections.api import current_api_user
from corrections.api import openapi as doc
from corrections.auth.models import Station
from corrections.auth.scope import station_in_scope
from corrections.errors import StaleVersion, ValidationFailed
from corrections.extensions import db
from corrections.rules import engine
from corrections.validation import Fields

# --------------------------------------------------------------------------- rendering


def iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def number(value) -> float | None:
    return None if value is None else float(value)


def lang() -> str:
    return "en" if str(get_locale() or "zh").startswith("en") else "zh"


def due_json(state: engine.DueState, language: str) -> dict:
    from corrections.api.records.cases import DueItem

    return DueItem.of(state, language)


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


# --------------------------------------------------------------------------- OpenAPI


def string(enum=None, fmt: str | None = None, nullable: bool = False, **extra) -> dict:
    schema: dict = {"type": "string", **extra}
    if enum is not None:
        schema["enum"] = list(enum)
    if fmt:
        schema["format"] = fmt
    if nullable:
        schema["nullable"] = True
    return schema


DATE = string(fmt="date")
NULL_DATE = string(fmt="date", nullable=True)
BOOL = {"type": "boolean"}
INT = {"type": "integer"}
NULL_INT = {"type": "integer", "nullable": True}
TEXT = {"type": "string"}
NUMBER = {"type": "number"}
VERSION = {"type": "integer", "description": "Optional: 409 when the record changed since"}


def obj(required: list[str], **props) -> dict:
    body: dict = {"type": "object", "properties": props}
    if required:
        body["required"] = required
    return body


def path_params(*names: str) -> list[dict]:
    return [{"name": n, "in": "path", "required": True, "schema": INT} for n in names]


def query_params(**schemas) -> list[dict]:
    out = []
    for name, schema in schemas.items():
        schema = dict(schema)
        description = schema.pop("description", None)
        param = {"name": name, "in": "query", "schema": schema}
        if description:
            param["description"] = description
        out.append(param)
    return out


def post(summary: str, body: dict, ok_status: str, ok_schema: str, *params, conflict=False):
    errors = [400, 403, 422]
    if params:
        errors.append(404)
    if conflict:
        errors.append(409)
    operation = {
        "summary": summary,
        "requestBody": doc._body(body),
        "responses": doc._responses(ok_status, doc._ref(ok_schema), *sorted(errors)),
    }
    if params:
        operation["parameters"] = path_params(*params)
    return {"post": operation}


def get_one(summary: str, schema: str, *params) -> dict:
    return {
        "get": {
            "summary": summary,
            "parameters": path_params(*params),
            "responses": doc._responses("200", doc._ref(schema), 404),
        }
    }


def get_page(summary: str, schema: str, params: list[dict]) -> dict:
    return {
        "get": {
            "summary": summary,
            "parameters": params + doc.PAGE_PARAMS,
            "responses": doc._responses("200", doc._page_of(schema), 422),
        }
    }
