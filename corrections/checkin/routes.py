"""Staff pages for self check-in: enrolment on the case, requests, the review queue,
the unit's question templates; the allowed area is the alerts' one (docs/domain.md §7.11)."""

from __future__ import annotations

from datetime import timedelta

import segno
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from corrections import clock
from corrections.alerts import areas
from corrections.auth.scope import get_in_scope
from corrections.checkin import photos, services
from corrections.checkin.models import CheckinQuestion
from corrections.errors import DomainError
from corrections.extensions import db
from corrections.supervision.models import CorrectionCase
from corrections.web import jpeg, page_args, paginate, role_required, writer_required

bp = Blueprint("checkin", __name__)


def _case(case_id: int) -> CorrectionCase:
    return get_in_scope(CorrectionCase, case_id, current_user)


def _form() -> dict:
    return {k: v for k, v in request.form.items() if k != "csrf_token"}


def qr_svg(url: str) -> str:
    """The activation link as an inline SVG QR code (segno; nothing leaves the server)."""
    return segno.make(url, error="m").svg_inline(scale=5, border=2)


def _page(case: CorrectionCase, code: str | None = None, errors=None, status: int = 200):
    enrolment = services.enrolment_of(case)
    from sqlalchemy import select

    from corrections.checkin.models import Checkin

    checkins = list(
        db.session.execute(
            select(Checkin).where(Checkin.case_id == case.id).order_by(Checkin.id.desc()).limit(20)
        ).scalars()
    )
    url = services.activation_url(code) if code else None
    return render_template(
        "checkin/case.html",
        case=case,
        enrolment=enrolment,
        code=code,
        url=url,
        qr=qr_svg(url) if url else None,
        checkins=checkins,
        questions=services.questions_for(case.station.unit_id),
        errors=errors or {},
        retention=services.retention_days(),
        china_time=services.china_time,
        default_due=(clock.now_utc() + timedelta(hours=24))
        .astimezone(clock.CHINA)
        .strftime("%Y-%m-%dT%H:%M"),
    ), status


@bp.get("/corrections/<int:case_id>/checkin")
@login_required
def case_page(case_id: int):
    return _page(_case(case_id))


def _act(case, action):
    try:
        result = action()
    except DomainError as e:
        db.session.rollback()
        flash(e.message, "danger")
        return None, _page(case, errors=e.fields, status=e.status)
    db.session.commit()
    return result, None


@bp.post("/corrections/<int:case_id>/checkin/enrol")
@writer_required
def enrol(case_id: int):
    case = _case(case_id)
    result, error = _act(case, lambda: services.enrol(current_user, case, _form()))
    if error:
        return error
    _enrolment, code = result
    flash(_("已登记。请让对象扫描二维码激活（激活码只显示这一次）。"), "success")
    return _page(case, code=code)


@bp.post("/corrections/<int:case_id>/checkin/code")
@writer_required
def new_code(case_id: int):
    case = _case(case_id)
    enrolment = services.enrolment_of(case) or abort(404)
    code, error = _act(case, lambda: services.new_code(current_user, enrolment))
    if error:
        return error
    send = request.form.get("send") == "sms"
    if send:
        try:
            services.send_link(current_user, enrolment, code)
            db.session.commit()
            flash(_("激活链接已通过短信发送到 %(p)s。", p=enrolment.phone), "success")
        except DomainError as e:
            db.session.rollback()
            flash(e.message, "danger")
    else:
        flash(_("已生成新的激活码，旧激活码和密码已失效。"), "success")
    return _page(case, code=code)


@bp.post("/corrections/<int:case_id>/checkin/end")
@writer_required
def end(case_id: int):
    case = _case(case_id)
    enrolment = services.enrolment_of(case) or abort(404)
    _r, error = _act(case, lambda: services.end_enrolment(current_user, enrolment))
    if error:
        return error
    flash(_("自助报到已结束。"), "success")
    return redirect(url_for("checkin.case_page", case_id=case.id))


@bp.post("/corrections/<int:case_id>/checkin/request")
@writer_required
def request_checkin(case_id: int):
    case = _case(case_id)
    data = _form()
    questions = [q for q in request.form.getlist("question") if q.strip()]
    extra = request.form.get("question_extra", "").strip()
    if extra:
        questions.append(extra)
    data = {"due_by": data.get("due_by") or None, "questions": questions}
    _r, error = _act(case, lambda: services.request_checkin(current_user, case, data))
    if error:
        return error
    flash(_("已发起自助报到。"), "success")
    return redirect(url_for("checkin.case_page", case_id=case.id))


