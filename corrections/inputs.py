"""Input limits shared by every page and the API (docs/security.md, "Errors and input limits").

* Ids and numbers: the database columns are 32-bit integers on PostgreSQL (64-bit on
  SQLite), so ``<int:…>`` in a URL only matches up to ``MAX_INT`` (beyond: 404), an integer
  in a JSON body beyond ±``MAX_INT`` is refused (422, field named), and ``parse_int`` reads
  ASCII digits only (``--5``, ``²``, ``٣`` are not numbers).
* NUL characters: PostgreSQL cannot store them in text, so a query string, form or JSON
  body holding one is refused (422, field named) before any view runs.
* A number that still reaches the database out of range (OverflowError, DataError) answers
  422, never 500.
* A concurrent write that surfaces at commit in a page (StaleDataError, IntegrityError) is
  retried once from the start, the way the API's client would retry: the second run sees
  the other writer's commit, so the form's own version check or duplicate check answers
  with the conflict message and the typed values kept. If the retry fails the same way,
  the page answers 409 with the conflict message.
"""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, g, jsonify, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.routing import IntegerConverter

from corrections.extensions import db

log = logging.getLogger("corrections")

MAX_INT = 2**31 - 1  # PostgreSQL INTEGER; every id and count column fits in it
_INT = re.compile(r"[+-]?[0-9]+")


class BoundedIntegerConverter(IntegerConverter):
    """``<int:…>`` that matches only values a database integer column can hold."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits, min, MAX_INT if max is None else max, signed)


def parse_int(raw: Any) -> int | None:
    """An int from ASCII digits with an optional sign, within ±MAX_INT; otherwise None."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, str) and _INT.fullmatch(raw.strip()):
        value = int(raw.strip())
    else:
        return None
    return value if -MAX_INT <= value <= MAX_INT else None


def parse_id(raw: Any) -> int | None:
    """A positive id (1 … MAX_INT) from a string or int; otherwise None."""
    value = parse_int(raw)
    return value if value is not None and value > 0 else None


def safe_next(target: str | None, default: str) -> str:
    """``target`` when it is a path on this site, else ``default`` (no open redirect)."""
    if not target or not isinstance(target, str):
        return default
    if any(ord(ch) < 32 or ch in "\\\x7f" for ch in target):
        return default  # browsers drop tabs/newlines and read \ as /: "/\t/evil" is off-site
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


# --------------------------------------------------------------------------- request checks


def _json_problems(value: Any, path: str, out: dict[str, str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and "\x00" in key:
                out[path or "body"] = _("不能包含空字符（NUL）。")
            _json_problems(item, f"{path}.{key}" if path else str(key), out)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _json_problems(item, f"{path}[{i}]", out)
    elif isinstance(value, str):
        if "\x00" in value:
            out[path or "body"] = _("不能包含空字符（NUL），请删除后重新提交。")
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INT:
        out[path or "body"] = _("数值超出范围（最大%(n)d）。", n=MAX_INT)


def request_problems() -> dict[str, str]:
    """Field → message for NUL characters anywhere and out-of-range JSON integers."""
    out: dict[str, str] = {}
    for source in (request.args, request.form):
        for key, values in source.lists():
            key = key or ""  # a multipart part without a name arrives under None
            if "\x00" in key or any("\x00" in v for v in values):
                out[key.replace("\x00", "")] = _("不能包含空字符（NUL），请删除后重新提交。")
    for key, storage in request.files.items():
        key = key or ""
        if storage.filename and "\x00" in storage.filename:
            out[key] = _("文件名不能包含空字符（NUL）。")
    if request.is_json:
        body = request.get_json(silent=True)
        if body is not None:
            _json_problems(body, "", out)
    return out


def _refuse(status: int, code: str, message: str, fields: dict[str, str] | None = None):
    if request.path.startswith("/api/"):
        body: dict = {"code": code, "message": message}
        if fields:
            body["fields"] = fields
        return jsonify({"error": body}), status
    details = "；".join(f"{k}：{v}" for k, v in (fields or {}).items())
    return (
        render_template(
            "errors/error.html",
            status=status,
            title=_("无法完成操作"),
            message=message + (f"（{details}）" if details else ""),
        ),
        status,
    )


def check_request():
    """Refuse NUL characters and out-of-range JSON integers (422). The API runs this after
    its token check (401 first), the pages before their views."""
    if request.method == "OPTIONS":
        return None
    if request.path.startswith("/api/") and g.get("api_user") is None:
        return None
    problems = request_problems()
    if problems:
        return _refuse(422, "validation_failed", _("提交的内容有误，请按提示修改。"), problems)
    return None


# --------------------------------------------------------------------------- handlers


def out_of_range(e: Exception):
    db.session.rollback()
    log.warning("%s %s: value refused by the database: %s", request.method, request.path, e)
    return _refuse(
        422, "validation_failed", _("提交的数值超出范围或格式不被数据库接受，请检查后重试。")
    )


def concurrent_write(e: Exception):
    """A page's write lost a race at commit: retry the view once, else 409."""
    db.session.rollback()
    if request.path.startswith("/api/") or request.method != "POST" or g.get("_write_retried"):
        log.warning("%s %s: concurrent write answered 409: %s", request.method, request.path, e)
        return _refuse(409, "conflict", _("该记录已被他人修改，请刷新后重试。"))
    g._write_retried = True
    log.info("%s %s: concurrent write, retrying once: %s", request.method, request.path, e)
    view = current_app.view_functions[request.endpoint]
    try:
        return current_app.make_response(current_app.ensure_sync(view)(**(request.view_args or {})))
    except (StaleDataError, IntegrityError) as again:
        db.session.rollback()
        log.warning("%s %s: concurrent write again, 409: %s", request.method, request.path, again)
        return _refuse(409, "conflict", _("该记录已被他人修改，请刷新后重试。"))
    except Exception as other:  # a refusal of the retried view (404, 422 …) as usual
        return current_app.handle_user_exception(other)


def register_input_limits(app) -> None:
    """Before the blueprints: the URL converter must be in place when their rules are added."""
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.before_request(check_request)
    app.register_error_handler(OverflowError, out_of_range)
    app.register_error_handler(DataError, out_of_range)
    app.register_error_handler(StaleDataError, concurrent_write)
    app.register_error_handler(IntegrityError, concurrent_write)
