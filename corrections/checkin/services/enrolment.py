"""Enrolment and activation (docs/domain.md §7.12): the officer enrols the case and hands over
a one-time code; the person activates with it, the birth date and a PIN; the enrolment ends
with the case or at the officer's hand."""

from __future__ import annotations

import json
import urllib.request
from datetime import datetime, timedelta

from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy import delete, select
from werkzeug.security import generate_password_hash

from corrections import clock
from corrections.audit.services import record, snapshot
from corrections.checkin.models import CheckinEnrolment, PersonSession
from corrections.checkin.schemas import EnrolBody
from corrections.checkin.services.common import (
    CODE_DAYS,
    CODE_LENGTH,
    CODE_MAX_FAILURES,
    PHONE,
    PIN,
    _aware,
    _digest,
    _new_code,
    _pin_method,
    _require_case_writer,
    enrolment_of,
    log,
    normalise_code,
)
from corrections.core.guards import require_writer
from corrections.errors import Conflict, RuleViolation, ValidationFailed
from corrections.extensions import db
from corrections.supervision.models import CorrectionCase
from corrections.validation import Fields


def _issue_code(enrolment: CheckinEnrolment, now: datetime) -> str:
    code = _new_code()
    enrolment.code_digest = _digest(code)
    enrolment.code_expires_at = now + timedelta(days=CODE_DAYS)
    enrolment.code_failures = 0
    return code


def enrol(actor, case: CorrectionCase, data: dict, now: datetime | None = None):
    """Enrol the person of ``case``: returns (enrolment, activation code)."""
    now = now or clock.now_utc()
    _require_case_writer(actor, case)
    f = Fields(data)
    v = f.read(EnrolBody)
    phone, consent_on = v.phone.replace(" ", ""), v.consent_on
    if phone and not PHONE.match(phone):
        f.error("phone", _("请填写11位手机号码。"))
    if consent_on and consent_on > clock.today():
        f.error("consent_on", _("同意日期不能晚于今天。"))
    f.raise_if_errors()
    if enrolment_of(case) is not None:
        raise Conflict(_("该对象已登记自助报到。"), code="already_enrolled")
    taken = db.session.execute(
        select(CheckinEnrolment.id).where(
            CheckinEnrolment.phone == phone, CheckinEnrolment.status != "ended"
        )
    ).first()
    if taken:
        message = _("该手机号已被另一名对象用于自助报到。")
        raise Conflict(message, code="phone_in_use", fields={"phone": message})
    enrolment = CheckinEnrolment(
        case_id=case.id,
        phone=phone,
        consent_on=consent_on,
        status="pending",
        created_by_id=actor.id,
    )
    code = _issue_code(enrolment, now)
    db.session.add(enrolment)
    db.session.flush()
    record(actor, "checkin.enrol", "checkin_enrolment", enrolment.id, None, _snap(enrolment))
    return enrolment, code


def _snap(enrolment: CheckinEnrolment) -> dict:
    return snapshot(enrolment, exclude=("code_digest", "pin_hash", "session_nonce"))


def new_code(actor, enrolment: CheckinEnrolment, now: datetime | None = None) -> str:
    """A fresh activation code (the old one stops working). Also how the officer resets a
    forgotten or locked PIN: the person activates again with the new code."""
    now = now or clock.now_utc()
    _require_case_writer(actor, enrolment.case)
    if enrolment.status == "ended":
        raise RuleViolation(_("自助报到已结束。"), code="enrolment_ended")
    before = _snap(enrolment)
    code = _issue_code(enrolment, now)
    enrolment.pin_hash = None
    enrolment.pin_failures = 0
    enrolment.locked_at = None
    enrolment.status = "pending"
    enrolment.session_nonce += 1
    db.session.execute(delete(PersonSession).where(PersonSession.enrolment_id == enrolment.id))
    db.session.flush()
    record(actor, "checkin.new_code", "checkin_enrolment", enrolment.id, before, _snap(enrolment))
    return code


def end_enrolment(actor, enrolment: CheckinEnrolment, reason: str = "officer", on=None) -> None:
    if enrolment.status == "ended":
        return
    if actor is not None:
        require_writer(actor)
    before = _snap(enrolment)
    enrolment.status = "ended"
    enrolment.ended_at = clock.now_utc()
    enrolment.ended_on = on or clock.today()
    enrolment.end_reason = reason
    enrolment.code_digest = None
    enrolment.session_nonce += 1
    db.session.execute(delete(PersonSession).where(PersonSession.enrolment_id == enrolment.id))
    db.session.flush()
    record(actor, "checkin.end", "checkin_enrolment", enrolment.id, before, _snap(enrolment))


