"""The person's way in (docs/security.md, "The person's realm"): phone and PIN, the lock
after repeated failures, the reference photo and the person's sessions."""

from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, select
from werkzeug.security import check_password_hash, generate_password_hash

from corrections import clock
from corrections.audit.services import record
from corrections.checkin import photos
from corrections.checkin.models import CheckinEnrolment, PersonSession
from corrections.checkin.services.common import PIN_MAX_FAILURES, _aware, _digest, _pin_method
from corrections.checkin.services.enrolment import _snap
from corrections.errors import Forbidden, ValidationFailed
from corrections.extensions import db
from corrections.supervision.models import CorrectionCase

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
