"""Leave, electronic monitoring and sanction suggestions in the services
(docs/domain.md §7.2, §7.3, §7.4, §7.5). Today is 2026-11-25; every refusal writes nothing."""

import pytest
from sqlalchemy import func, select

from corrections.audit.models import AuditEvent
from corrections.errors import RuleViolation
from corrections.extensions import db
from corrections.rules import engine
from corrections.rules.tables import contact_rules
from corrections.supervision import services as sv
from corrections.supervision.models import Leave, MonitoringEpisode, MonitoringExtension
from tests.helpers import d, open_case, user


def _count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def _leave(case, starts, ends, actor="off1", **extra):
    data = {"starts_on": starts, "ends_on": ends, "destination": "杭州", "reason": "family"}
    data.update(extra)
    row = sv.apply_leave(user(actor), case, data)
    db.session.commit()
    return row


def _approve(case, leave, on="2026-11-01", actor="boss"):
    row = sv.decide_leave(user(actor), case, leave.id, {"approved": True, "decided_on": on})
    db.session.commit()
    return row


# --------------------------------------------------------------------------- leave overlap


def test_given_pending_leave_when_applying_for_a_day_it_covers_then_leave_overlap(ctx, person_id):
    case = open_case(person_id)
    _leave(case, "2026-12-01", "2026-12-07", applied_on="2026-11-20")
    before = (_count(Leave), _count(AuditEvent))
    with pytest.raises(RuleViolation) as e:
        sv.apply_leave(
            user("off1"),
            case,
            {"starts_on": "2026-12-07", "ends_on": "2026-12-09", "destination": "杭州",
             "reason": "work", "applied_on": "2026-11-20"},
        )  # fmt: skip
    assert e.value.code == "leave_overlap" and e.value.status == 422
    assert "starts_on" in e.value.fields and "2026-12-01" in e.value.message
    db.session.rollback()
    assert (_count(Leave), _count(AuditEvent)) == before
    # The day after the end is free; a refused leave blocks nothing.
    _leave(case, "2026-12-08", "2026-12-09", applied_on="2026-11-20")
    refused = _leave(case, "2026-12-20", "2026-12-22", applied_on="2026-11-20")
    sv.decide_leave(
        user("boss"),
        case,
        refused.id,
        {"approved": False, "decided_on": "2026-11-21", "note": "理由不充分"},
    )
    db.session.commit()
    _leave(case, "2026-12-20", "2026-12-21", applied_on="2026-11-21")


def test_given_approved_leave_when_approving_an_overlapping_one_then_leave_overlap(ctx, person_id):
    case = open_case(person_id)
    first = _leave(case, "2026-11-02", "2026-11-06", applied_on="2026-10-30")
    _approve(case, first)
    # An overlapping application recorded earlier (before overlaps were refused).
    old = Leave(
        case_id=case.id,
        starts_on=d("2026-11-06"),
        ends_on=d("2026-11-08"),
        destination="宁波",
        reason="family",
        applied_on=d("2026-10-30"),
        tier="station",
        status="applied",
        applied_by_id=user("off1").id,
    )
    db.session.add(old)
    db.session.commit()
    before = _count(AuditEvent)
    with pytest.raises(RuleViolation) as e:
        sv.decide_leave(user("boss"), case, old.id, {"approved": True, "decided_on": "2026-11-01"})
    assert e.value.code == "leave_overlap" and "starts_on" in e.value.fields
    db.session.rollback()
    assert db.session.get(Leave, old.id).status == "applied"
    assert _count(AuditEvent) == before
    # Refusing it is still possible.
    sv.decide_leave(
        user("boss"),
        case,
        old.id,
        {"approved": False, "decided_on": "2026-11-01", "note": "理由不充分"},
    )


def test_given_early_return_then_a_new_leave_may_start_the_day_after(ctx, person_id):
    case = open_case(person_id)
    first = _approve(case, _leave(case, "2026-11-02", "2026-11-20", applied_on="2026-10-30"))
    sv.return_from_leave(user("off1"), case, first.id, {"returned_on": "2026-11-10"})
    db.session.commit()
    with pytest.raises(RuleViolation):
        sv.apply_leave(
            user("off1"),
            case,
            {"starts_on": "2026-11-10", "ends_on": "2026-11-12", "destination": "杭州",
             "reason": "work", "applied_on": "2026-11-05"},
        )  # fmt: skip
    db.session.rollback()
    _leave(case, "2026-11-11", "2026-11-12", applied_on="2026-11-05")


# --------------------------------------------------------------------------- remote on leave


def test_given_strict_case_on_leave_then_stored_due_state_is_the_engines(ctx, person_id):
    """Strict, no contacts: face-to-face pauses; the remote report counts from 11-20."""
    case = open_case(person_id)
    _approve(case, _leave(case, "2026-11-20", "2026-11-30", applied_on="2026-11-15"), "2026-11-16")
    db.session.refresh(case)
    stored = (case.next_due_on, case.is_overdue, case.overdue_days)
    facts = sv.case_facts(case, d("2026-11-25"))
    assert stored == engine.next_due(facts, contact_rules(), d("2026-11-25"))
    assert stored == (d("2026-11-27"), False, 0)
    remote = [s for s in sv.due_states(case) if s.requirement == "remote_report"]
    assert len(remote) == 1 and remote[0].anchor == "leave_start"