def end_for_ended_cases() -> int:
    """Enrolments of cases that have ended end too (run by the daily job)."""
    rows = db.session.execute(
        select(CheckinEnrolment)
        .join(CorrectionCase, CorrectionCase.id == CheckinEnrolment.case_id)
        .where(CheckinEnrolment.status != "ended", CorrectionCase.ended_on.is_not(None))
    ).scalars()
    n = 0
    for enrolment in rows:
        end_enrolment(None, enrolment, "case_ended", on=enrolment.case.ended_on)
        n += 1
    return n


def activation_url(code: str) -> str:
    return url_for("my.activate", code=code, _external=True)


def send_link(actor, enrolment: CheckinEnrolment, code: str) -> None:
    """Send the activation link by the SMS gateway (the configured webhook)."""
    require_writer(actor)
    message = _(
        "【社区矫正】请打开链接完成自助报到激活：%(url)s 激活码 %(code)s，7天内有效。",
        url=activation_url(code),
        code=code,
    )
    send_sms(enrolment.phone, message, kind="checkin_activation")
    record(actor, "checkin.send_link", "checkin_enrolment", enrolment.id, None, {"sent": True})


def send_sms(phone: str, message: str, *, kind: str) -> None:
    """POST ``{kind, phone, message}`` to WEBHOOK_URL (the SMS gateway); RuleViolation when
    no gateway is configured or it refuses."""
    url = current_app.config.get("WEBHOOK_URL")
    if not url:
        raise RuleViolation(
            _("未配置短信网关（WEBHOOK_URL），请让对象扫描二维码。"), code="no_sms_gateway"
        )
    body = json.dumps({"kind": kind, "phone": phone, "message": message}, ensure_ascii=False)
    request = urllib.request.Request(
        url,
        data=body.encode("utf-8"),
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
            if response.status >= 300:
                raise RuntimeError(f"webhook answered {response.status}")
    except Exception as exc:
        log.warning("SMS to %s*** failed: %s", phone[:3], exc)
        raise RuleViolation(
            _("短信发送失败，请稍后重试或让对象扫描二维码。"), code="sms_failed"
        ) from None


def code_enrolment(code: str, now: datetime | None = None) -> CheckinEnrolment | None:
    """The pending enrolment a live activation code belongs to."""
    now = now or clock.now_utc()
    code = normalise_code(code)
    if len(code) != CODE_LENGTH:
        return None
    enrolment = db.session.execute(
        select(CheckinEnrolment).where(CheckinEnrolment.code_digest == _digest(code))
    ).scalar_one_or_none()
    if enrolment is None or enrolment.status != "pending":
        return None
    if _aware(enrolment.code_expires_at) < now:
        return None
    return enrolment


def check_pin_format(f: Fields, pin: str, again: str) -> None:
    if not PIN.match(pin or ""):
        f.error("pin", _("密码应为6位数字。"))
    elif len(set(pin)) == 1 or pin in "0123456789" or pin in "9876543210":
        f.error("pin", _("密码太简单（如111111、123456），请换一个。"))
    elif pin != again:
        f.error("pin_again", _("两次输入的密码不一致。"))


def activate(data: dict, now: datetime | None = None) -> CheckinEnrolment:
    """Code + birth date → set the PIN. The code is used up; the reference photo follows."""
    now = now or clock.now_utc()
    f = Fields(data)
    code = normalise_code(data.get("code"))
    birth = f.date("birth_date")
    pin, again = data.get("pin") or "", data.get("pin_again") or ""
    check_pin_format(f, pin, again)
    if not code:
        f.error("code", _("请填写激活码。"))
    f.raise_if_errors()
    enrolment = code_enrolment(code, now)
    wrong = _("激活码或出生日期不正确，或激活码已失效。")
    if enrolment is None:
        raise ValidationFailed(wrong, fields={"code": wrong}, code="bad_activation")
    if enrolment.case.person.birth_date != birth:
        enrolment.code_failures += 1
        if enrolment.code_failures >= CODE_MAX_FAILURES:
            enrolment.code_digest = None  # void: the officer issues a new code
        db.session.flush()
        record(None, "checkin.activation_failed", "checkin_enrolment", enrolment.id)
        db.session.commit()  # the count sticks although the request fails
        raise ValidationFailed(wrong, fields={"code": wrong}, code="bad_activation")
    enrolment.code_digest = None  # single use
    enrolment.pin_hash = generate_password_hash(pin, method=_pin_method())
    enrolment.pin_failures = 0
    enrolment.locked_at = None
    if enrolment.reference_photo_key and not enrolment.reference_deleted_at:
        enrolment.status = "active"  # a reset PIN: the reference photo is already there
    enrolment.activated_at = enrolment.activated_at or now
    db.session.flush()
    record(None, "checkin.activate", "checkin_enrolment", enrolment.id, None, _snap(enrolment))
    return enrolment
