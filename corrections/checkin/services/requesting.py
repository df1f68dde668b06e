"""Requesting check-ins (docs/domain.md §7.12): the officer's request, the schedule's daily
requests and the expiry of requests past their deadline."""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from corrections import clock
from corrections.audit.services import record, snapshot
from corrections.checkin.models import Checkin, CheckinEnrolment
from corrections.checkin.services.common import (
    MAX_DUE_DAYS,
    MAX_QUESTIONS,
    _require_case_writer,
    china_date,
    china_time,
    enrolment_of,
)
from corrections.checkin.services.enrolment import send_sms
from corrections.checkin.signals import signal
from corrections.errors import Conflict, RuleViolation
from corrections.extensions import db
from corrections.rules.tables import deadline
from corrections.supervision.models import CorrectionCase
from corrections.validation import Fields


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
