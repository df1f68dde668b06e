"""安置帮教 services: period end, key history, handover alert, visits, from a correction case."""

import pytest

from corrections.errors import Conflict, RuleViolation, ValidationFailed
from corrections.extensions import db
from corrections.resettlement import services as rs
from tests.helpers import d, open_case, user


def _case(person_id, actor="off1", **overrides):
    data = {
        "person_id": person_id,
        "station": "S1",
        "source": "prison",
        "facility": "省第一监狱",
        "released_on": "2026-10-01",
        "crime": "盗窃罪",
    }
    data.update(overrides)
    data = {k: v for k, v in data.items() if v is not None}
    case = rs.create_case(user(actor), data)
    db.session.commit()
    return case


def test_period_five_years_after_prison_and_leap_day(ctx, person_id):
    case = _case(person_id, released_on="2024-02-29")
    assert case.period_ends_on == d("2029-02-28")


def test_pre_release_notice_then_release(ctx, person_id):
    case = _case(
        person_id,
        released_on=None,
        expected_release_on="2026-12-20",
        notice_received_on="2026-11-20",
        is_key=True,
        key_reason="涉黑涉恶",
    )
    assert case.status == "expected" and case.period_ends_on is None and case.is_key
    with pytest.raises(RuleViolation):
        rs.handover(user("off1"), case, {"handed_over_on": "2026-11-21", "method": "escorted"})
    rs.release(user("off1"), case, {"released_on": "2026-11-22"})
    assert case.period_ends_on == d("2031-11-22")


def test_handover_alert_after_seven_days(ctx, person_id):
    case = _case(person_id, released_on="2026-11-18")
    assert not rs.handover_overdue(case, d("2026-11-25"))  # the 7th day
    assert rs.handover_overdue(case, d("2026-11-26"))
    rs.handover(user("off1"), case, {"handed_over_on": "2026-11-25", "method": "family"})
    assert not rs.handover_overdue(case, d("2026-11-30"))
    assert case.status == "active" and case.next_due_on == d("2027-02-23")  # 90 days


def test_key_visits_every_thirty_days_and_key_change_restarts(ctx, person_id):
    case = _case(person_id, released_on="2026-09-01", is_key=True)
    rs.handover(user("off1"), case, {"handed_over_on": "2026-09-01", "method": "escorted"})
    assert case.next_due_on == d("2026-10-01") and case.is_overdue
    rs.record_contact(user("off1"), case, {"kind": "phone", "occurred_on": "2026-11-01"})
    assert case.is_overdue  # a phone call is not a visit
    rs.record_contact(user("off1"), case, {"kind": "field_visit", "occurred_on": "2026-11-01"})
    assert not case.is_overdue and case.next_due_on == d("2026-12-01")
    rs.set_key(
        user("off1"), case, {"effective_on": "2026-11-10", "is_key": False, "reason": "表现稳定"}
    )
    assert case.next_due_on == d("2027-02-08") and not case.is_key


def test_second_open_case_conflicts(ctx, person_id):
    first = _case(person_id)
    with pytest.raises(Conflict) as e:
        _case(person_id)
    assert e.value.existing_id == first.id


def test_from_released_correction_case(ctx, person_id):
    correction = open_case(person_id, correction_type="parole", term_end="2026-11-01")
    with pytest.raises(RuleViolation):
        rs.from_correction(user("boss"), correction, {})
    from corrections.supervision import services as sv

    correction.term_end = d("2026-11-20")
    sv.complete_checklist_item(
        user("off1"),
        correction,
        {"item": "appraisal", "done_on": "2026-11-01", "note": "建议列为重点帮教对象"},
    )
    sv.release_case(user("boss"), correction, {"released_on": "2026-11-20", "reason": "expiry"})
    case = rs.from_correction(user("boss"), correction, {"is_key": True, "key_reason": "假释"})
    assert case.source == "correction" and case.correction_type == "parole"
    assert case.period_ends_on == d("2031-11-20") and case.recommendation.startswith("建议")


def test_source_correction_without_history_needs_type(ctx, person_id):
    with pytest.raises(RuleViolation) as e:
        _case(person_id, source="correction")
    assert "correction_type" in e.value.fields
    db.session.rollback()
    case = _case(person_id, source="correction", correction_type="probation")
    assert case.period_ends_on == d("2029-10-01")


def test_assistance_amounts_and_ending(ctx, person_id):
    case = _case(person_id)
    with pytest.raises(ValidationFailed):
        rs.add_assistance(
            user("off1"), case, {"kind": "relief", "given_on": "2026-10-05", "amount": "-5"}
        )
    rs.add_assistance(
        user("off1"), case, {"kind": "subsistence", "given_on": "2026-10-05", "amount": "800.50"}
    )
    with pytest.raises(ValidationFailed):
        rs.end_case(user("off1"), case, {"ended_on": "2026-11-01", "reason": "expiry"})
    rs.end_case(user("off1"), case, {"ended_on": "2026-11-01", "reason": "reoffended"})
    with pytest.raises(RuleViolation):
        rs.record_contact(user("off1"), case, {"kind": "field_visit", "occurred_on": "2026-11-02"})


def test_period_ending_flag_thirty_days_before(ctx, person_id):
    case = _case(person_id, released_on="2021-12-25")  # ends 2026-12-25
    assert rs.period_ending_soon(case, d("2026-11-25"))
    assert not rs.period_ending_soon(case, d("2026-11-24"))
