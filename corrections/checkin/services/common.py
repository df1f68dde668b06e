"""What the parts of self check-in share: the limits, the code and time helpers, the case's
current enrolment and the check that the actor may write to the case."""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from corrections import clock
from corrections.checkin.models import CheckinEnrolment
from corrections.core.guards import require_writer
from corrections.errors import RuleViolation
from corrections.extensions import db
from corrections.supervision.models import CorrectionCase

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


def enrolment_of(case: CorrectionCase) -> CheckinEnrolment | None:
    """The case's current enrolment (pending or active), if any."""
    return db.session.execute(
        select(CheckinEnrolment)
        .where(CheckinEnrolment.case_id == case.id, CheckinEnrolment.status != "ended")
        .order_by(CheckinEnrolment.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def _require_case_writer(actor, case: CorrectionCase) -> None:
    require_writer(actor)
    if case.status != "active":
        raise RuleViolation(_("只有在矫的案件可以使用自助报到。"), code="case_not_active")


def _pin_method() -> str:
    return current_app.config.get("PASSWORD_HASH_METHOD") or "scrypt"
