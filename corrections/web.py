"""Shared web plumbing: error pages, pagination, template helpers."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import wraps
from math import ceil

from flask import current_app, flash, jsonify, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.sql import Select

from corrections import clock
from corrections.errors import DomainError, Forbidden
from corrections.extensions import db
from corrections.labels import label
from corrections.people import privacy
from corrections.people.idnumber import mask

log = logging.getLogger("corrections")


def wants_json() -> bool:
    return request.path.startswith("/api/")


def api_error(status: int, code: str, message: str, **extra):
    body = {"code": code, "message": message}
    body.update({k: v for k, v in extra.items() if v is not None})
    return jsonify({"error": body}), status


def _error_messages(status: int) -> tuple[str, str]:
    messages = {
        400: _("请求有误，请检查后重试。"),
        403: _("您没有权限执行此操作。"),
        404: _("页面或记录不存在，或不在您的管辖范围内。"),
        405: _("不支持此请求方式。"),
        413: _("上传的文件太大。"),
        429: _("尝试次数过多，请稍后再试。"),
        500: _("系统内部错误，已记录。请稍后重试或联系管理员。"),
    }
    titles = {
        400: _("请求有误"),
        403: _("无权访问"),
        404: _("页面不存在"),
        405: _("方法不允许"),
        413: _("文件太大"),
        429: _("操作太频繁"),
        500: _("系统出错了"),
    }
    return titles.get(status, str(status)), messages.get(status, "")


_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    429: "too_many_requests",
    500: "server_error",
}


def register_error_pages(app) -> None:
    def render(status: int, message: str | None = None):
        title, default_message = _error_messages(status)
        if wants_json():
            return api_error(status, _CODES.get(status, "error"), message or default_message)
        return (
            render_template(
                "errors/error.html", status=status, title=title, message=message or default_message
            ),
            status,
        )

    for status in (400, 403, 404, 413):
        app.register_error_handler(status, lambda e, s=status: render(s))

    @app.errorhandler(405)
    def method_not_allowed(e):
        """405 names the methods the resource does answer (RFC 9110: ``Allow``)."""
        body, status = render(405)
        response = app.make_response((body, status))
        methods = sorted(set(getattr(e, "valid_methods", None) or []))
        if methods:
            response.headers["Allow"] = ", ".join(methods)
        return response

    @app.errorhandler(429)
    def too_many(e):
        if request.endpoint == "auth.login":
            from corrections.auth.forms import LoginForm

            message = _("登录失败次数过多，请1分钟后再试。")
            return render_template("auth/login.html", form=LoginForm(), throttled=message), 429
        return render(429)

    @app.errorhandler(500)
    def server_error(e):
        db.session.rollback()
        return render(500)

    @app.errorhandler(DomainError)
    def domain_error(e: DomainError):
        db.session.rollback()
        if wants_json():
            return jsonify({"error": e.to_dict()}), e.status
        return (
            render_template(
                "errors/error.html",
                status=e.status,
                title=_error_messages(e.status)[0] if e.status in (403, 404) else _("无法完成操作"),
                message=e.message,
            ),
            e.status,
        )


class _Paged:
    """``has_prev``/``has_next`` of something with ``page`` and ``pages``."""

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


@dataclass
class Page(_Paged):
    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page)) if self.per_page else 1


def page_args(default: int | None = None) -> tuple[int, int]:
    cfg = current_app.config
    from corrections.inputs import parse_int

    page = max(1, parse_int(request.args.get("page", "1")) or 1)
    per_page = parse_int(request.args.get("per_page", "")) or default or cfg["PER_PAGE"]
    per_page = max(1, min(per_page, cfg["MAX_PER_PAGE"]))
    return page, per_page


def paginate(query: Select, page: int, per_page: int) -> Page:
    total = db.session.execute(
        select(func.count()).select_from(query.order_by(None).subquery())
    ).scalar_one()
    offset = (page - 1) * per_page
    if offset >= total:  # past the end: no query (a huge page number would overflow OFFSET)
        return Page([], page, per_page, total)
    items = db.session.execute(query.limit(per_page).offset(offset)).scalars().all()
    return Page(list(items), page, per_page, total)


def role_label(role: str) -> str:
    return {
        "admin": _("系统管理员"),
        "supervisor": _("县局主管"),
        "officer": _("司法所工作人员"),
        "viewer": _("只读查看"),
    }.get(role, role)


def localtime(moment) -> str:
    """A UTC timestamp shown in China local time."""
    if moment is None:
        return ""
    from datetime import UTC

    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(clock.CHINA).strftime("%Y-%m-%d %H:%M")


def tel(text: str | None) -> str:
    """The number to dial in a ``tel:`` link: the first phone number in ``text`` (digits, a
    leading +, at least 7 of them), or "" (a name alone, "—")."""
    import re

    found = re.search(r"\+?\d[\d\s-]{5,}\d", text or "")
    if not found:
        return ""
    number = re.sub(r"[\s-]", "", found.group(0))
    return number if len(number.lstrip("+")) >= 7 else ""


def register_template_helpers(app) -> None:
    app.context_processor(template_helpers)
    app.add_template_filter(localtime, "localtime")
    app.add_template_filter(tel, "tel")


def template_helpers() -> dict:
    def viewer():
        return current_user if current_user.is_authenticated else None

    def show_id(number: str | None, person=None) -> str:
        """Masked by role; for a protected person (a minor's case, docs/domain.md §7.2)
        masked for viewers whatever the page."""
        person_id = getattr(person, "id", person)
        if person_id is not None:
            return privacy.display_id(viewer(), person_id, number)
        if current_user.is_authenticated and current_user.sees_full_id_numbers:
            return number or ""
        return mask(number)

    def show_full_id(person) -> str:
        """Where the page shows the full number (the person's file), minors aside."""
        return privacy.display_id(viewer(), person.id, person.id_number, by_role=False)

    def show_name(person) -> str:
        return privacy.display_name(viewer(), person.id, person.name)

    def minor_case(case) -> bool:
        from corrections.supervision.services import is_minor_case

        return is_minor_case(case)

    return {
        "show_id": show_id,
        "show_full_id": show_full_id,
        "show_name": show_name,
        "minor_case": minor_case,
        "form_errors": form_errors,
        "role_label": role_label,
        "flag_label": lambda code: label("flag", code),
        "choice_label": label,
        "current_locale": str(get_locale() or "zh"),
        "today": clock.today(),
    }


# --------------------------------------------------------------------------- roles

# What a page needs of the signed-in user, and the message a refusal (403) gives; the roles
# are in README.md "Roles". ``None``: the error page's general 403 message.
ROLE_CHECKS = {
    "writer": (lambda user: user.can_write, lambda: _("只读账号不能修改数据。")),
    "decider": (lambda user: user.can_decide, lambda: _("此页面仅供县局主管使用。")),
    "supervisor": (lambda user: user.is_admin or user.is_supervisor, None),
    "overview": (lambda user: user.can_decide or user.is_viewer, None),
    "admin": (lambda user: user.is_admin, None),
}


def require_role(need: str, message: str | None = None) -> None:
    """Refuse (403, the error page) unless the user has ``need`` (a key of ``ROLE_CHECKS``)."""
    allowed, default = ROLE_CHECKS[need]
    if not allowed(current_user):
        text = str(message) if message else default() if default else _error_messages(403)[1]
        raise Forbidden(text)


def role_required(need: str, message: str | None = None):
    """``@role_required("writer")``: a signed-in user with that role, else 403 before
    anything else runs (``message``, a lazy string, replaces the role's own refusal text)."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            require_role(need, message)
            return view(*args, **kwargs)

        return login_required(wrapper)

    return decorate


writer_required = role_required("writer")
decider_required = role_required("decider")


# --------------------------------------------------------------------------- files


def private_file(data, *, etag: str, **how):
    """A stored file for this user only (``send_file``'s ``how``): checked against its
    ``etag``, kept by no cache, its type never guessed by the browser."""
    from flask import send_file

    response = send_file(data, max_age=0, etag=etag, conditional=True, **how)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def jpeg(data: bytes):
    """A photo of a person (JPEG bytes) that no cache keeps."""
    from flask import make_response

    response = make_response(data)
    response.headers["Content-Type"] = "image/jpeg"
    response.headers["Cache-Control"] = "no-store"
    return response


def upload_dir(folder: str) -> str:
    """The instance folder's ``folder`` (made when missing), where uploads wait for their
    confirmation."""
    import os

    path = os.path.join(current_app.instance_path, folder)
    os.makedirs(path, exist_ok=True)
    return path


def upload_meta_path(folder: str, upload_id: str) -> str:
    """Where a waiting upload keeps what was read of it (JSON)."""
    import os

    return os.path.join(upload_dir(folder), f"{upload_id}.json")


def load_upload_meta(folder: str, upload_id: str) -> dict:
    """The waiting upload ``upload_id`` (32 hex digits) of the signed-in user; 404 for a
    malformed id, a missing upload or another user's."""
    import json
    import re

    from flask import abort

    if not re.match(r"^[0-9a-f]{32}$", upload_id):
        abort(404)
    try:
        with open(upload_meta_path(folder, upload_id), encoding="utf-8") as fh:
            meta = json.load(fh)
    except FileNotFoundError:
        abort(404)
    if meta.get("user_id") != current_user.id:
        abort(404)
    return meta


def save_upload_meta(folder: str, upload_id: str, meta: dict) -> None:
    """Write the waiting upload's ``meta`` whole (a reader never sees half of it)."""
    import json
    import os

    path = upload_meta_path(folder, upload_id)
    with open(path + ".tmp", "w", encoding="utf-8") as fh:
        json.dump(meta, fh, ensure_ascii=False)
    os.replace(path + ".tmp", path)


# --------------------------------------------------------------------------- refusals


def show_errors(form, error: DomainError, aliases: dict[str, str] | None = None) -> list[str]:
    """Put each field message of a refusal next to its field on ``form`` (``aliases``: the
    service's key → the form's field name); return the messages that have no field there."""
    leftover = []
    for key, message in error.fields.items():
        name = (aliases or {}).get(key, key)
        if form is not None and name in form:
            form[name].errors = list(form[name].errors) + [message]
        else:
            leftover.append(message)
    return leftover


def flash_error(error: DomainError, leftover=()) -> None:
    """The refusal's message in the flash, followed by the field messages no field shows."""
    text = error.message
    if leftover:
        text += " " + "；".join(leftover)
    flash(text, "danger")


def refuse(error: DomainError, form=None, aliases: dict[str, str] | None = None) -> list[str]:
    """A service refused a page's form: 403 and 404 go on to the error page (their status
    from ``corrections.errors``); otherwise nothing is written (rollback) and the field
    messages sit next to the fields. Returns the messages with no field on the form; the
    page answers with ``error.status`` (422, a conflict 409)."""
    if error.status in (403, 404):
        raise error
    db.session.rollback()
    return show_errors(form, error, aliases)


def refuse_and_flash(error: DomainError, form=None, aliases: dict[str, str] | None = None) -> int:
    """``refuse`` and flash the message (with what no field shows); returns the status."""
    flash_error(error, refuse(error, form, aliases))
    return error.status


def saved(form, work, done, target):
    """A page's form handed to a service: ``work()`` runs; refused, ``refuse_and_flash``
    and ``None`` (the page shows the form again); saved, commit, flash ``done`` and redirect
    to ``target`` (each a value, or a function of what ``work`` returned: POST, redirect,
    GET)."""
    return _save(form, work, done, target)[0]


def post_form(form, work, done, target):
    """``(answer, status)`` of a page's form: not posted or not valid, ``(None, 200)``;
    posted and valid, ``saved`` — the redirect, or ``None`` with the refusal's status (422,
    409) for the page shown again."""
    if not form.validate_on_submit():
        return None, 200
    return _save(form, work, done, target)


def _save(form, work, done, target):
    from flask import redirect

    try:
        result = work()
    except DomainError as e:
        return None, refuse_and_flash(e, form)
    db.session.commit()
    flash(done(result) if callable(done) else done, "success")
    return redirect(target(result) if callable(target) else target), 302


def form_page(template: str, form, work, done, target: str, **context):
    """A page of one form: shown (``template`` with ``form`` and ``context``), and when
    posted valid, ``saved``; a refused form is shown again with its messages."""
    if form.validate_on_submit():
        answer = saved(form, work, done, target)
        if answer is not None:
            return answer
    return render_template(template, form=form, **context)


# --------------------------------------------------------------------------- forms


def stations_in_scope() -> list:
    """The active stations in the signed-in user's scope, by code."""
    from corrections.auth.models import Station
    from corrections.auth.scope import scope

    query = scope(select(Station).where(Station.active.is_(True)), current_user)
    return db.session.execute(query.order_by(Station.code)).scalars().all()


def station_choices(blank=None, exclude: int | None = None, unit: int | None = None):
    """A station select's choices (code, "name"): the stations in scope, ``blank`` first
    when given; ``exclude`` a station's id, ``unit`` only that unit's stations."""
    from corrections.labels import station_option

    out = [("", blank)] if blank is not None else []
    for s in stations_in_scope():
        if s.id != exclude and (unit is None or s.unit_id == unit):
            out.append((s.code, station_option(s)))
    return out


def form_errors(*forms, leftover=()) -> list[tuple[str | None, str]]:
    """The error summary's rows, in the order of the fields: ``(field id, "label：message")``
    for every field message of ``forms`` (the id is the anchor the summary links to), then
    ``(None, message)`` for messages that belong to no field (docs/domain.md §7.10)."""
    rows: list[tuple[str | None, str]] = []
    for form in forms:
        if form is None:
            continue
        for f in form:
            for message in f.errors or ():
                if isinstance(message, list | tuple | dict):
                    continue  # a sub-form's errors: not used on these pages
                name = str(f.label.text).strip() if getattr(f, "label", None) else ""
                rows.append((f.id, f"{name}：{message}" if name else str(message)))
    rows.extend((None, str(message)) for message in leftover)
    return rows


def return_target(default: str | None = None) -> str | None:
    """The same-site path the user came from (``next`` in the form or the address), or
    ``default``: where a saved form sends its user back (my day, a filtered list)."""
    from corrections.inputs import safe_next

    return safe_next(request.values.get("next"), default)


def run_case_action(blueprint: str, case_id: int):
    """A form on a case page posts to the case page's own address and names its action
    (that action's URL) in ``_do``; the action runs as if posted there. A refusal is then
    shown at the case page's address with the error summary on top — without JavaScript
    too — and a success redirects as the action does (POST, redirect, GET)."""
    from flask import abort
    from werkzeug.exceptions import HTTPException

    target = (request.form.get("_do") or "").strip()
    root = request.script_root or ""
    if root and target.startswith(root):
        target = target[len(root) :]
    adapter = current_app.url_map.bind_to_environ(request.environ)
    try:
        endpoint, args = adapter.match(target.split("?", 1)[0], method="POST")
    except HTTPException:
        abort(404)
    if (
        not endpoint.startswith(blueprint + ".")
        or args.get("case_id") != case_id
        or endpoint == f"{blueprint}.show"
    ):
        abort(404)
    return current_app.view_functions[endpoint](**args)


HISTORY_PER_PAGE = 20  # records a case page shows at a time (the officer's phone)


@dataclass
class HistoryPage(_Paged):
    """One page of a case's history (newest first): ``entries`` and where it is."""

    entries: list
    page: int
    pages: int
    total: int


def history_page(
    entries: list, at: str | None = None, per_page: int = HISTORY_PER_PAGE
) -> HistoryPage:
    """The page of ``entries`` named by ``?history=N``; ``?at=contact-12`` (or ``at``: a
    record whose void form was refused) opens the page holding that record."""
    total = len(entries)
    pages = max(1, ceil(total / per_page))
    page = request.args.get("history", type=int) or 1
    at = at or request.args.get("at") or ""
    if at:
        for index, entry in enumerate(entries):
            if entry.voidable and f"{entry.voidable}-{entry.record_id}" == at:
                page = index // per_page + 1
                break
    page = min(max(page, 1), pages)
    start = (page - 1) * per_page
    return HistoryPage(entries[start : start + per_page], page, pages, total)
