"""调查评估: working-day due dates, extensions, uncovered years, completion."""

import pytest
from sqlalchemy import func, select

from corrections import clock
from corrections.assessments import services as av
from corrections.assessments.models import Assessment
from corrections.errors import RuleViolation, ValidationFailed
from corrections.extensions import db
from corrections.rules import holidays
from tests.helpers import d, user


def _register(actor="off1", **overrides):
    data = {
        "station": "S1",
        "name": "赵六",
        "commissioned_by": "court",
        "received_on": "2023-09-28",
        "crime": "危险驾驶罪",
    }
    data.update(overrides)
    assessment = av.register_assessment(user(actor), data)
    db.session.commit()
    return assessment


def test_national_day_example(ctx, county):
    assert _register().due_on == d("2023-10-18")


def test_fast_track_five_working_days(ctx, county):
    assert _register(fast_track=True, received_on="2026-11-20").due_on == d("2026-11-27")


def test_due_day_counts_as_not_overdue(ctx, county):
    a = _register(received_on="2026-11-11")  # Wed; 10 working days → 2026-11-25
    assert a.due_on == d("2026-11-25")
    assert av.days_left(a) == 0 and not av.is_overdue(a)
    assert av.is_overdue(a, d("2026-11-26"))


def test_extension_in_working_days(ctx, county):
    a = _register(received_on="2026-11-11")
    av.extend_assessment(user("off1"), a, {"working_days": 5, "reason": "需补充走访"})
    assert a.due_on == d("2026-12-02")
    with pytest.raises(ValidationFailed):
        av.extend_assessment(user("off1"), a, {"working_days": 0, "reason": "x"})


def test_uncovered_year_is_open_then_filled_from_the_table(ctx, county):
    clock.set_today(d("2027-12-27"))
    a = _register(received_on="2027-12-24")  # Fri
    assert a.due_on is None and "2027" in a.due_note
    admin = user("admin")
    holidays.add_entry(admin, {"day": "2028-01-03", "is_workday": False, "note": "元旦调休"})
    holidays.declare_year(admin, 2027)
    assert a.due_on is None and "2028" in a.due_note  # the count runs into 2028
    holidays.declare_year(admin, 2028)
    # 12-27..12-31 (5), 2028-01-03 is a holiday, 01-04..01-08: 01-04,05,06,07 (4) + 01-10 (1)
    assert a.due_on == d("2028-01-10") and a.due_note is None


def test_invalid_id_number_is_refused(ctx, county):
    with pytest.raises(ValidationFailed) as e:
        _register(id_number="110105194912310021")
    assert "id_number" in e.value.fields
    db.session.rollback()
    assert db.session.execute(select(func.count()).select_from(Assessment)).scalar_one() == 0


def test_complete_once_and_not_before_receipt(ctx, county):
    a = _register(received_on="2026-11-11")
    with pytest.raises(ValidationFailed):
        av.complete_assessment(
            user("off1"), a, {"completed_on": "2026-11-10", "opinion": "suitable"}
        )
    av.complete_assessment(user("off1"), a, {"completed_on": "2026-11-20", "opinion": "suitable"})
    with pytest.raises(RuleViolation):
        av.complete_assessment(
            user("off1"), a, {"completed_on": "2026-11-21", "opinion": "unsuitable"}
        )
    with pytest.raises(RuleViolation):
        av.extend_assessment(user("off1"), a, {"working_days": 2, "reason": "x"})


def test_open_list_is_scoped_and_overdue_first(ctx, county):
    late = _register(received_on="2026-10-01")
    soon = _register(received_on="2026-11-20", name="孙七")
    _register(actor="off2", station="S2", name="外所")
    rows = db.session.execute(av.open_assessments(user("off1"))).scalars().all()
    assert [r.id for r in rows] == [late.id, soon.id]
