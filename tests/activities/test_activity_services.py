"""Activities: group sessions, attendance rules, monthly hours against the level's target."""

from decimal import Decimal

import pytest

from corrections.activities import services as acts
from corrections.errors import ValidationFailed
from corrections.extensions import db
from corrections.supervision import services as sv
from tests.helpers import open_case, user


def test_group_session_and_monthly_hours(ctx, person_id, female_id):
    a = open_case(person_id)
    b = open_case(female_id)
    acts.record_activity(
        user("off1"),
        {
            "station": "S1",
            "kind": "education",
            "held_on": "2026-10-10",
            "hours": 4,
            "topic": "法治教育",
            "attendees": [a.id, b.id],
        },
    )
    acts.record_activity(
        user("off1"),
        {
            "station": "S1",
            "kind": "education",
            "held_on": "2026-10-20",
            "hours": "4.5",
            "attendees": [a.id],
        },
    )
    summary = acts.case_month_summary(a, 2026, 10)
    education = next(r for r in summary["rows"] if r["kind"] == "education")
    assert education["hours"] == Decimal("8.5") and education["target"] == 8 and education["met"]
    short = {row["case"].id for row in acts.below_target(user("off1"), 2026, 10)}
    assert short == {a.id, b.id}  # nobody did public service


def test_target_follows_level_on_months_last_day(ctx, person_id):
    a = open_case(person_id)
    sv.change_level(
        user("boss"), a, {"effective_on": "2026-10-31", "level": "lenient", "reason": "好"}
    )
    summary = acts.case_month_summary(a, 2026, 10)
    assert summary["level"] == "lenient" and summary["rows"][0]["target"] == 4


def test_attendee_must_be_active_on_the_day(ctx, person_id):
    a = open_case(person_id)
    with pytest.raises(ValidationFailed) as e:
        acts.record_activity(
            user("off1"),
            {
                "station": "S1",
                "kind": "public_service",
                "held_on": "2026-01-05",
                "hours": 2,
                "attendees": [a.id],
            },
        )
    assert "attendees" in e.value.fields


@pytest.mark.parametrize("hours", [0, -1, 25, "abc", "1.25", True])
def test_bad_hours_refused(ctx, person_id, hours):
    a = open_case(person_id)
    with pytest.raises(ValidationFailed) as e:
        acts.record_activity(
            user("off1"),
            {
                "station": "S1",
                "kind": "education",
                "held_on": "2026-10-10",
                "hours": hours,
                "attendees": [a.id],
            },
        )
    assert "hours" in e.value.fields


def test_voided_session_stops_counting(ctx, person_id):
    a = open_case(person_id)
    activity = acts.record_activity(
        user("off1"),
        {
            "station": "S1",
            "kind": "education",
            "held_on": "2026-10-10",
            "hours": 8,
            "attendees": [a.id],
        },
    )
    acts.void_activity(user("off1"), activity, {"reason": "重复录入"})
    db.session.commit()
    assert acts.monthly_hours([a.id], 2026, 10)[a.id] == {}


def test_case_page_shows_this_months_hours(app, client, world, person_id):
    with app.app_context():
        a = open_case(person_id)
        acts.record_activity(
            user("off1"),
            {
                "station": "S1",
                "kind": "education",
                "held_on": "2026-11-10",
                "hours": 3,
                "attendees": [a.id],
            },
        )
        db.session.commit()
        case_id = a.id
    world.login(client, "off1")
    page = client.get(f"/corrections/{case_id}").get_data(as_text=True)
    block = page.split('id="month-hours"')[1][:1500]
    assert "3.0 / 8" in block and "未达标" in block
