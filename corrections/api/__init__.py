"""JSON API v1 (docs/api.md). Thin: parse, call services, render. The blueprint, the token
check, the error answers and the helpers every resource module shares; the records are in
corrections.api.records, the description in corrections.api.openapi.

Errors are ``{"error": {"code", "message", "fields"?}}``. When several apply,
401 comes before 403, 404, 400, 422 and 409: each endpoint checks the role,
then finds the record in scope, then parses the body, then calls the service.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, current_app, g, jsonify, request
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from corrections.auth.models import Station
from corrections.auth.scope import station_in_scope
from corrections.auth.services import user_for_token
from corrections.errors import DomainError, Forbidden, NotFound, StaleVersion, ValidationFailed
from corrections.extensions import csrf, db
from corrections.inputs import check_request, parse_int
from corrections.schema import Error, PageOf
from corrections.validation import Fields, declared
from corrections.web import Page, api_error, paginate

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
    return jsonify(Error.dump(error=e.to_dict())), e.status


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


def child_of(model: type, case, child_id: int):
    """A record of ``case`` (a contact, a leave, …) by id; 404 when it belongs to another."""
    record = db.session.get(model, child_id)
    if record is None or record.case_id != case.id:
        raise NotFound(_("记录不存在。"))
    return record


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
        values[key] = default if raw in (None, "") else parse_int(raw)
        if values[key] is None or values[key] < 1:
            errors[key] = _("应为正整数（1 至 2147483647）。")
    if errors:
        raise ValidationFailed(_("分页参数不对。"), fields=errors)
    return values["page"], min(values["per_page"], cfg["MAX_PER_PAGE"])


def page_json(page: Page, render) -> dict:
    return PageOf.dump(
        items=[render(item) for item in page.items],
        page=page.page,
        per_page=page.per_page,
        total=page.total,
    )


def paged(query, render) -> dict:
    """The page of ``query`` that page and per_page ask for (422 when they are bad)."""
    page, per_page = page_from_args()
    return page_json(paginate(query, page, per_page), render)


def lang() -> str:
    return "en" if str(get_locale() or "zh").startswith("en") else "zh"


def answer(status: int, render):
    """Commit, then render (so generated ids and bumped versions are in the body)."""
    db.session.commit()
    return jsonify(render()), status


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


def write_body(service, render, *args, status: int = 200):
    """Body (400) → ``service(user, *args, body)`` (422) → ``status`` with ``render`` of what the
    service returns. The caller has checked the role (403) and the records in scope (404)."""
    data = json_body()
    row = service(current_api_user(), *args, data)
    return answer(status, lambda: render(row))


def act_on(row, render, service, *args, versioned: bool = False):
    """Body (400) → ``service(user, *args, body)`` (422) → with ``versioned``, an optional
    ``version`` of ``row`` that is stale (409) → 200 with ``render(row)`` (docs/api.md:
    Conventions). The caller has checked the role (403) and the records in scope (404)."""
    data = json_body()
    given = given_version(data) if versioned else None
    stored = row.version if given is not None else 0
    service(current_api_user(), *args, data)
    check_version(given, stored)
    return answer(200, lambda: render(row))


def versioned_action(find, render, role=None):
    """A runner for ``openapi.action_routes``: role (403, writers unless ``role``) → the
    record ``find(id)`` in scope (404) → ``act_on`` it with its ``version`` (docs/api.md:
    Conventions) → 200 with ``render(record)``."""

    def run(action, **path_ids):
        (role or require_writer)()
        (record_id,) = path_ids.values()
        row = find(record_id)
        return act_on(row, render, action, row, versioned=True)

    return run


@dataclass(frozen=True)
class CaseRoute:
    """A POST on a record of a case, declared as data (``case_routes``): ``path`` under the
    case; ``service(user, case, body)`` or, when the path names a ``child`` record (404 when
    it is another case's), ``service(user, case, child_id, body)``; with ``void`` the kind
    voided, ``service(user, case, void, child_id, body)``; with ``versioned`` the child's
    optional ``version`` (409 when stale). The answer is ``ok.of`` of what the service
    returns (``status``). ``role`` is checked first (default: writers); ``check(child)``
    may refuse after the child is found (403)."""

    endpoint: str
    path: str
    summary: str
    ok: type
    body: type
    service: Callable
    child: type | None = None
    void: str | None = None
    versioned: bool = False
    status: int = 200
    role: Callable[[], None] | None = None
    check: Callable[[Any], None] | None = None


def case_routes(
    rule: str, find: Callable[[int], Any], routes: list[CaseRoute], register: Callable
) -> None:
    """Register each of ``routes`` on ``rule.format(route.path)`` with ``register(route)``
    (``openapi.write`` or a variant of it); ``find(case_id)`` is the case in the user's scope
    (404)."""
    for route in routes:
        view = _case_view(find, route)
        view.__name__ = view.__qualname__ = route.endpoint
        details = {"status": route.status, "conflict": route.versioned}
        path = rule.format(route.path)
        register(route)(path, route.summary, route.ok, route.body, **details)(view)


def _case_view(find, route: CaseRoute):
    def view(case_id: int, **child_ids):
        (route.role or require_writer)()
        case = find(case_id)
        if route.child is None:
            return write_body(route.service, route.ok.of, case, status=route.status)
        (child_id,) = child_ids.values()
        child = child_of(route.child, case, child_id)
        if route.check is not None:
            route.check(child)
        if route.void is not None:
            return write_body(route.service, route.ok.of, case, route.void, child_id)
        if route.versioned:
            return act_on(child, route.ok.of, route.service, case, child_id, versioned=True)
        return write_body(route.service, route.ok.of, case, child_id)

    return view


_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


def read_query(model: type, check: Callable[[Fields, Any], None] | None = None):
    """A list's ``(page, per_page, values, station)``: the page (422 first when it is bad),
    the query parameters as ``model`` declares them (a boolean as true/false/1/0; one not
    given is None, no filter) and the station its ``station`` code names in the user's
    scope; ``check(fields, values)`` may add problems. One 422 lists every bad parameter."""
    page, per_page = page_from_args()
    data, unset = {}, []
    for name, info in model.model_fields.items():
        key = info.alias or name
        raw = data[key] = request.args.get(key)
        if declared(info.annotation) is bool:
            if raw in (None, ""):
                unset.append(name)
            else:
                data[key] = _BOOLEANS.get(raw.strip().lower(), raw)
    fields = Fields(data)
    values = fields.read(model)
    for name in unset:
        setattr(values, name, None)
    station = station_filter(fields) if "station" in model.model_fields else None
    if check is not None:
        check(fields, values)
    fields.raise_if_errors()
    return page, per_page, values, station


def station_filter(fields: Fields, key: str = "station") -> Station | None:
    code = request.args.get(key)
    if not code:
        return None
    station = db.session.execute(select(Station).where(Station.code == code)).scalar_one_or_none()
    if station is None or not station_in_scope(current_api_user(), station):
        fields.error(key, _("司法所代码无效或不在您的范围内。"))
        return None
    return station


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
