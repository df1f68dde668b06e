"""Sanction suggestions count earlier sanctions by number and never repeat an answered
violation (docs/domain.md §7.5); not reporting for over a month suggests revocation (§7.2)."""

from datetime import date

from corrections.rules.sanctions import (
    SanctionFact,
    ViolationFacts,
    is_answered,
    suggest_sanctions,
)

D = date
ON = D(2026, 5, 1)


def kinds(facts):
    return [s.kind for s in suggest_sanctions(facts)]


def test_given_one_admonition_when_minor_violation_then_a_second_admonition():
    assert kinds(ViolationFacts("probation", ON, other_violation=True, prior_admonitions=1)) == [
        "admonition"
    ]


def test_given_two_admonitions_when_minor_violation_then_warning():
    facts = ViolationFacts("probation", ON, overdue_return_days=3, prior_admonitions=2)
    assert kinds(facts) == ["warning"]


def test_given_one_warning_when_minor_violation_then_admonition_not_escalation():
    assert kinds(ViolationFacts("parole", ON, other_violation=True, prior_warnings=1)) == [
        "admonition"
    ]


def test_given_two_warnings_then_revocation_or_custody():
    assert kinds(ViolationFacts("parole", ON, late_report_days=12, prior_warnings=2)) == [
        "revocation_request",
        "warning",
    ]
    assert kinds(
        ViolationFacts("temporary_release", ON, late_report_days=12, prior_warnings=2)
    ) == ["custody_request", "warning"]


def test_days_late_still_choose_between_admonition_and_warning():
    # 10 days is still an admonition, 11 a warning, whatever the admonitions on record.
    assert kinds(ViolationFacts("control", ON, overdue_return_days=10, prior_admonitions=1)) == [
        "admonition"
    ]
    assert kinds(ViolationFacts("control", ON, overdue_return_days=11)) == ["warning"]


def test_answered_means_a_sanction_dated_on_or_after_the_violation():
    sanctions = [SanctionFact("warning", D(2026, 3, 10))]
    assert is_answered(D(2026, 3, 10), sanctions, ON)  # the same day
    assert is_answered(D(2026, 3, 1), sanctions, ON)
    assert not is_answered(D(2026, 3, 11), sanctions, ON)  # the sanction came before it
    assert not is_answered(D(2026, 3, 1), sanctions, D(2026, 3, 9))  # not yet decided then
    assert not is_answered(D(2026, 3, 1), [SanctionFact("commendation", D(2026, 3, 10))], ON)
    assert not is_answered(D(2026, 3, 1), [SanctionFact("warning", D(2026, 3, 10), True)], ON)
    assert not is_answered(None, sanctions, ON)


def test_given_late_report_answered_by_warning_then_not_suggested_again():
    """Reported 12 days late (deadline 2026-01-31); a 警告 on 02-20 answered it."""
    facts = ViolationFacts(
        "probation",
        ON,
        late_report_days=12,
        report_deadline=D(2026, 1, 31),
        prior_warnings=1,
        sanctions=(SanctionFact("warning", D(2026, 2, 20)),),
    )
    assert suggest_sanctions(facts) == []
    # Without the warning the lateness is suggested.
    unanswered = ViolationFacts(
        "probation", ON, late_report_days=12, report_deadline=D(2026, 1, 31)
    )
    assert kinds(unanswered) == ["warning"]


def test_given_answered_violation_then_only_the_new_one_is_suggested():
    """An answered overdue return and a new breach: only the breach, counted by number."""
    facts = ViolationFacts(
        "probation",
        ON,
        overdue_return_days=3,
        overdue_return_on=D(2026, 3, 1),
        other_violation=True,
        other_violation_on=D(2026, 4, 20),
        prior_admonitions=1,
        sanctions=(SanctionFact("admonition", D(2026, 3, 5)),),
    )
    suggestions = suggest_sanctions(facts)
    assert [s.kind for s in suggestions] == ["admonition"]
    assert "违反监督管理规定" in suggestions[0].reason_zh


def test_given_absconding_answered_by_warning_then_month_ground_is_still_new():
    """脱管 from 2026-01-31: a warning on 02-15 answers the absconding; on 03-01 (more
    than a month: 01-31 + 1 month = 02-28) revocation is a new ground."""
    sanctions = (SanctionFact("warning", D(2026, 2, 15)),)
    at_month = ViolationFacts(
        "probation",
        D(2026, 2, 28),
        absconded_since=D(2026, 1, 31),
        prior_warnings=1,
        sanctions=sanctions,
    )
    assert suggest_sanctions(at_month) == []
    over = ViolationFacts(
        "probation",
        D(2026, 3, 1),
        absconded_since=D(2026, 1, 31),
        prior_warnings=1,
        sanctions=sanctions,
    )
    assert kinds(over) == ["revocation_request"]
    answered = ViolationFacts(
        "probation",
        D(2026, 3, 5),
        absconded_since=D(2026, 1, 31),
        prior_warnings=1,
        sanctions=(*sanctions, SanctionFact("revocation_request", D(2026, 3, 2))),
    )
    assert suggest_sanctions(answered) == []


def test_given_not_reported_more_than_a_month_after_deadline_then_revocation():
    """Deadline 2026-01-31: on 02-28 (one month, clamped) not yet; on 03-01 revocation."""
    at_month = ViolationFacts(
        "probation", D(2026, 2, 28), late_report_days=28, report_deadline=D(2026, 1, 31)
    )
    assert "revocation_request" not in kinds(at_month)
    over = ViolationFacts(
        "parole", D(2026, 3, 1), late_report_days=29, report_deadline=D(2026, 1, 31)
    )
    suggestions = suggest_sanctions(over)
    assert suggestions[0].kind == "revocation_request"
    assert "超过报到期限一个月以上" in suggestions[0].reason_zh
    # Control has no probation or parole to revoke.
    control = ViolationFacts(
        "control", D(2026, 3, 1), late_report_days=29, report_deadline=D(2026, 1, 31)
    )
    assert "revocation_request" not in kinds(control)
