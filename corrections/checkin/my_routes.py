"""/my/: the supervised person's own pages — a separate login realm (docs/security.md,
"The person's realm"). A person session reaches only its own case; staff sessions and API
tokens are refused here, and a person session is nobody on the staff pages.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import wraps

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from corrections import clock
from corrections.checkin import photos, services
from corrections.checkin.models import Checkin
from corrections.errors import DomainError
from corrections.extensions import db, limiter
from corrections.supervision.models import Leave
from corrections.web import jpeg

bp = Blueprint("my", __name__, url_prefix="/my")
SESSION_KEY = "person_sid"
OPEN_ENDPOINTS = {"my.login", "my.activate"}


@bp.before_request
def realm():
    """Staff sessions and API tokens never reach /my/."""
    if request.headers.get("Authorization"):
        abort(403)
    if session.get("_user_id"):
        return render_template("my/message.html", title=_("请先退出工作人员账号"),
                               message=_("工作人员账号不能访问对象本人页面。")), 403  # fmt: skip
    g.enrolment = services.session_enrolment(session.get(SESSION_KEY))
    return None


@bp.after_request
def no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def person_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        enrolment = g.get("enrolment")
        if enrolment is None:
            return redirect(url_for("my.login"))
        if enrolment.status != "active" and request.endpoint not in (
            "my.reference",
            "my.logout",
        ):
            return redirect(url_for("my.reference"))
        return view(*args, **kwargs)

    return wrapper


def _start(enrolment) -> None:
    session.clear()  # one realm per browser: no staff keys survive a person login
    session[SESSION_KEY] = services.start_person_session(enrolment)
    session.permanent = False


def _signed_in(work) -> tuple:
    """``work`` (a log-in or an activation) gives the enrolment whose session starts:
    ``(enrolment, None)``; or it is refused and nothing is written: ``(None, error)``."""
    try:
        enrolment = work()
    except DomainError as e:
        db.session.rollback()
        return None, e
    _start(enrolment)
    db.session.commit()
    return enrolment, None


def _form() -> dict:
    return {k: v for k, v in request.form.items() if k != "csrf_token"}


# --------------------------------------------------------------------------- log in, activate


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10/minute", methods=["POST"])
def login():
    error, status = None, 200
    if request.method == "POST":
        enrolment, e = _signed_in(
            lambda: services.login(request.form.get("phone", ""), request.form.get("pin", ""))
        )
        if e is None:
            return redirect(url_for("my.home"))
        error, status = e.message, e.status
    return render_template("my/login.html", error=error), status


@bp.route("/activate", methods=["GET", "POST"])
@limiter.limit("10/minute;30/hour", methods=["POST"])
def activate():
    errors, message = {}, None
    if request.method == "POST":
        enrolment, e = _signed_in(lambda: services.activate(_form()))
        if e is None:
            if enrolment.status == "active":
                return redirect(url_for("my.home"))
            return redirect(url_for("my.reference"))
        errors, message = e.fields, e.message
    status = 200 if not message else 422
    code = request.values.get("code", "")
    return render_template(
        "my/activate.html", code=code, errors=errors, message=message, form=request.form
    ), status


@bp.post("/logout")
def logout():
    services.end_person_session(session.get(SESSION_KEY))
    db.session.commit()
    session.clear()
    return redirect(url_for("my.login"))


@bp.route("/reference", methods=["GET", "POST"])
@person_required
def reference():
    enrolment = g.enrolment
    error = None
    if request.method == "POST":
        try:
            services.set_reference(enrolment, request.files.get("photo"))
        except DomainError as e:
            db.session.rollback()
            error = e.message
        else:
            db.session.commit()
            flash(_("基准照片已保存，自助报到已开通。"))
            return redirect(url_for("my.home"))
    return render_template(
        "my/reference.html", enrolment=enrolment, error=error, retention=services.retention_days()
    ), 200 if error is None else 422


# --------------------------------------------------------------------------- home


def _plain_due(state, today: date) -> str:
    from corrections.labels import label

    what = label("requirement", state.requirement)
    days = (state.due_on - today).days
    if days < 0:
        return _("%(w)s：已逾期%(n)d天，请尽快联系司法所。", w=what, n=-days)
    if days == 0:
        return _("%(w)s：今天到期。", w=what)
    if days == 1:
        return _("%(w)s：明天到期（%(d)s）。", w=what, d=state.due_on.strftime("%m月%d日"))
    return _("%(w)s：%(n)d天后到期（%(d)s）。", w=what, n=days, d=state.due_on.strftime("%m月%d日"))


@bp.get("/")
@person_required
def home():
    from corrections.activities.services import case_month_summary
    from corrections.supervision.services import due_states

    enrolment = g.enrolment
    case = enrolment.case
    today = clock.today()
    due = [_plain_due(s, today) for s in due_states(case, today)]
    summary = case_month_summary(case, today.year, today.month)
    checkin = services.open_checkin(case.id)
    recent = db.session.execute(
        select(Checkin)
        .where(Checkin.case_id == case.id, Checkin.status != "requested")
        .order_by(Checkin.due_by.desc())
        .limit(5)
    ).scalars()
    return render_template(
        "my/home.html",
        enrolment=enrolment,
        case=case,
        checkin=checkin,
        recent=list(recent),
        due=due,
        summary=summary,
        leaves=services.person_leaves(case.id)[:10],
        notices=services.notices(case.id),
        phone=services.officer_phone(case),
        china_time=services.china_time,
    )


# --------------------------------------------------------------------------- check-ins


def _own_checkin(checkin_id: int) -> Checkin:
    checkin = db.session.get(Checkin, checkin_id)
    if checkin is None or checkin.case_id != g.enrolment.case_id:
        abort(404)
    return checkin


@bp.route("/checkins/<int:checkin_id>", methods=["GET", "POST"])
@person_required
def checkin(checkin_id: int):
    checkin = _own_checkin(checkin_id)
    errors, message = {}, None
    if request.method == "POST":
        try:
            services.submit(g.enrolment, checkin, _form(), request.files.get("photo"))
        except DomainError as e:
            db.session.rollback()
            errors, message = e.fields, e.message
            checkin = _own_checkin(checkin_id)
        else:
            db.session.commit()
            flash(_("报到已提交，等待工作人员审核。"))
            return redirect(url_for("my.checkin", checkin_id=checkin.id))
    return render_template(
        "my/checkin.html",
        checkin=checkin,
        errors=errors,
        message=message,
        phone=services.officer_phone(g.enrolment.case),
        china_time=services.china_time,
        late=checkin.status == "requested" and clock.now_utc() > services._aware(checkin.due_by),
    ), 200 if message is None else 422


@bp.get("/checkins/<int:checkin_id>/photo")
@person_required
def checkin_photo(checkin_id: int):
    checkin = _own_checkin(checkin_id)
    if not checkin.photo_key:
        abort(404)
    return jpeg(photos.load(checkin.photo_key))


@bp.get("/reference/photo")
@person_required
def reference_photo():
    enrolment = g.enrolment
    if not enrolment.reference_photo_key:
        abort(404)
    return jpeg(photos.load(enrolment.reference_photo_key))


# --------------------------------------------------------------------------- leave


@bp.route("/leaves/new", methods=["GET", "POST"])
@person_required
def leave_new():
    from corrections.labels import LABELS

    errors, message = {}, None
    if request.method == "POST":
        try:
            leave = services.apply_leave(g.enrolment, _form())
        except DomainError as e:
            db.session.rollback()
            errors, message = e.fields, e.message
        else:
            db.session.commit()
            flash(_("外出申请已提交，请等待审批结果。"))
            return redirect(url_for("my.leave", leave_id=leave.id))
    today = clock.today()
    return render_template(
        "my/leave_new.html",
        errors=errors,
        message=message,
        form=request.form,
        reasons=LABELS.get("leave_reason", {}),
        min_day=today.isoformat(),
        max_day=(today + timedelta(days=90)).isoformat(),
    ), 200 if message is None else 422


@bp.get("/leaves/<int:leave_id>")
@person_required
def leave(leave_id: int):
    row = db.session.get(Leave, leave_id)
    if row is None or row.case_id != g.enrolment.case_id:
        abort(404)
    return render_template("my/leave.html", leave=row)