@bp.post("/corrections/<int:case_id>/checkin/notice")
@writer_required
def notice(case_id: int):
    case = _case(case_id)
    _r, error = _act(
        case, lambda: services.add_notice(current_user, case, request.form.get("text", ""))
    )
    if error:
        return error
    flash(_("通知已发布，对象登录后可以看到。"), "success")
    return redirect(url_for("checkin.case_page", case_id=case.id))


def _jpeg(key: str | None):
    if not key:
        abort(404)
    return jpeg(photos.load(key))


@bp.get("/corrections/<int:case_id>/checkin/reference.jpg")
@login_required
def reference_photo(case_id: int):
    case = _case(case_id)
    enrolment = services.enrolment_of(case)
    if enrolment is None:
        from sqlalchemy import select

        from corrections.checkin.models import CheckinEnrolment

        enrolment = db.session.execute(
            select(CheckinEnrolment)
            .where(CheckinEnrolment.case_id == case.id)
            .order_by(CheckinEnrolment.id.desc())
            .limit(1)
        ).scalar_one_or_none()
    return _jpeg(enrolment.reference_photo_key if enrolment else None)


# --------------------------------------------------------------------------- review queue


def _checkin(checkin_id: int):
    checkin = services.checkin_in_scope(current_user, checkin_id)
    if checkin is None:
        abort(404)
    return checkin


@bp.get("/checkins")
@login_required
def queue():
    status = request.args.get("status") or "submitted"
    if status not in ("requested", "submitted", "expired", "reviewed"):
        status = "submitted"
    page, per_page = page_args()
    result = paginate(services.queue_query(current_user, status=status), page, per_page)
    ages = services.queue_age_by_station(current_user) if not current_user.is_officer else []
    return render_template(
        "checkin/queue.html",
        page=result,
        status=status,
        ages=ages,
        china_time=services.china_time,
    )


@bp.get("/checkins/<int:checkin_id>")
@login_required
def show(checkin_id: int):
    checkin = _checkin(checkin_id)
    return render_template(
        "checkin/review.html", checkin=checkin, errors={}, china_time=services.china_time
    )


@bp.post("/checkins/<int:checkin_id>/review")
@writer_required
def review(checkin_id: int):
    checkin = _checkin(checkin_id)
    try:
        services.review(current_user, checkin, _form())
    except DomainError as e:
        db.session.rollback()
        checkin = _checkin(checkin_id)
        return render_template(
            "checkin/review.html",
            checkin=checkin,
            errors=e.fields,
            message=e.message,
            china_time=services.china_time,
        ), e.status
    db.session.commit()
    flash(_("已审核。"), "success")
    return redirect(url_for("checkin.queue"))


@bp.get("/checkins/<int:checkin_id>/photo")
@login_required
def photo(checkin_id: int):
    return _jpeg(_checkin(checkin_id).photo_key)


# --------------------------------------------------------------------------- unit settings


@bp.route("/checkins/settings", methods=["GET", "POST"])
@role_required("supervisor", _l("只有县局主管或管理员可以维护自助报到设置。"))
def settings():
    unit_id = current_user.unit_id
    errors, message, status = {}, None, 200
    if request.method == "POST":
        action = request.form.get("action")
        try:
            if action == "question":
                services.add_question(current_user, unit_id, request.form.get("text", ""))
            elif action == "retire":
                row = db.session.get(CheckinQuestion, int(request.form.get("id") or 0))
                if row is None or row.unit_id != unit_id:
                    abort(404)
                services.retire_question(current_user, row)
            else:
                abort(400)
        except DomainError as e:
            db.session.rollback()
            errors, message, status = e.fields, e.message, e.status
        else:
            db.session.commit()
            flash(_("已保存。"), "success")
            return redirect(url_for("checkin.settings"))
    return render_template(
        "checkin/settings.html",
        area=areas.area_for(current_user.unit),
        questions=services.questions_for(unit_id),
        errors=errors,
        message=message,
        form=request.form,
    ), status
