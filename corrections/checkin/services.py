"""Self check-in: enrolment, activation, the PIN, check-ins and their review.

The rules are in docs/domain.md §7.12; the login realm and what is kept in
docs/security.md ("The person's realm").
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import re
import secrets
import urllib.request
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.security import check_password_hash, generate_password_hash

from corrections import clock
from corrections.alerts import areas
from corrections.audit.services import record, snapshot
from corrections.checkin import photos
from corrections.checkin.face import verifier
from corrections.checkin.models import (
    Checkin,
    CheckinEnrolment,
    CheckinNotice,
    CheckinQuestion,
    PersonSession,
)
from corrections.checkin.signals import signal
from corrections.errors import Conflict, Forbidden, NotFound, RuleViolation, ValidationFailed
from corrections.extensions import db
from corrections.rules.tables import deadline
from corrections.supervision import services as supervision
from corrections.supervision.models import CorrectionCase, Leave
from corrections.validation import Fields

log = logging.getLogger("corrections.checkin")

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud at the meeting
CODE_LENGTH = 8
CODE_DAYS = 7
CODE_MAX_FAILURES = 5  # a right code with a wrong birth date: the code is void after this
PIN_MAX_FAILURES = 10
MAX_QUESTIONS = 3
MAX_DUE_DAYS = 14
PHONE = re.compile(r"^1[3-9][0-9]{9}$")
PIN = re.compile(r"^[0-9]{6}$")
APPROXIMATE_M = 1000  # location accuracy worse than this: kept, marked approximate
PHOTO_MAX_AGE = timedelta(hours=1)  # "a photo taken now": the capture time may not be older


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def china_date(moment: datetime) -> date:
    return _aware(moment).astimezone(clock.CHINA).date()


def china_time(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return _aware(moment).astimezone(clock.CHINA).strftime("%Y-%m-%d %H:%M")


def normalise_code(code: Any) -> str:
    if not isinstance(code, str):
        return ""
    return re.sub(r"[\s-]", "", code).upper()


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def retention_days() -> int:
    return int(current_app.config.get("CHECKIN_PHOTO_RETENTION_DAYS", 180))


# --------------------------------------------------------------------------- enrolment


def enrolment_of(case: CorrectionCase) -> CheckinEnrolment | None:
    """The case's current enrolment (pending or active), if any."""
    return db.session.execute(
        select(CheckinEnrolment)
        .where(CheckinEnrolment.case_id == case.id, CheckinEnrolment.status != "ended")
        .order_by(CheckinEnrolment.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def _require_case_writer(actor, case: CorrectionCase) -> None:
    supervision.require_writer(actor)
    if case.status != "active":
        raise RuleViolation(_("只有在矫的案件可以使用自助报到。"), code="case_not_active")


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
    phone = f.text("phone", required=True, limit=20).replace(" ", "")
    if phone and not PHONE.match(phone):
        f.error("phone", _("请填写11位手机号码。"))
    consent_on = f.date("consent_on")
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
        supervision.require_writer(actor)
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
    supervision.require_writer(actor)
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


def _pin_method() -> str:
    return current_app.config.get("PASSWORD_HASH_METHOD") or "scrypt"


_DUMMY = None


def login(phone: str, pin: str, now: datetime | None = None) -> CheckinEnrolment:
    """Phone + PIN. Failures count per enrolment; the 10th locks it until the officer
    issues a new code."""
    global _DUMMY
    now = now or clock.now_utc()
    phone = (phone or "").strip().replace(" ", "")
    wrong = _("手机号或密码不正确。")
    enrolment = db.session.execute(
        select(CheckinEnrolment).where(
            CheckinEnrolment.phone == phone,
            CheckinEnrolment.status != "ended",
            CheckinEnrolment.pin_hash.is_not(None),
        )
    ).scalar_one_or_none()
    if enrolment is None:
        if _DUMMY is None:
            _DUMMY = generate_password_hash("000000", method=_pin_method())
        check_password_hash(_DUMMY, pin or "")  # the same cost either way
        raise ValidationFailed(wrong, code="bad_login")
    if enrolment.locked_at is not None:
        raise Forbidden(_locked_message(enrolment), code="pin_locked")
    if not check_password_hash(enrolment.pin_hash, pin or ""):
        enrolment.pin_failures += 1
        locked = enrolment.pin_failures >= PIN_MAX_FAILURES
        if locked:
            enrolment.locked_at = now
        db.session.flush()
        record(
            None,
            "checkin.pin_failed",
            "checkin_enrolment",
            enrolment.id,
            None,
            {"failures": enrolment.pin_failures, "locked": locked},
        )
        db.session.commit()  # the count sticks although the request fails
        if locked:
            raise Forbidden(_locked_message(enrolment), code="pin_locked")
        raise ValidationFailed(wrong, code="bad_login")
    if enrolment.pin_failures:
        enrolment.pin_failures = 0
        db.session.flush()
    return enrolment


def _locked_message(enrolment: CheckinEnrolment) -> str:
    phone = officer_phone(enrolment.case)
    return _(
        "密码错误次数过多，账号已锁定。请联系司法所工作人员重置（电话：%(p)s）。", p=phone or "—"
    )


def officer_phone(case: CorrectionCase) -> str:
    """The number the person should call: the station's phone from the settings, if any."""
    phones = current_app.config.get("CHECKIN_STATION_PHONES") or {}
    if isinstance(phones, str):
        try:
            phones = json.loads(phones)
        except ValueError:
            phones = {}
    return str(phones.get(case.station.code, "")) or str(
        current_app.config.get("CHECKIN_DEFAULT_PHONE") or ""
    )


def set_reference(enrolment: CheckinEnrolment, upload) -> CheckinEnrolment:
    data = photos.read_upload(upload)
    photo = photos.process(data)
    before = _snap(enrolment)
    enrolment.reference_photo_key = photo.key
    enrolment.reference_photo_at = clock.now_utc()
    enrolment.reference_deleted_at = None
    enrolment.status = "active"
    db.session.flush()
    record(
        None, "checkin.reference_photo", "checkin_enrolment", enrolment.id, before, _snap(enrolment)
    )
    return enrolment


# --------------------------------------------------------------------------- person sessions

SESSION_IDLE = timedelta(minutes=30)
SESSION_MAX = timedelta(hours=12)


def start_person_session(enrolment: CheckinEnrolment) -> str:
    now = clock.now_utc()
    db.session.execute(
        delete(PersonSession).where(
            PersonSession.enrolment_id == enrolment.id,
            (PersonSession.last_seen_at < now - SESSION_IDLE)
            | (PersonSession.created_at < now - SESSION_MAX),
        )
    )
    secret = secrets.token_urlsafe(32)
    db.session.add(
        PersonSession(
            id=_digest(secret),
            enrolment_id=enrolment.id,
            nonce=enrolment.session_nonce,
            created_at=now,
            last_seen_at=now,
        )
    )
    db.session.flush()
    return secret


def session_enrolment(secret: Any) -> CheckinEnrolment | None:
    if not secret or not isinstance(secret, str):
        return None
    row = db.session.execute(
        select(PersonSession, CheckinEnrolment)
        .join(CheckinEnrolment, CheckinEnrolment.id == PersonSession.enrolment_id)
        .where(PersonSession.id == _digest(secret))
    ).first()
    if row is None:
        return None
    sess, enrolment = row
    now = clock.now_utc()
    if (
        sess.nonce != enrolment.session_nonce
        or enrolment.status == "ended"
        or enrolment.locked_at is not None
        or now - _aware(sess.last_seen_at) > SESSION_IDLE
        or now - _aware(sess.created_at) > SESSION_MAX
    ):
        return None
    if now - _aware(sess.last_seen_at) > timedelta(minutes=1):
        sess.last_seen_at = now
        db.session.commit()
    return enrolment


def end_person_session(secret: Any) -> None:
    if secret and isinstance(secret, str):
        db.session.execute(delete(PersonSession).where(PersonSession.id == _digest(secret)))


# --------------------------------------------------------------------------- check-ins


def _parse_due(f: Fields, value: Any, now: datetime) -> datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        f.error("due_by", _("时间格式应为 YYYY-MM-DDTHH:MM。"))
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        f.error("due_by", _("时间格式应为 YYYY-MM-DDTHH:MM。"))
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=clock.CHINA)
    if moment <= now:
        f.error("due_by", _("截止时间应晚于现在。"))
    elif moment > now + timedelta(days=MAX_DUE_DAYS):
        f.error("due_by", _("截止时间最多为%(n)d天后。", n=MAX_DUE_DAYS))
    return moment.astimezone(UTC)


def _parse_questions(f: Fields, value: Any) -> list[str]:
    if value in (None, ""):
        return []
    if not isinstance(value, list) or not all(isinstance(q, str) for q in value):
        f.error("questions", _("问题应为文字列表。"))
        return []
    questions = [q.strip() for q in value if q and q.strip()]
    if len(questions) > MAX_QUESTIONS:
        f.error("questions", _("最多%(n)d个问题。", n=MAX_QUESTIONS))
    if any(len(q) > 200 for q in questions):
        f.error("questions", _("每个问题最多200字。"))
    return questions


def open_checkin(case_id: int) -> Checkin | None:
    return db.session.execute(
        select(Checkin)
        .where(Checkin.case_id == case_id, Checkin.status == "requested")
        .order_by(Checkin.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def _window(on: date) -> timedelta:
    return timedelta(hours=deadline("checkin_window_hours", on))


def request_checkin(actor, case: CorrectionCase, data: dict, now: datetime | None = None):
    now = now or clock.now_utc()
    _require_case_writer(actor, case)
    f = Fields(data)
    due_by = _parse_due(f, data.get("due_by"), now)
    questions = _parse_questions(f, data.get("questions"))
    f.raise_if_errors()
    enrolment = enrolment_of(case)
    if enrolment is None or enrolment.status != "active":
        raise RuleViolation(_("该对象尚未激活自助报到。"), code="not_enrolled")
    if open_checkin(case.id) is not None:
        raise Conflict(_("已有一次待提交的自助报到。"), code="checkin_open")
    due_by = due_by or now + _window(china_date(now))
    checkin = _new_checkin(case, enrolment, now, due_by, questions, "officer", actor)
    record(actor, "checkin.request", "checkin", checkin.id, None, checkin_snapshot(checkin))
    return checkin


def _new_checkin(case, enrolment, now, due_by, questions, source, actor, schedule_key=None):
    checkin = Checkin(
        case_id=case.id,
        enrolment_id=enrolment.id,
        status="requested",
        source=source,
        schedule_key=schedule_key,
        requested_at=now,
        requested_by_id=getattr(actor, "id", None),
        due_by=due_by,
        due_on=china_date(due_by),
        questions=questions,
        answers=[],
    )
    db.session.add(checkin)
    db.session.flush()
    return checkin


def checkin_snapshot(checkin: Checkin) -> dict:
    return snapshot(checkin, exclude=("photo_key",))


def _float(f: Fields, key: str, low: float, high: float) -> float | None:
    value = f.data.get(key)
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        f.error(key, _("应为数字。"))
        return None
    if number != number or not low <= number <= high:
        f.error(key, _("数值超出范围。"))
        return None
    return number


def submit(
    enrolment: CheckinEnrolment, checkin: Checkin, data: dict, upload, now: datetime | None = None
) -> Checkin:
    """The person's submission. A second submission of the same check-in returns it
    unchanged; one after the deadline is refused."""
    now = now or clock.now_utc()
    if checkin.case_id != enrolment.case_id:
        raise NotFound(_("记录不存在。"))
    if checkin.status in ("submitted", "reviewed"):
        return checkin  # a double submission: one check-in
    if checkin.status == "expired" or now > _aware(checkin.due_by):
        phone = officer_phone(enrolment.case)
        raise RuleViolation(
            _(
                "已超过报到截止时间（%(t)s），不能再提交。请立即联系司法所工作人员（电话：%(p)s）。",
                t=china_time(checkin.due_by),
                p=phone or "—",
            ),
            code="checkin_expired",
        )
    f = Fields(data)
    lat = _float(f, "lat", -90, 90)
    lon = _float(f, "lon", -180, 180)
    accuracy = _float(f, "accuracy_m", 0, 10_000_000)
    if (lat is None) != (lon is None):
        f.error("lat", _("位置不完整。"))
    answers = []
    for i, _question in enumerate(checkin.questions or []):
        answer = f.text(f"answer_{i}", required=True, limit=500)
        answers.append(answer)
    f.raise_if_errors()
    data_bytes = photos.read_upload(upload)
    photo = photos.process(data_bytes)
    if photo.taken_at is not None and photo.taken_at < now - PHOTO_MAX_AGE:
        message = _("这张照片是%(t)s拍摄的，请现在重新拍照。", t=china_time(photo.taken_at))
        raise ValidationFailed(message, fields={"photo": message}, code="photo_not_current")
    checkin.status = "submitted"
    checkin.submitted_at = now
    checkin.photo_key = photo.key
    checkin.photo_taken_at = (photo.taken_at or now).astimezone(UTC)
    checkin.answers = answers
    if lat is not None:
        checkin.lat, checkin.lon, checkin.accuracy_m = lat, lon, accuracy
        checkin.approximate = accuracy is None or accuracy > APPROXIMATE_M
        # the one area of the system: the station's own, else its unit's (docs/domain.md §7.11)
        station = enrolment.case.station
        checkin.outside_area = areas.outside_area(station, lat, lon)
        checkin.distance_m = areas.distance_outside(station, lat, lon)
    face, distance = _face(enrolment, photo.data)
    checkin.face, checkin.face_distance = face, distance
    try:
        db.session.flush()
    except StaleDataError:  # submitted at the same moment from a second tab
        db.session.rollback()
        return db.session.get(Checkin, checkin.id)
    record(None, "checkin.submit", "checkin", checkin.id, None, checkin_snapshot(checkin))
    case = enrolment.case
    cause = f"checkin:{checkin.id}"
    if checkin.outside_area:
        signal(case, "outside_area", cause=cause, note=_distance_note(checkin), at=now)
    if checkin.face == "no_match":
        signal(case, "face_mismatch", cause=cause, at=now)
    return checkin


def _distance_note(checkin: Checkin) -> str:
    text = _("距允许范围约%(d)s米。", d=f"{checkin.distance_m:.0f}")
    if checkin.approximate:
        text += _("（定位精度较差，位置为大致位置）")
    return text


def _face(enrolment: CheckinEnrolment, photo: bytes) -> tuple[str, float | None]:
    check = verifier()
    if check.name == "none" or not enrolment.reference_photo_key:
        return "not_checked", None
    if enrolment.reference_deleted_at is not None:
        return "not_checked", None
    try:
        return check.verify(photos.load(enrolment.reference_photo_key), photo)
    except Exception:  # advice only: a failing model never blocks a check-in
        log.exception("face check failed for enrolment %s", enrolment.id)
        return "not_checked", None


def review(actor, checkin: Checkin, data: dict) -> Checkin:
    supervision.require_writer(actor)
    f = Fields(data)
    outcome = f.choice("outcome", ("accepted", "follow_up"))
    note = f.text("note", required=outcome == "follow_up", limit=1000)
    f.raise_if_errors()
    if checkin.status != "submitted":
        raise Conflict(_("只有已提交、未审核的报到可以审核。"), code="not_submitted")
    case = checkin.case
    before = checkin_snapshot(checkin)
    if outcome == "accepted":
        contact = supervision.record_contact(
            actor,
            case,
            {
                "kind": "info_check",
                "occurred_on": china_date(checkin.submitted_at),
                "note": _("自助报到（第%(n)d号）", n=checkin.id) + (f"：{note}" if note else ""),
            },
        )
        checkin.contact_id = contact.id
    checkin.status = "reviewed"
    checkin.outcome = outcome
    checkin.review_note = note
    checkin.reviewed_at = clock.now_utc()
    checkin.reviewed_by_id = actor.id
    db.session.flush()
    record(actor, "checkin.review", "checkin", checkin.id, before, checkin_snapshot(checkin))
    if outcome == "follow_up":
        signal(case, "checkin_follow_up", cause=f"checkin:{checkin.id}", note=note)
    return checkin


# --------------------------------------------------------------------------- jobs


def request_due_checkins(on: date, now: datetime | None = None) -> dict:
    """The schedule (rule rows per level, docs/domain.md §7.12): a check-in for every active
    enrolment whose last request is N or more days before ``on``; one per case and day."""
    now = now or clock.now_utc()
    created = 0
    skipped = 0
    start = datetime.combine(on, time(8, 0), tzinfo=clock.CHINA).astimezone(UTC)
    window = _window(on)
    rows = db.session.execute(
        select(CheckinEnrolment, CorrectionCase)
        .join(CorrectionCase, CorrectionCase.id == CheckinEnrolment.case_id)
        .where(CheckinEnrolment.status == "active", CorrectionCase.status == "active")
        .order_by(CheckinEnrolment.id)
    ).all()
    keys, open_cases, last_requested = _request_state([case.id for _, case in rows], on)
    for enrolment, case in rows:
        every = deadline(f"checkin_every_days_{case.level}", on)
        if not every:
            continue
        key = f"{case.id}:{on.isoformat()}"
        if key in keys:
            continue
        if case.id in open_cases:
            skipped += 1
            continue
        last = last_requested.get(case.id)
        since = china_date(last) if last else china_date(enrolment.activated_at or now)
        if last is not None and (on - since).days < every:
            continue
        if last is None and (on - since).days < 0:
            continue
        requested_at = max(start, min(now, start + window - timedelta(hours=1)))
        _new_checkin(case, enrolment, requested_at, start + window, [], "schedule", None, key)
        keys.add(key)  # a second enrolment of the case waits for tomorrow
        created += 1
        _notify_person(enrolment, start + window)
    return {"created": created, "already_open": skipped}


def _request_state(case_ids: list[int], on: date) -> tuple[set[str], set[int], dict]:
    """For ``request_due_checkins``, in a few queries per 500 cases: the day's schedule keys
    already used, the cases with a check-in open, each case's latest request."""
    keys: set[str] = set()
    open_cases: set[int] = set()
    last_requested: dict[int, datetime] = {}
    for first in range(0, len(case_ids), 500):
        chunk = case_ids[first : first + 500]
        wanted = [f"{case_id}:{on.isoformat()}" for case_id in chunk]
        keys.update(
            db.session.execute(
                select(Checkin.schedule_key).where(Checkin.schedule_key.in_(wanted))
            ).scalars()
        )
        open_cases.update(
            db.session.execute(
                select(Checkin.case_id).where(
                    Checkin.case_id.in_(chunk), Checkin.status == "requested"
                )
            ).scalars()
        )
        last_requested.update(
            db.session.execute(
                select(Checkin.case_id, func.max(Checkin.requested_at))
                .where(Checkin.case_id.in_(chunk))
                .group_by(Checkin.case_id)
            ).all()
        )
    return keys, open_cases, last_requested


def _notify_person(enrolment: CheckinEnrolment, due_by: datetime) -> None:
    if not current_app.config.get("WEBHOOK_URL"):
        return
    with contextlib.suppress(RuleViolation):  # logged in send_sms; the request stands
        send_sms(
            enrolment.phone,
            _("【社区矫正】请于%(t)s前完成自助报到。", t=china_time(due_by)),
            kind="checkin_request",
        )


def expire_due_checkins(on: date, now: datetime | None = None) -> dict:
    """Requested check-ins past their deadline (up to the end of ``on``) become expired,
    each raising a ``missed_checkin`` alert."""
    now = now or clock.now_utc()
    end_of_day = datetime.combine(on + timedelta(days=1), time(0), tzinfo=clock.CHINA)
    cutoff = min(now, end_of_day.astimezone(UTC))
    rows = (
        db.session.execute(
            select(Checkin)
            .where(Checkin.status == "requested", Checkin.due_by < cutoff)
            .order_by(Checkin.id)
        )
        .scalars()
        .all()
    )
    alerts = 0
    for checkin in rows:
        checkin.status = "expired"
        checkin.expired_at = now
        db.session.flush()
        record(None, "checkin.expire", "checkin", checkin.id, None, {"due_by": checkin.due_by})
        case = checkin.case
        if case.status == "active":
            alerts += signal(
                case,
                "missed_checkin",
                cause=f"checkin:{checkin.id}",
                note=_("截止时间 %(t)s。", t=china_time(checkin.due_by)),
                at=now,
            )
    return {"created": len(rows), "expired": len(rows), "alerts": alerts}


def _held(checkin: Checkin) -> bool:
    """A follow-up, or an incident of the case that is still open, keeps the photo."""
    from corrections.supervision.models import Incident

    if checkin.outcome == "follow_up":
        return True
    return (
        db.session.execute(
            select(Incident.id).where(
                Incident.case_id == checkin.case_id, Incident.closed_on.is_(None)
            )
        ).first()
        is not None
    )


def _still_referenced(key: str) -> bool:
    from corrections.paperwork.models import Attachment

    for column in (Checkin.photo_key, CheckinEnrolment.reference_photo_key, Attachment.storage_key):
        if db.session.execute(select(column).where(column == key).limit(1)).first():
            return True
    return False


def _delete_file(key: str) -> None:
    from corrections import storage

    if not _still_referenced(key):
        storage.store().delete(key)


def apply_retention(on: date) -> dict:
    """Delete check-in photos N days after review (unless held) and reference photos N days
    after the case or the enrolment ended. Counts are logged and audited."""
    days = retention_days()
    limit = datetime.combine(on - timedelta(days=days), time(23, 59, 59), tzinfo=clock.CHINA)
    now = clock.now_utc()
    photos_deleted = held = 0
    rows = db.session.execute(
        select(Checkin).where(
            Checkin.photo_key.is_not(None),
            Checkin.photo_deleted_at.is_(None),
            Checkin.reviewed_at.is_not(None),
            Checkin.reviewed_at <= limit.astimezone(UTC),
        )
    ).scalars()
    for checkin in list(rows):
        if _held(checkin):
            held += 1
            continue
        key = checkin.photo_key
        checkin.photo_key = None
        checkin.photo_deleted_at = now
        db.session.flush()
        _delete_file(key)
        photos_deleted += 1
    references = 0
    ended = db.session.execute(
        select(CheckinEnrolment, CorrectionCase.ended_on)
        .join(CorrectionCase, CorrectionCase.id == CheckinEnrolment.case_id)
        .where(
            CheckinEnrolment.reference_photo_key.is_not(None),
            CheckinEnrolment.reference_deleted_at.is_(None),
        )
    ).all()
    for enrolment, case_end in ended:
        end = (
            min(d for d in (case_end, enrolment.ended_on) if d)
            if (case_end or enrolment.ended_on)
            else None
        )
        if end is None or end + timedelta(days=days) > on:
            continue
        key = enrolment.reference_photo_key
        enrolment.reference_photo_key = None
        enrolment.reference_deleted_at = now
        db.session.flush()
        _delete_file(key)
        references += 1
    result = {
        "created": 0,
        "checkin_photos_deleted": photos_deleted,
        "reference_photos_deleted": references,
        "held": held,
        "retention_days": days,
    }
    log.info("check-in photo retention on %s: %s", on, result)
    record(None, "checkin.retention", "checkin", None, None, {"date": on.isoformat(), **result})
    return result


# --------------------------------------------------------------------------- unit settings


def questions_for(unit_id: int) -> list[CheckinQuestion]:
    return list(
        db.session.execute(
            select(CheckinQuestion)
            .where(CheckinQuestion.unit_id == unit_id, CheckinQuestion.active.is_(True))
            .order_by(CheckinQuestion.id)
        ).scalars()
    )


def add_question(actor, unit_id: int, text: str) -> CheckinQuestion:
    if not (actor.is_admin or actor.is_supervisor):
        raise Forbidden(_("只有县局主管或管理员可以维护报到问题。"))
    f = Fields({"text": text})
    value = f.text("text", required=True, limit=200)
    f.raise_if_errors()
    row = CheckinQuestion(unit_id=unit_id, text=value, active=True)
    db.session.add(row)
    db.session.flush()
    record(actor, "checkin.question_add", "checkin_question", row.id, None, snapshot(row))
    return row


def retire_question(actor, row: CheckinQuestion) -> None:
    if not (actor.is_admin or actor.is_supervisor):
        raise Forbidden(_("只有县局主管或管理员可以维护报到问题。"))
    row.active = False
    db.session.flush()
    record(actor, "checkin.question_retire", "checkin_question", row.id, None, None)


def add_notice(actor, case: CorrectionCase, text: str) -> CheckinNotice:
    supervision.require_writer(actor)
    f = Fields({"text": text})
    value = f.text("text", required=True, limit=500)
    f.raise_if_errors()
    row = CheckinNotice(case_id=case.id, text=value, created_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    record(actor, "checkin.notice", "checkin_notice", row.id, None, snapshot(row))
    return row


def notices(case_id: int, limit: int = 10) -> list[CheckinNotice]:
    return list(
        db.session.execute(
            select(CheckinNotice)
            .where(CheckinNotice.case_id == case_id)
            .order_by(CheckinNotice.created_at.desc(), CheckinNotice.id.desc())
            .limit(limit)
        ).scalars()
    )


# --------------------------------------------------------------------------- the person's leave


class PersonActor:
    """The person applying from their phone: audited as "本人", no user row."""

    id = None
    can_write = True
    is_admin = is_supervisor = is_officer = is_viewer = False

    def __init__(self, enrolment: CheckinEnrolment):
        self.username = f"person:{enrolment.case.person_id}"


def apply_leave(enrolment: CheckinEnrolment, data: dict) -> Leave:
    """The normal leave service; the application waits as ``applied`` for the officer."""
    case = enrolment.case
    if case.status != "active":
        raise RuleViolation(_("案件已结束。"), code="case_not_active")
    clean = {
        k: data.get(k) for k in ("starts_on", "ends_on", "destination", "reason", "reason_detail")
    }
    clean["kind"] = "leave"
    clean["applied_on"] = clock.today().isoformat()
    leave = supervision.apply_leave(PersonActor(enrolment), case, clean)
    leave.applied_via = "self"
    db.session.flush()
    return leave


def person_leaves(case_id: int) -> list[Leave]:
    return list(
        db.session.execute(
            select(Leave)
            .where(Leave.case_id == case_id)
            .order_by(Leave.starts_on.desc(), Leave.id.desc())
        ).scalars()
    )


# --------------------------------------------------------------------------- staff reads


def checkin_url(checkin: Checkin) -> str:
    return url_for("my.checkin", checkin_id=checkin.id, _external=True)


def queue_query(user, *, status: str | None = None, case_id: int | None = None):
    """Check-ins in the user's scope; the review queue is ``submitted``, oldest first."""
    from corrections.auth.scope import scope

    query = scope(
        select(Checkin).join(CorrectionCase, CorrectionCase.id == Checkin.case_id),
        user,
        CorrectionCase,
    )
    if status:
        query = query.where(Checkin.status == status)
    if case_id:
        query = query.where(Checkin.case_id == case_id)
    order = Checkin.submitted_at if status == "submitted" else Checkin.due_by
    return query.order_by(order, Checkin.id)


def checkin_in_scope(user, checkin_id: int) -> Checkin | None:
    return db.session.execute(
        queue_query(user).where(Checkin.id == checkin_id)
    ).scalar_one_or_none()


def queue_age_by_station(user, now: datetime | None = None) -> list[dict]:
    """For supervisors: per station, how many submissions wait and the oldest one's age."""
    from corrections.auth.models import Station
    from corrections.auth.scope import scope

    now = now or clock.now_utc()
    rows = db.session.execute(
        scope(
            select(
                CorrectionCase.station_id,
                func.count(Checkin.id),
                func.min(Checkin.submitted_at),
            )
            .select_from(Checkin)
            .join(CorrectionCase, CorrectionCase.id == Checkin.case_id)
            .where(Checkin.status == "submitted")
            .group_by(CorrectionCase.station_id),
            user,
            CorrectionCase,
        )
    ).all()
    out = []
    for station_id, waiting, oldest in rows:
        station = db.session.get(Station, station_id)
        hours = (now - _aware(oldest)).total_seconds() / 3600 if oldest else 0
        out.append({"station": station, "waiting": waiting, "oldest_hours": round(hours, 1)})
    return sorted(out, key=lambda r: -r["oldest_hours"])


def on_time_rate_by_station(user, start: date, end: date) -> list[dict]:
    """Per station: check-ins due in [start, end] and the share submitted by the deadline."""
    from corrections.auth.models import Station
    from corrections.auth.scope import scope

    rows = db.session.execute(
        scope(
            select(CorrectionCase.station_id, Checkin.status, func.count(Checkin.id))
            .select_from(Checkin)
            .join(CorrectionCase, CorrectionCase.id == Checkin.case_id)
            .where(Checkin.due_on.between(start, end), Checkin.status != "requested")
            .group_by(CorrectionCase.station_id, Checkin.status),
            user,
            CorrectionCase,
        )
    ).all()
    per: dict[int, dict] = {}
    for station_id, status, n in rows:
        entry = per.setdefault(station_id, {"due": 0, "on_time": 0})
        entry["due"] += n
        if status in ("submitted", "reviewed"):
            entry["on_time"] += n
    out = []
    for station_id, entry in per.items():
        station = db.session.get(Station, station_id)
        rate = entry["on_time"] / entry["due"] if entry["due"] else None
        out.append({"station": station, **entry, "rate": rate})
    return sorted(out, key=lambda r: r["station"].code)
