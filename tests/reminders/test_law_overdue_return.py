"""Overdue returns from leave: reminders from the first day after the end, and the
supervisor's dashboard with the days late (docs/domain.md §7.3). Today is 2026-11-25."""

from sqlalchemy import select

from corrections.extensions import db
from corrections.reminders import dashboard
from corrections.reminders.jobs import run_job
from corrections.reminders.models import Notification
from corrections.supervision import services as sv
from tests.helpers import d, open_case, user


def _away(case, starts, ends):
    leave = sv.apply_leave(
        user("off1"),
        case,
        {"starts_on": starts, "ends_on": ends, "destination": "杭州", "reason": "family",
         "applied_on": "2026-11-01"},
    )  # fmt: skip
    sv.decide_leave(user("off1"), case, leave.id, {"approved": True, "decided_on": "2026-11-02"})
    db.session.commit()
    return leave


def _notes():
    return (
        db.session.execute(select(Notification).where(Notification.kind == "leave_not_returned"))
        .scalars()
        .all()
    )


def test_given_leave_ending_on_the_20th_then_reminded_from_the_21st_once(ctx, person_id):
    case = open_case(person_id)
    leave = _away(case, "2026-11-15", "2026-11-20")
    run_job("daily_reminders", d("2026-11-20"))  # the end day itself
    assert _notes() == []
    run_job("daily_reminders", d("2026-11-21"))  # the first day late
    notes = _notes()
    assert {n.user.username for n in notes} == {"off1", "boss"}
    assert all(n.case_id == case.id and n.due_on == leave.ends_on for n in notes)
    run_job("daily_reminders", d("2026-11-21"))
    run_job("daily_reminders", d("2026-11-22"))
    assert len(_notes()) == len(notes)  # idempotent


def test_given_return_recorded_later_then_the_past_day_is_still_reminded(ctx, person_id):
    """Back on 11-23: running the job for 11-21 (a missed night) still reminds."""
    case = open_case(person_id)
    leave = _away(case, "2026-11-15", "2026-11-20")
    sv.return_from_leave(user("off1"), case, leave.id, {"returned_on": "2026-11-23"})
    db.session.commit()
    run_job("daily_reminders", d("2026-11-23"))
    assert _notes() == []
    run_job("daily_reminders", d("2026-11-21"))
    assert _notes()


def test_given_overdue_returns_then_dashboard_lists_them_with_days_late(ctx, person_id, female_id):
    late = open_case(person_id)
    _away(late, "2026-11-15", "2026-11-20")  # 5 days late on 11-25
    due_today = open_case(female_id)
    _away(due_today, "2026-11-20", "2026-11-25")  # ends today: not late
    rows = dashboard.overdue_returns(user("boss"))
    assert [(case.id, days) for _leave, case, days in rows] == [(late.id, 5)]
    assert dashboard.overdue_returns(user("boss"), d("2026-11-26"))[1][2] == 1
    assert [c.id for _l, c, _d in dashboard.overdue_returns(user("off2"))] == []  # out of scope


def test_dashboard_page_shows_the_overdue_return(ctx, client, world, person_id):
    case = open_case(person_id)
    _away(case, "2026-11-15", "2026-11-20")
    world.login(client, "boss")
    page = client.get("/dashboard").get_data(as_text=True)
    section = page[page.index('id="overdue-returns"') :]
    assert "张三" in section and "逾期5天" in section and "2026-11-20" in section
