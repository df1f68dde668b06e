"""JSON API v1 (docs/api.md). Thin: parse, call services, render.

Errors are ``{"error": {"code", "message", "fields"?}}``. When several apply,
401 comes before 403, 404, 400, 422 and 409: each endpoint checks the role,
then finds the record in scope, then parses the body, then calls the service.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, current_app, g, jsonify, request
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from corrections.auth.services import user_for_token
from corrections.errors import DomainError, Forbidden, ValidationFailed
from corrections.extensions import csrf, db
from corrections.web import Page, api_error

log = logging.getLogger("corrections")
API_PREFIX = "/api/v1"
bp = Blueprint("api", __name__)
csrf.exempt(bp)


class BadRequest(DomainError):
    status = 400
    code = "bad_request"


def _token_user():
    header = request.headers.get("Authorization", "")
    scheme, _sep, secret = header.partition(" ")
    return user_for_token(secret.strip()) if scheme.lower() == "bearer" else None


def _unauthorized():
    return api_error(401, "unauthorized", _("缺少或无效的 API 令牌。"))


@bp.before_request
def authenticate():
    if request.endpoint == "api.openapi":
        return None
    user = _token_user()
    if user is None:
        return _unauthorized()
    g.api_user = user
    from corrections.inputs import check_request

    return check_request()


@bp.before_app_request
def authenticate_unrouted():
    """An unknown path or method under /api/v1 is a 401 too without a valid token (401 first)."""
    unrouted = request.url_rule is None and request.path.startswith(API_PREFIX + "/")
    if unrouted and _token_user() is None:
        return _unauthorized()
    return None


@bp.errorhandler(DomainError)
def domain_error(e: DomainError):
    db.session.rollback()
    return jsonify({"error": e.to_dict()}), e.status


@bp.errorhandler(StaleDataError)
def stale_row(e: StaleDataError):
    """Someone else's update committed between our version check and our write."""
    db.session.rollback()
    return api_error(409, "stale_version", _("该记录已被他人修改，请刷新后重试。"))


@bp.errorhandler(IntegrityError)
def integrity_error(e: IntegrityError):
    """A unique key taken by a concurrent request after our checks ran."""
    db.session.rollback()
    log.warning("API %s %s: integrity error answered 409: %s", request.method, request.path, e.orig)
    return api_error(409, "conflict", _("与他人同时提交的记录冲突，请刷新后重试。"))


def current_api_user():
    return g.api_user


def require(predicate: bool, message: str | None = None) -> None:
    if not predicate:
        raise Forbidden(message or _("您的角色不能执行此操作。"))


def require_writer() -> None:
    require(current_api_user().can_write, _("只读账号不能修改数据。"))


def json_body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if data is None:
        raise BadRequest(_("请求体不是有效的 JSON。"))
    if not isinstance(data, dict):
        raise ValidationFailed(_("请求体应为 JSON 对象。"))
    return data


def page_from_args() -> tuple[int, int]:
    cfg = current_app.config
    errors = {}
    values = {}
    for key, default in (("page", 1), ("per_page", cfg["PER_PAGE"])):
        raw = request.args.get(key)
        from corrections.inputs import parse_int

        values[key] = default if raw in (None, "") else parse_int(raw)
        if values[key] is None or values[key] < 1:
            errors[key] = _("应为正整数（1 至 2147483647）。")
    if errors:
        raise ValidationFailed(_("分页参数不对。"), fields=errors)
    return values["page"], min(values["per_page"], cfg["MAX_PER_PAGE"])


def page_json(page: Page, render) -> dict:
    return {
        "items": [render(item) for item in page.items],
        "page": page.page,
        "per_page": page.per_page,
        "total": page.total,
    }


def created(body: dict):
    db.session.commit()
    return jsonify(body), 201


def ok(body: dict):
    return jsonify(body), 200


# Register the resource modules (they attach routes to ``bp``).
from corrections.api import (  # noqa: E402,F401
    activities,
    alerts,
    assessments,
    attachments,
    checkins,
    corrections,
    documents,
    notifications,
    openapi,
    people,
    reports,
    resettlements,
    stations,
)
