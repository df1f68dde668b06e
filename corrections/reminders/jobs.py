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
from datetime import date

from sqlalchemy import select

from corrections import clock
from corrections.extensions import db
from corrections.reminders import daily, recompute
from corrections.reminders.models import JobRun
from corrections.reminders.services import deliver_pending, enqueue_since
from corrections.resettlement import services as resettlement
from corrections.supervision import services as supervision

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


# --------------------------------------------------------------------------- daily reminders


def daily_reminders(on: date) -> dict:
    """Every reminder type of ``reminders/daily.py`` for day ``on``, then the deliveries."""
    started = clock.now_utc()
    counts = daily.run(on)
    queued = enqueue_since(started)
    return {"created": sum(counts.values()), "by_kind": counts, "queued": queued}


# --------------------------------------------------------------------------- nightly recompute


def recompute_due(on: date, carry: bool = False) -> dict:
    """Recompute every open case's stored due state from its history; log what it corrected.

    Cases ended within the on-time window are refreshed too: their on-time counts
    still figure in the dashboard's rates. With ``carry`` (the nightly job) a case with
    nothing dated since its state was computed is carried forward without the engine
    (reminders/recompute.py); a rule change recomputes everything.
    """
    counts = {"updated": 0, "corrected": 0}
    programmes = (
        (recompute.correction_programme(), supervision.refresh_due_states),
        (recompute.resettlement_programme(), resettlement.refresh_due_states),
    )
    for programme, refresh_many in programmes:
        model = programme.model

        def full(ids: list[int], model=model, refresh_many=refresh_many) -> None:
            for start in range(0, len(ids), BATCH):
                cases = (
                    db.session.execute(
                        select(model)
                        .where(model.id.in_(ids[start : start + BATCH]))
                        .order_by(model.id)
                    )
                    .scalars()
                    .all()
                )
                _refresh(cases, refresh_many, on, counts)

        if carry:
            counts["updated"] += recompute.carry_forward(programme, on, full)
            continue
        for batch in _batches(select(model).where(programme.open_cases(on))):
            _refresh(batch, refresh_many, on, counts)
            # a province does not sit in one transaction (nor in memory: the session
            # holds its objects weakly, and a batch is dropped once committed)
            db.session.commit()
    # a newer holiday package may cover a year a report deadline was waiting for
    moved = supervision.recompute_report_deadlines()
    db.session.commit()
    return {
        "created": counts["updated"],
        "corrected": counts["corrected"],
        "deadlines_moved": moved,
    }


def _refresh(batch: list, refresh_many, on: date, counts: dict) -> None:
    """The engine on ``batch``; counts the cases changed and logs those corrected."""
    before = {c.id: (c.next_due_on, c.is_overdue, c.overdue_days, c.due_computed_on) for c in batch}
    for case in refresh_many(batch, on):
        counts["updated"] += 1
        was = before[case.id]
        if was[3] == on or was[0] != case.next_due_on:
            counts["corrected"] += 1
            log.warning(
                "recompute_due: %s %s stored %s, history says %s",
                case.__tablename__,
                case.id,
                was[:3],
                (case.next_due_on, case.is_overdue, case.overdue_days),
            )
    db.session.flush()


FULL_RECOMPUTE_WEEKDAY = 6  # Sunday


def nightly_recompute(on: date) -> dict:
    """The nightly ``recompute_due``: carried forward where nothing changed, except on
    Sundays, when every open case goes through the engine again. Carrying forward trusts
    every write to have refreshed its case; the weekly full run corrects (and logs) a
    stored state that a write left stale (docs/operations.md, Scheduled jobs)."""
    return recompute_due(on, carry=on.weekday() != FULL_RECOMPUTE_WEEKDAY)


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


def store_figures(on: date) -> dict:
    """Every station's figures of last month, its year to date and the chart, stored so the
    day's reports read them (reports/figures/rollups.py)."""
    from corrections.reports.figures import rollups

    return rollups.warm(on)


def fold_figure_changes(on: date) -> dict:
    """The figures' change rows added to the stations' versions (reports/figures/changes.py),
    so reading a version stays one short count."""
    from corrections.reports.figures import changes

    return {"created": 0, "folded": changes.fold(db.session)}


JOBS = {
    "daily_reminders": daily_reminders,
    "recompute_due": nightly_recompute,
    "deliver": deliver,
    "audit_anchor": audit_anchor,
    "raise_alerts": raise_alerts,
    "escalate_alerts": escalate_alerts,
    "request_checkins": request_checkins,
    "expire_checkins": expire_checkins,
    "checkin_retention": checkin_retention,
    "store_figures": store_figures,
    "fold_figure_changes": fold_figure_changes,
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
