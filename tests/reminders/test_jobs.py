"""Daily reminders, the nightly recompute, idempotence, the CLI and the scheduler lock."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from corrections import clock
from corrections.extensions import db
from corrections.reminders.jobs import run_job
from corrections.reminders.models import JobRun, Notification
from corrections.supervision import services as sv
from tests.helpers import d, open_case, user


def _notes(kind=None):
    query = select(Notification)
    if kind:
        query = query.where(Notification.kind == kind)
    return db.session.execute(query.order_by(Notification.id)).scalars().all()


def test_contact_due_tomorrow_goes_to_the_officer(ctx, person_id):
    case = open_case(person_id, received_on="2026-11-19")  # strict: face-to-face due 11-26
    result = run_job("daily_reminders", d("2026-11-25"))
    notes = _notes("contact_due_tomorrow")
    assert result["created"] >= 1
    assert {n.user.username for n in notes} == {"off1"}
    assert notes[0].case_id == case.id and notes[0].due_on == d("2026-11-26")


def test_newly_overdue_reaches_officer_and_supervisors_once(ctx, person_id):
    open_case(person_id, received_on="2026-11-17")  # due 11-24, overdue on 11-25
    first = run_job("daily_reminders", d("2026-11-25"))
    overdue = _notes("contact_overdue")
    assert {n.user.username for n in overdue} == {"off1", "boss"}
    second = run_job("daily_reminders", d("2026-11-25"))
    assert second["created"] == 0 and first["created"] > 0
    run_job("daily_reminders", d("2026-11-26"))  # still the same overdue episode
    assert len(_notes("contact_overdue")) == len(overdue)


def test_missed_intake_leave_and_term_end(ctx, person_id, female_id):
    missed = open_case(
        person_id,
        received_on=None,
        judgment_effective_on="2026-11-01",
        term_start="2026-11-01",
        term_end="2027-11-01",
    )
    ending = open_case(female_id, term_end="2026-12-10")
    leave = sv.apply_leave(
        user("off1"),
        ending,
        {
            "starts_on": "2026-11-15",
            "ends_on": "2026-11-20",
            "destination": "杭州",
            "reason": "family",
            "applied_on": "2026-11-12",
        },
    )
    sv.decide_leave(user("off1"), ending, leave.id, {"approved": True, "decided_on": "2026-11-13"})
    db.session.commit()
    run_job("daily_reminders", d("2026-11-25"))
    assert [n.case_id for n in _notes("missed_intake")] == [missed.id, missed.id]
    assert {n.case_id for n in _notes("leave_not_returned")} == {ending.id}
    assert [n.due_on for n in _notes("term_ending")] == [d("2026-12-10")]


def test_medical_review_and_monitoring(ctx, person_id, female_id):
    medical = open_case(person_id, correction_type="temporary_release", received_on="2026-08-28")
    other = open_case(female_id)
    sv.start_monitoring(
        user("boss"),
        other,
        {
            "ground": "police_penalty",
            "approved_by": "局长",
            "starts_on": "2026-09-01",
            "ends_on": "2026-11-30",
        },
    )
    db.session.commit()
    run_job("daily_reminders", d("2026-11-25"))
    assert [n.due_on for n in _notes("medical_review_due")] == [d("2026-11-28")]
    assert _notes("medical_review_due")[0].case_id == medical.id
    assert [n.due_on for n in _notes("monitoring_ending")] == [d("2026-11-30")]


def test_assessment_and_resettlement_reminders(ctx, person_id, female_id):
    from corrections.assessments import services as av
    from corrections.resettlement import services as rs

    av.register_assessment(
        user("off1"),
        {"station": "S1", "name": "甲", "commissioned_by": "court", "received_on": "2026-11-09"},
    )  # due 2026-11-23
    rs.create_case(
        user("off1"),
        {"person_id": person_id, "station": "S1", "source": "prison", "released_on": "2026-11-10"},
    )
    rs.create_case(
        user("off1"),
        {"person_id": female_id, "station": "S1", "source": "prison", "released_on": "2021-12-20"},
    )
    db.session.commit()
    run_job("daily_reminders", d("2026-11-25"))
    # no responsible officer: every officer of the station, and the supervisor for an overdue one
    assert {n.user.username for n in _notes("assessment_overdue")} == {"off1", "both", "boss"}
    assert {n.user.username for n in _notes("not_handed_over")} == {"off1", "boss"}
    assert [n.due_on for n in _notes("resettlement_period_ending")] == [d("2026-12-20")]


def test_recompute_fixes_a_stale_stored_state_and_is_idempotent(ctx, person_id):
    case = open_case(person_id, received_on="2026-11-01")
    sv.record_contact(user("off1"), case, {"kind": "report_in_person", "occurred_on": "2026-11-20"})
    db.session.commit()
    case.next_due_on = d("2030-01-01")  # a write that forgot to update the stored state
    case.is_overdue = False
    db.session.commit()
    first = run_job("recompute_due", d("2026-11-25"))
    assert first["corrected"] == 1 and case.next_due_on == d("2026-11-27")
    assert run_job("recompute_due", d("2026-11-25"))["created"] == 0


def test_runs_are_recorded_with_outcome(ctx, county):
    run_job("recompute_due", d("2026-11-25"))
    run = db.session.execute(select(JobRun)).scalar_one()
    assert run.outcome == "ok" and run.duration_ms is not None and run.job == "recompute_due"


def test_failed_run_is_recorded(ctx, county, monkeypatch):
    from corrections.reminders import jobs

    def boom(on):
        raise RuntimeError("disk full")

    monkeypatch.setitem(jobs.JOBS, "recompute_due", boom)
    with pytest.raises(RuntimeError):
        run_job("recompute_due", d("2026-11-25"))
    run = db.session.execute(select(JobRun)).scalar_one()
    assert run.outcome == "error" and "disk full" in run.error


def test_cli_run_once_prints_json_last(app, county, world):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["jobs", "run-once", "daily_reminders", "--date", "2026-11-25"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert summary["job"] == "daily_reminders" and summary["date"] == "2026-11-25"
    assert summary["created"] == 0
    bad = runner.invoke(args=["jobs", "run-once", "nope"])
    assert bad.exit_code != 0 and "unknown job" in bad.output
    bad_date = runner.invoke(args=["jobs", "run-once", "daily_reminders", "--date", "2026-02-30"])
    assert bad_date.exit_code != 0


def test_only_one_scheduler(app):
    from corrections.reminders.scheduler import AlreadyRunning, SchedulerLock

    first, second = SchedulerLock(app), SchedulerLock(app)
    first.acquire()
    try:
        with pytest.raises(AlreadyRunning):
            second.acquire()
    finally:
        first.release()
    second.acquire()
    second.release()


def test_demo_day_reminders_are_idempotent(app, demo_county, ctx):
    today = clock.today()
    # the demo's escalated alerts have already notified their supervisors
    before = db.session.execute(select(func.count()).select_from(Notification)).scalar_one()
    first = run_job("daily_reminders", today)
    assert first["created"] > 10
    assert run_job("daily_reminders", today)["created"] == 0
    total = db.session.execute(select(func.count()).select_from(Notification)).scalar_one()
    assert total == before + first["created"]
    assert run_job("daily_reminders", today + timedelta(days=1))["created"] >= 0
