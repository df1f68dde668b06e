"""The person's submission of a check-in: the photo taken now, the location, the answers and
the advisory face check (docs/domain.md §7.12)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from corrections import clock
from corrections.alerts import areas
from corrections.audit.services import record
from corrections.checkin import photos
from corrections.checkin.face import verifier
from corrections.checkin.models import Checkin, CheckinEnrolment
from corrections.checkin.services.access import officer_phone
from corrections.checkin.services.common import (
    APPROXIMATE_M,
    PHOTO_MAX_AGE,
    _aware,
    china_time,
    log,
)
from corrections.checkin.services.requesting import checkin_snapshot
from corrections.checkin.signals import signal
from corrections.errors import NotFound, RuleViolation, ValidationFailed
from corrections.extensions import db
from corrections.validation import Fields


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
