"""Intake: expected and received cases, report deadlines, 漏管, refusals."""

import pytest
from sqlalchemy import func, select

from corrections import clock
from corrections.errors import Conflict, Forbidden, RuleViolation, ValidationFailed
from corrections.extensions import db
from corrections.supervision import services
from corrections.supervision.models import CaseLevel, CorrectionCase
from tests.helpers import d, open_case, user


def _count():
    return db.session.execute(select(func.count()).select_from(CorrectionCase)).scalar_one()


def test_received_case_is_active_with_intake_level(ctx, person_id):
    case = open_case(person_id)
    assert case.status == "active" and case.level == "strict"
    assert case.report_deadline == d("2026-01-15")
    assert case.received_on_time is True
    assert case.officer.username == "off1"
    levels = services.level_history(case)
    assert [(lv.level, lv.effective_on) for lv in levels] == [("strict", d("2026-01-10"))]


def test_expected_case_then_received_late(ctx, person_id):
    case = open_case(
        person_id,
        received_on=None,
        judgment_effective_on="2026-11-01",
        term_start="2026-11-01",
        term_end="2027-11-01",
    )
    assert case.status == "expected"
    assert case.report_deadline == d("2026-11-11")
    assert services.missed_intake(case, d("2026-11-11")) is False  # the deadline day itself
    assert services.missed_intake(case, d("2026-11-12")) is True
    services.receive_case(user("off1"), case, {"received_on": "2026-11-20", "source": "escorted"})
    assert case.status == "active" and case.received_on_time is False and case.source == "escorted"
    assert services.missed_intake(case) is False


def test_transfer_in_deadline_is_seven_days_from_notice_and_never_missed(ctx, person_id):
    case = open_case(
        person_id,
        received_on=None,
        source="transfer_in",
        notified_on="2026-11-02",
        judgment_effective_on="2025-06-01",
        term_start="2025-06-01",
        term_end="2027-06-01",
    )
    assert case.report_deadline == d("2026-11-09")  # a Monday: no move to a working day
    assert services.missed_intake(case, d("2026-11-25")) is False


def test_received_before_judgment_is_refused(ctx, person_id):
    with pytest.raises(ValidationFailed) as e:
        open_case(person_id, received_on="2026-01-04")
    assert "received_on" in e.value.fields
    db.session.rollback()
    assert _count() == 0


def test_received_in_future_and_bad_term_refused(ctx, person_id):
    with pytest.raises(ValidationFailed) as e:
        open_case(person_id, received_on="2026-11-26", term_end="2026-01-05")
    assert {"received_on", "term_end"} <= set(e.value.fields)


def test_impossible_date_refused(ctx, person_id):
    with pytest.raises(ValidationFailed) as e:
        open_case(person_id, judgment_effective_on="2026-02-30")
    assert "judgment_effective_on" in e.value.fields


def test_second_active_case_is_a_conflict(ctx, person_id):
    first = open_case(person_id)
    with pytest.raises(Conflict) as e:
        open_case(person_id)
    assert e.value.existing_id == first.id
    db.session.rollback()
    assert _count() == 1


def test_grounds_only_for_temporary_release(ctx, person_id):
    with pytest.raises(ValidationFailed) as e:
        open_case(person_id, grounds="medical")
    assert "grounds" in e.value.fields
    db.session.rollback()
    case = open_case(person_id, correction_type="temporary_release")
    assert case.grounds == "medical"


def test_viewer_cannot_create(ctx, person_id):
    with pytest.raises(Forbidden):
        open_case(person_id, actor="viewer")


def test_out_of_scope_station_or_person_refused(ctx, person_id, world):
    with pytest.raises(ValidationFailed) as e:
        open_case(person_id, actor="off2", station="S1")
    assert {"station", "person_id"} <= set(e.value.fields)


def test_supervisor_creates_without_officer_then_assigns(ctx, person_id):
    case = open_case(person_id, actor="boss")
    assert case.officer_id is None
    services.assign_officer(user("boss"), case, {"officer": "both", "changed_on": "2026-02-01"})
    assert case.officer.username == "both"
    with pytest.raises(ValidationFailed):
        services.assign_officer(user("boss"), case, {"officer": "off2"})  # not at S1


def test_contact_on_expected_case_refused(ctx, person_id):
    case = open_case(
        person_id,
        received_on=None,
        judgment_effective_on="2026-11-20",
        term_start="2026-11-20",
        term_end="2027-11-20",
    )
    with pytest.raises(RuleViolation):
        services.record_contact(user("off1"), case, {"kind": "phone", "occurred_on": "2026-11-24"})


def test_level_history_query(ctx, person_id):
    case = open_case(person_id)
    assert (
        db.session.execute(
            select(func.count()).select_from(CaseLevel).where(CaseLevel.case_id == case.id)
        ).scalar_one()
        == 1
    )
    assert clock.today() == d("2026-11-25")
