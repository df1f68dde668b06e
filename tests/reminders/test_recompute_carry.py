"""The nightly recompute carries a case's stored state forward without the engine when nothing
dated happened since it was computed (reminders/recompute.py); the daily reminders read the
facts per batch of cases. Both must give what the engine, case by case, gives."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from corrections import clock
from corrections.extensions import db
from corrections.reminders.jobs import daily_reminders, recompute_due
from corrections.reminders.models import Notification
from corrections.resettlement import services as rs
from corrections.resettlement.models import ResettlementCase
from corrections.rules import engine
from corrections.rules.tables import contact_rules
from corrections.supervision import services as sv
from corrections.supervision.models import CorrectionCase
from tests.helpers import user

STORED = (
    "next_due_on",
    "is_overdue",
    "overdue_days",
    "due_computed_on",
    "month_ends_from",
    "month_ends_to",
    "overdue_month_ends",
)
CORRECTION_ONLY = ("level", "on_time_ok", "on_time_total")


def _stored() -> dict:
    db.session.expire_all()
    rows = {}
    for model, names in ((CorrectionCase, STORED + CORRECTION_ONLY), (ResettlementCase, STORED)):
        for case in db.session.execute(select(model)).scalars():
            rows[(model.__tablename__, case.id)] = tuple(getattr(case, n) for n in names)
    return rows


def test_carried_forward_equals_the_engine_day_after_day(app, demo_county, ctx):
    """Given the demo county, when the nightly job runs day after day (across month ends,
    with a skipped night and writes in between), then every stored state equals the full
    recompute's of the same day."""
    start = clock.today()
    recompute_due(start)
    db.session.commit()
    active = db.session.execute(
        select(CorrectionCase).where(CorrectionCase.status == "active").order_by(CorrectionCase.id)
    ).scalars()
    writer = next(iter(active))
    carried_any = False
    for offset in (1, 2, 3, 5, 6, 7, 8, 12):
        on = start + timedelta(days=offset)
        clock.set_today(on)
        if offset == 3:  # a write between two nights: the engine for that case
            sv.record_contact(
                user(writer.officer.username) if writer.officer else user("admin"),
                writer,
                {"kind": "report_in_person", "occurred_on": on.isoformat()},
            )
            db.session.commit()
        carried = recompute_due(on, carry=True)
        db.session.commit()
        after_carry = _stored()
        full = recompute_due(on)
        db.session.commit()
        assert _stored() == after_carry, on
        assert full["corrected"] == 0
        carried_any = carried_any or carried["created"] > 0
    assert carried_any


def test_contact_reminders_per_batch_equal_those_case_by_case(app, demo_county, ctx):
    """The contact reminders read the facts per batch (the latest contact of each kind before
    the day): the same requirements and due dates as the facts case by case."""
    on = clock.today() + timedelta(days=2)
    recompute_due(on)
    daily_reminders(on)
    db.session.commit()
    found = {
        n.key
        for n in db.session.execute(
            select(Notification).where(
                Notification.kind.in_(("contact_due_tomorrow", "contact_overdue"))
            )
        ).scalars()
    }
    rules, tomorrow, expected = contact_rules(), on + timedelta(days=1), set()
    for model, facts, programme in (
        (CorrectionCase, sv.case_facts, "correction"),
        (ResettlementCase, rs.case_facts, "resettlement"),
    ):
        cases = db.session.execute(
            select(model).where(model.status == "active", model.next_due_on <= tomorrow)
        ).scalars()
        for case in cases:
            for s in engine.due_dates_on(facts(case, on), rules, on):
                if s.paused or not (s.due_on == tomorrow or s.due_on < on):
                    continue
                kind = "contact_due" if s.due_on == tomorrow else "contact_overdue"
                expected.add(f"{kind}:{programme}:{case.id}:{s.requirement}:{s.due_on}")
    assert expected and found == expected


def test_the_nightly_job_carries_forward_on_weekdays_and_runs_the_engine_on_sundays(
    app, monkeypatch
):
    """Given the nightly job, when it runs Monday to Saturday it carries cases forward;
    on a Sunday it sends every open case through the engine (the weekly full run)."""
    from corrections.reminders import jobs

    calls = []
    monkeypatch.setattr(jobs, "recompute_due", lambda on, carry=False: calls.append(carry) or {})
    saturday, sunday, monday = clock.today(), None, None
    while saturday.weekday() != 5:
        saturday += timedelta(days=1)
    sunday, monday = saturday + timedelta(days=1), saturday + timedelta(days=2)
    for day in (saturday, sunday, monday):
        jobs.nightly_recompute(day)
    assert calls == [True, False, True]
