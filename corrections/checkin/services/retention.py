"""What is kept and for how long (docs/security.md, "The person's realm"): check-in photos and
reference photos are deleted N days after review or after the end."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from corrections import clock
from corrections.audit.services import record
from corrections.checkin.models import Checkin, CheckinEnrolment
from corrections.checkin.services.common import log, retention_days
from corrections.extensions import db
from corrections.supervision.models import CorrectionCase


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


def _forget(row, key_column: str, deleted_column: str, now: datetime) -> None:
    """The row forgets its photo (the time is kept) and the file goes unless still used."""
    key = getattr(row, key_column)
    setattr(row, key_column, None)
    setattr(row, deleted_column, now)
    db.session.flush()
    _delete_file(key)


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
        _forget(checkin, "photo_key", "photo_deleted_at", now)
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
        _forget(enrolment, "reference_photo_key", "reference_deleted_at", now)
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
