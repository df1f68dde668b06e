"""Jobs that raise, clear and escalate alerts (docs/operations.md: jobs; docs/domain.md §7.11).

* ``raise_alerts`` (nightly, after the reminders): 漏管 the day after the report deadline
  (``twins.still_missing``), a leave not returned from the first day after its end
  (``twins.return_overdue``), a contact requirement overdue by more than
  ``alert_overdue_contact_days`` (a rule row, default 7; the due-date engine decides).
  Each situation has its cause (``intake:<case>``, ``leave:<leave>``,
  ``contact:<case>:<requirement>:<due_on>``) and is raised once.
* ``escalate_alerts`` (every five minutes): marks alerts whose cause has cleared (the person
  reported, returned, was contacted) and escalates alerts past ``due_by`` to the supervisors.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from corrections import clock
from corrections.alerts import services
from corrections.alerts.models import Alert
from corrections.extensions import db
from corrections.rules import engine, twins
from corrections.rules.tables import contact_rules, deadline
from corrections.supervision import services as supervision
from corrections.supervision.models import CorrectionCase, Leave

BATCH = 500


def _moment(on: date):
    """Alerts raised by the nightly job for day ``on`` carry the job's run time when it runs
    on that day, else the start of that day (a catch-up run)."""
    now = clock.now_utc()
    if now.astimezone(clock.CHINA).date() == on:
        return now
    from datetime import datetime, time

    return datetime.combine(on, time(0, 0), tzinfo=clock.CHINA).astimezone(clock.UTC)


def raise_alerts(on: date) -> dict:
    from corrections.deferred import deferred_writes

    with deferred_writes():  # one audit-chain lock for the run
        return _raise_alerts(on)


def _raise_alerts(on: date) -> dict:
    at = _moment(on)
    counts = {"missed_intake": 0, "overdue_return": 0, "overdue_contact": 0}

    missed = select(CorrectionCase).where(
        twins.still_missing(
            CorrectionCase.status,
            CorrectionCase.source,
            CorrectionCase.report_deadline,
            CorrectionCase.received_on,
            on,
        )
    )
    for case in db.session.execute(missed.order_by(CorrectionCase.id)).scalars():
        note = f"{case.person.name} 应于{case.report_deadline}前报到，至今未报到（漏管）。"
        if services.raise_alert(case, "missed_intake", cause=f"intake:{case.id}", note=note, at=at):
            counts["missed_intake"] += 1

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
        note = f"{case.person.name} 外出应于{leave.ends_on}返回，至今未销假。"
        if services.raise_alert(
            case, "overdue_return", cause=f"leave:{leave.id}", note=note, at=at
        ):
            counts["overdue_return"] += 1

    days = deadline("alert_overdue_contact_days", on)
    rules = contact_rules()
    # the stored next due date is the earliest: only cases due more than `days` ago qualify
    candidates = select(CorrectionCase).where(
        CorrectionCase.status == "active",
        CorrectionCase.next_due_on < on - timedelta(days=days),
    )
    last = 0
    while True:
        batch = list(
            db.session.execute(
                candidates.where(CorrectionCase.id > last).order_by(CorrectionCase.id).limit(BATCH)
            ).scalars()
        )
        if not batch:
            break
        last = batch[-1].id
        facts = supervision.case_facts_many(batch, on)
        for case in batch:
            for state in engine.due_dates_on(facts[case.id], rules, on):
                if state.paused or (on - state.due_on).days <= days:
                    continue
                label = engine.requirement_label(state.requirement)
                note = (
                    f"{case.person.name} 的{label}已于{state.due_on}到期，"
                    f"逾期{(on - state.due_on).days}天未完成。"
                )
                cause = f"contact:{case.id}:{state.requirement}:{state.due_on}"
                if services.raise_alert(case, "overdue_contact", cause=cause, note=note, at=at):
                    counts["overdue_contact"] += 1
    db.session.flush()
    return {"created": sum(counts.values()), "by_kind": counts}


def clear_resolved(on: date) -> int:
    """Mark the open alerts whose situation has cleared by itself. The facts and leaves the
    check needs are read for all the open alerts at once (a few queries per 500 cases)."""
    cleared = 0
    rows = db.session.execute(
        select(Alert, CorrectionCase)
        .join(CorrectionCase, CorrectionCase.id == Alert.case_id)
        .where(
            Alert.status != "closed",
            Alert.cleared_at.is_(None),
            Alert.kind.in_(("missed_intake", "overdue_return", "overdue_contact")),
        )
        .order_by(Alert.id)
    ).all()
    states = _due_states_of(
        [
            case
            for alert, case in rows
            if alert.kind == "overdue_contact" and case.status == "active"
        ],
        on,
    )
    leaves = _leaves_of([alert for alert, _case in rows if alert.kind == "overdue_return"])
    for alert, case in rows:
        kind, _sep, rest = alert.cause.partition(":")
        resolved = False
        if alert.kind == "missed_intake":
            resolved = case.status != "expected"
        elif alert.kind == "overdue_return" and kind == "leave":
            leave = leaves.get(int(rest))
            resolved = (
                leave is None
                or leave.status != "approved"
                or not twins_return_overdue(leave, on)
                or case.status != "active"
            )
        elif alert.kind == "overdue_contact" and kind == "contact":
            _case_id, requirement, due_on = rest.split(":", 2)
            resolved = case.status != "active" or not any(
                s.requirement == requirement and s.due_on.isoformat() == due_on
                for s in states[case.id]
            )
        if resolved and services.mark_cleared(case, alert.kind, alert.cause):
            cleared += 1
    return cleared


def _due_states_of(cases: list[CorrectionCase], on: date) -> dict[int, list[engine.DueState]]:
    """The engine's due states on ``on`` of each case (facts read per 500 cases: the latest
    contact of each kind before the day, enough for the day itself)."""
    unique = list({case.id: case for case in cases}.values())
    if not unique:
        return {}
    rules = contact_rules()
    facts = supervision.case_facts_many(unique, on, since=on)
    return {case.id: engine.due_dates_on(facts[case.id], rules, on) for case in unique}


def _leaves_of(alerts: list[Alert]) -> dict[int, Leave]:
    ids = []
    for alert in alerts:
        kind, _sep, rest = alert.cause.partition(":")
        if kind == "leave":
            ids.append(int(rest))
    found: dict[int, Leave] = {}
    for first in range(0, len(ids), 500):
        leaves = db.session.execute(select(Leave).where(Leave.id.in_(ids[first : first + 500])))
        found.update((leave.id, leave) for leave in leaves.scalars())
    return found


def twins_return_overdue(leave: Leave, on: date) -> bool:
    from corrections.rules.deadlines import is_return_overdue

    return is_return_overdue(leave.ends_on, leave.returned_on, on)


def escalate_alerts(on: date) -> dict:
    """The five-minute job: clear what resolved, escalate what is overdue."""
    from corrections.reminders.services import enqueue_since

    started = clock.now_utc()
    cleared = clear_resolved(on)
    escalated = services.escalate_overdue()
    queued = enqueue_since(started)
    return {"created": escalated, "cleared": cleared, "queued": queued}
