"""Scheduled jobs. Each is idempotent for a day: running it twice creates nothing new.

``run_job(name, on)`` records every run (JobRun: start, duration, outcome) and
returns the summary the CLI prints: ``{"job": name, "date": "...", "created": N, ...}``.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import traceback
from datetime import date, timedelta

from sqlalchemy import or_, select

from corrections import clock
from corrections.assessments.models import Assessment
from corrections.extensions import db
from corrections.reminders.models import JobRun
from corrections.reminders.services import Recipients, deliver_pending, enqueue_since, notify
from corrections.resettlement import services as resettlement
from corrections.resettlement.models import ResettlementCase
from corrections.rules import engine, twins
from corrections.rules.holidays import calendar
from corrections.rules.tables import contact_rules, deadline
from corrections.supervision import services as supervision
from corrections.supervision.models import CorrectionCase, Leave, MonitoringEpisode

log = logging.getLogger("corrections.jobs")
BATCH = 1000


def _batches(query):
    """Rows in id batches so a province never sits in memory at once."""
    model = query.column_descriptions[0]["entity"]
    last = 0
    while True:
        rows = (
            db.session.execute(query.where(model.id > last).order_by(model.id).limit(BATCH))
            .scalars()
            .all()
        )
        if not rows:
            return
        yield rows
        last = rows[-1].id


def _iter(query):
    for rows in _batches(query):
        yield from rows


def _name(case) -> str:
    return case.person.name


# --------------------------------------------------------------------------- daily reminders


def daily_reminders(on: date) -> dict:
    started = clock.now_utc()
    who = Recipients()
    rules = contact_rules()
    counts: dict[str, int] = {}

    def add(kind, n):
        counts[kind] = counts.get(kind, 0) + n

    tomorrow = on + timedelta(days=1)
    # Contact requirements: only cases whose earliest due date is tomorrow or earlier.
    corrections_due = select(CorrectionCase).where(
        CorrectionCase.status == "active", CorrectionCase.next_due_on <= tomorrow
    )
    for case in _iter(corrections_due):
        for state in engine.due_dates_on(supervision.case_facts(case, on), rules, on):
            _contact_notice(add, who, case, "correction", state, on, tomorrow)
    resettlement_due = select(ResettlementCase).where(
        ResettlementCase.status == "active", ResettlementCase.next_due_on <= tomorrow
    )
    for case in _iter(resettlement_due):
        for state in engine.due_dates_on(resettlement.case_facts(case, on), rules, on):
            _contact_notice(add, who, case, "resettlement", state, on, tomorrow)

    # 漏管: the report deadline passed without reception.
    missed = select(CorrectionCase).where(
        twins.still_missing(
            CorrectionCase.status,
            CorrectionCase.source,
            CorrectionCase.report_deadline,
            CorrectionCase.received_on,
            on,
        )
    )
    for case in _iter(missed):
        add(
            "missed_intake",
            notify(
                who.for_case(case.station_id, case.officer_id, True),
                key=f"missed_intake:{case.id}",
                kind="missed_intake",
                programme="correction",
                case_id=case.id,
                due_on=case.report_deadline,
                message=f"{_name(case)} 应于{case.report_deadline}前报到，至今未报到（漏管），请立即组织查找。",
            ),
        )

    # 调查评估 due within 2 working days, or overdue.
    cal = calendar()
    soon = cal.add_working_days(on, 2) or on + timedelta(days=2)
    open_assessments = select(Assessment).where(
        Assessment.completed_on.is_(None), Assessment.due_on.is_not(None), Assessment.due_on <= soon
    )
    for item in _iter(open_assessments):
        overdue = item.due_on < on
        kind = "assessment_overdue" if overdue else "assessment_due_soon"
        text = (
            f"调查评估（{item.name}）已超过期限{item.due_on}，请尽快完成。"
            if overdue
            else f"调查评估（{item.name}）应于{item.due_on}前完成。"
        )
        add(
            kind,
            notify(
                who.for_case(item.station_id, None, overdue),
                key=f"{kind}:{item.id}:{item.due_on}",
                kind=kind,
                programme="assessment",
                case_id=item.id,
                due_on=item.due_on,
                message=text,
            ),
        )

    # Leave not returned by its end date: from the first day after it (docs/domain.md §7.3).
    late = (
        select(Leave, CorrectionCase)
        .join(CorrectionCase, CorrectionCase.id == Leave.case_id)
        .where(
            CorrectionCase.status == "active",
            Leave.status == "approved",
            Leave.kind == "leave",
            twins.return_overdue(Leave.ends_on, Leave.returned_on, on),
        )
        .order_by(Leave.id)
    )
    for leave, case in db.session.execute(late).all():
        add(
            "leave_not_returned",
            notify(
                who.for_case(case.station_id, case.officer_id, True),
                key=f"leave_not_returned:{leave.id}",
                kind="leave_not_returned",
                programme="correction",
                case_id=case.id,
                due_on=leave.ends_on,
                message=f"{_name(case)} 外出应于{leave.ends_on}返回，至今未销假。",
            ),
        )

    # Term ending within 30 days: the release checklist opens (the rule as of the term end).
    # For 暂外 the term end moves by the days absconded (docs/domain.md §7.6): the SQL picks
    # candidates by the term end as sentenced, the case's effective term end decides.
    ending = select(CorrectionCase).where(*supervision.term_ending_candidates(on))
    for case in _iter(ending):
        term_end = supervision.term_ending_on(case, on)
        if term_end is None:
            continue
        add(
            "term_ending",
            notify(
                who.for_case(case.station_id, case.officer_id, False),
                key=f"term_ending:{case.id}:{term_end}",
                kind="term_ending",
                programme="correction",
                case_id=case.id,
                due_on=term_end,
                message=f"{_name(case)} 矫正期将于{term_end}届满，请办理解除前各项工作。",
            ),
        )

    # 保外就医 medical re-examination due soon (a window row) or overdue.
    medical = select(CorrectionCase).where(
        CorrectionCase.status == "active",
        CorrectionCase.correction_type == "temporary_release",
        CorrectionCase.grounds == "medical",
    )
    for case in _iter(medical):
        due = supervision.medical_review_due(case)
        if due is None or not (due < on or supervision.medical_review_due_soon(due, on)):
            continue
        add(
            "medical_review_due",
            notify(
                who.for_case(case.station_id, case.officer_id, due < on),
                key=f"medical_review_due:{case.id}:{due}",
                kind="medical_review_due",
                programme="correction",
                case_id=case.id,
                due_on=due,
                message=f"{_name(case)} 病情复查应于{due}前完成。",
            ),
        )

    # Electronic monitoring ending soon (a window row, as of the episode's end).
    monitoring = select(MonitoringEpisode).where(
        MonitoringEpisode.removed_on.is_(None),
        twins.due_soon("monitoring_end_soon_days", MonitoringEpisode.ends_on, on),
    )
    for episode in _iter(monitoring):
        case = db.session.get(CorrectionCase, episode.case_id)
        if case.status != "active":
            continue
        add(
            "monitoring_ending",
            notify(
                who.for_case(case.station_id, case.officer_id, False),
                key=f"monitoring_ending:{episode.id}:{episode.ends_on}",
                kind="monitoring_ending",
                programme="correction",
                case_id=case.id,
                due_on=episode.ends_on,
                message=f"{_name(case)} 电子定位将于{episode.ends_on}到期，请决定解除或延长。",
            ),
        )

    # Released prisoners not handed over within 7 days (the rule as of the release date).
    waiting = select(ResettlementCase).where(
        ResettlementCase.status == "released",
        twins.handover_overdue(ResettlementCase.released_on, ResettlementCase.handed_over_on, on),
    )
    for case in _iter(waiting):
        handover_days = deadline("handover_alert_days", case.released_on)
        add(
            "not_handed_over",
            notify(
                who.for_case(case.station_id, case.officer_id, True),
                key=f"not_handed_over:{case.id}",
                kind="not_handed_over",
                programme="resettlement",
                case_id=case.id,
                due_on=case.released_on + timedelta(days=handover_days),
                message=f"{_name(case)} 已于{case.released_on}释放，超过{handover_days}天未衔接。",
            ),
        )

    # Resettlement period ending within 30 days, or ended and the case still open
    # (帮教期满未结案, docs/domain.md §7.7); one reminder per case and period end.
    period = select(ResettlementCase).where(
        ResettlementCase.status != "ended",
        twins.period_end_alert(ResettlementCase.period_ends_on, on),
    )
    for case in _iter(period):
        add(
            "resettlement_period_ending",
            notify(
                who.for_case(case.station_id, case.officer_id, False),
                key=f"resettlement_period_ending:{case.id}:{case.period_ends_on}",
                kind="resettlement_period_ending",
                programme="resettlement",
                case_id=case.id,
                due_on=case.period_ends_on,
                message=(
                    f"{_name(case)} 帮教期已于{case.period_ends_on}届满，请办理结案。"
                    if case.period_ends_on < on
                    else f"{_name(case)} 帮教期将于{case.period_ends_on}届满。"
                ),
            ),
        )

    queued = enqueue_since(started)
    return {"created": sum(counts.values()), "by_kind": counts, "queued": queued}


def _contact_notice(add, who, case, programme, state, on, tomorrow) -> None:
    if state.paused:
        return
    label = engine.requirement_label(state.requirement)
    if state.due_on == tomorrow:
        add(
            "contact_due_tomorrow",
            notify(
                who.for_case(case.station_id, case.officer_id, False),
                key=f"contact_due:{programme}:{case.id}:{state.requirement}:{state.due_on}",
                kind="contact_due_tomorrow",
                programme=programme,
                case_id=case.id,
                due_on=state.due_on,
                message=f"{_name(case)} 的{label}明天（{state.due_on}）到期。",
            ),
        )
    elif state.due_on < on:
        add(
            "contact_overdue",
            notify(
                who.for_case(case.station_id, case.officer_id, True),
                key=f"contact_overdue:{programme}:{case.id}:{state.requirement}:{state.due_on}",
                kind="contact_overdue",
                programme=programme,
                case_id=case.id,
                due_on=state.due_on,
                message=f"{_name(case)} 的{label}已于{state.due_on}到期未完成（逾期）。",
            ),
        )


# --------------------------------------------------------------------------- nightly recompute


def recompute_due(on: date) -> dict:
    """Recompute every open case's stored due state from its history; log what it corrected.

    Cases ended within the on-time window are refreshed too: their on-time counts
    still figure in the dashboard's rates.
    """
    updated = corrected = 0
    window_start = engine.on_time_window(on)[0]
    queries = (
        (
            select(CorrectionCase).where(
                or_(
                    CorrectionCase.status.in_(("active", "expected")),
                    CorrectionCase.ended_on > window_start,
                )
            ),
            supervision.refresh_due_states,
        ),
        (
            select(ResettlementCase).where(ResettlementCase.status != "ended"),
            resettlement.refresh_due_states,
        ),
    )
    for query, refresh_many in queries:
        for batch in _batches(query):
            before = {
                c.id: (c.next_due_on, c.is_overdue, c.overdue_days, c.due_computed_on)
                for c in batch
            }
            for case in refresh_many(batch, on):
                updated += 1
                was = before[case.id]
                if was[3] == on or was[0] != case.next_due_on:
                    corrected += 1
                    log.warning(
                        "recompute_due: %s %s stored %s, history says %s",
                        case.__tablename__,
                        case.id,
                        was[:3],
                        (case.next_due_on, case.is_overdue, case.overdue_days),
                    )
            db.session.flush()
            # a province does not sit in one transaction (nor in memory: the session
            # holds its objects weakly, and a batch is dropped once committed)
            db.session.commit()
    # a newer holiday package may cover a year a report deadline was waiting for
    moved = supervision.recompute_report_deadlines()
    db.session.commit()
    return {"created": updated, "corrected": corrected, "deadlines_moved": moved}


def deliver(on: date) -> dict:
    result = deliver_pending()
    return {"created": result["sent"], **result}


def audit_anchor(on: date) -> dict:
    from corrections.audit.services import anchor_day

    return anchor_day(on)


def raise_alerts(on: date) -> dict:
    from corrections.alerts.jobs import raise_alerts as run

    return run(on)


def escalate_alerts(on: date) -> dict:
    from corrections.alerts.jobs import escalate_alerts as run

    return run(on)


def request_checkins(on: date) -> dict:
    """Self check-ins from the rule rows per level (docs/domain.md §7.12)."""
    from corrections.checkin.services import request_due_checkins

    return request_due_checkins(on)


def expire_checkins(on: date) -> dict:
    """Requested check-ins past their deadline expire and raise ``missed_checkin``."""
    from corrections.checkin.services import expire_due_checkins

    return expire_due_checkins(on)


def checkin_retention(on: date) -> dict:
    """Check-in photos and reference photos past their retention are deleted."""
    from corrections.checkin.services import apply_retention, end_for_ended_cases

    ended = end_for_ended_cases()
    return {**apply_retention(on), "enrolments_ended": ended}


JOBS = {
    "daily_reminders": daily_reminders,
    "recompute_due": recompute_due,
    "deliver": deliver,
    "audit_anchor": audit_anchor,
    "raise_alerts": raise_alerts,
    "escalate_alerts": escalate_alerts,
    "request_checkins": request_checkins,
    "expire_checkins": expire_checkins,
    "checkin_retention": checkin_retention,
}


def run_job(name: str, on: date | None = None) -> dict:
    if name not in JOBS:
        raise KeyError(name)
    on = on or clock.today()
    run = JobRun(
        job=name,
        run_date=on,
        started_at=clock.now_utc(),
        outcome="running",
        runner=f"{socket.gethostname()}:{os.getpid()}"[:128],
    )
    db.session.add(run)
    db.session.commit()
    run_id = run.id
    began = time.monotonic()
    try:
        result = JOBS[name](on)
        db.session.commit()
    except Exception:
        db.session.rollback()
        run = db.session.get(JobRun, run_id)
        run.outcome, run.error = "error", traceback.format_exc()[-4000:]
        run.duration_ms = int((time.monotonic() - began) * 1000)
        db.session.commit()
        raise
    run = db.session.get(JobRun, run_id)
    run.outcome, run.created = "ok", int(result.get("created", 0))
    run.duration_ms = int((time.monotonic() - began) * 1000)
    run.detail = result
    db.session.commit()
    return {"job": name, "date": on.isoformat(), **result, "duration_ms": run.duration_ms}


def last_runs() -> list[JobRun]:
    rows = []
    for name in JOBS:
        run = db.session.execute(
            select(JobRun).where(JobRun.job == name).order_by(JobRun.id.desc()).limit(1)
        ).scalar_one_or_none()
        rows.append((name, run))
    return rows