# --------------------------------------------------------------------------- monitoring


def _episode(case, starts, ends):
    row = sv.start_monitoring(
        user("boss"),
        case,
        {"ground": "prohibition_breach", "approved_by": "局长", "starts_on": starts,
         "ends_on": ends},
    )  # fmt: skip
    db.session.commit()
    return row


def test_given_episode_when_a_new_one_shares_its_last_day_then_refused(ctx, person_id):
    case = open_case(person_id)
    _episode(case, "2026-08-01", "2026-10-31")
    before = (_count(MonitoringEpisode), _count(AuditEvent))
    with pytest.raises(RuleViolation) as e:
        _episode(case, "2026-10-31", "2026-11-30")
    assert e.value.code == "monitoring_overlap" and "starts_on" in e.value.fields
    db.session.rollback()
    assert (_count(MonitoringEpisode), _count(AuditEvent)) == before
    _episode(case, "2026-11-01", "2026-11-30")


def test_given_extension_on_the_end_day_then_allowed_the_day_after_monitoring_lapsed(
    ctx, person_id
):
    case = open_case(person_id)
    first = _episode(case, "2026-05-01", "2026-07-31")
    sv.extend_monitoring(
        user("boss"),
        case,
        first.id,
        {"ends_on": "2026-08-31", "approved_by": "局长", "extended_on": "2026-07-31"},
    )
    db.session.commit()
    assert first.ends_on == d("2026-08-31")
    before = (_count(MonitoringExtension), _count(AuditEvent))
    with pytest.raises(RuleViolation) as e:
        sv.extend_monitoring(
            user("boss"),
            case,
            first.id,
            {"ends_on": "2026-10-31", "approved_by": "局长", "extended_on": "2026-09-01"},
        )
    assert e.value.code == "monitoring_lapsed" and "extended_on" in e.value.fields
    db.session.rollback()
    assert (_count(MonitoringExtension), _count(AuditEvent)) == before
    assert db.session.get(MonitoringEpisode, first.id).ends_on == d("2026-08-31")


def test_given_extension_reaching_the_next_episode_then_refused(ctx, person_id):
    case = open_case(person_id)
    first = _episode(case, "2026-08-01", "2026-09-30")
    _episode(case, "2026-10-15", "2026-11-30")
    with pytest.raises(RuleViolation) as e:
        sv.extend_monitoring(
            user("boss"),
            case,
            first.id,
            {"ends_on": "2026-10-15", "approved_by": "局长", "extended_on": "2026-09-30"},
        )
    assert e.value.code == "monitoring_overlap" and "ends_on" in e.value.fields


# --------------------------------------------------------------------------- suggestions


def _sanction(case, kind, on):
    sv.record_sanction(user("boss"), case, {"kind": kind, "decided_on": on, "reason": "违规"})
    db.session.commit()


def test_given_late_report_answered_by_warning_then_page_suggests_nothing_more(ctx, person_id):
    # Judgment 2026-01-05: deadline 01-15; reported 01-28, 13 days late.
    case = open_case(person_id, received_on="2026-01-28")
    assert [s.kind for s in sv.suggestions(case)["sanctions"]] == ["warning"]
    _sanction(case, "warning", "2026-02-02")
    assert sv.suggestions(case)["sanctions"] == []


def test_given_one_admonition_then_overdue_return_suggests_a_second_admonition(ctx, person_id):
    case = open_case(person_id)
    _sanction(case, "admonition", "2026-03-02")
    _approve(case, _leave(case, "2026-11-15", "2026-11-20", applied_on="2026-11-10"), "2026-11-11")
    hints = sv.suggestions(case)["sanctions"]  # 5 days late on 11-25
    assert [s.kind for s in hints] == ["admonition"]
    _sanction(case, "admonition", "2026-04-02")
    assert [s.kind for s in sv.suggestions(case)["sanctions"]] == ["warning"]
    # A warning on 11-22 answers the overdue return.
    _sanction(case, "warning", "2026-11-22")
    assert sv.suggestions(case)["sanctions"] == []


def test_given_case_never_received_over_a_month_after_deadline_then_revocation(ctx, person_id):
    # Judgment 2026-09-01: deadline 09-11; more than a month from 10-12 on.
    case = open_case(
        person_id,
        received_on=None,
        judgment_effective_on="2026-09-01",
        term_start="2026-09-01",
        term_end="2027-08-31",
    )
    deadline = case.report_deadline
    assert [s.kind for s in sv.suggestions(case, deadline)["sanctions"]] == []
    hints = sv.suggestions(case)["sanctions"]
    assert [s.kind for s in hints] == ["revocation_request"]
    assert "一个月" in hints[0].reason_zh
