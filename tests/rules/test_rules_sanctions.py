from dataclasses import replace
from datetime import date

from corrections.rules.engine import LevelPeriod
from corrections.rules.sanctions import (
    SanctionFact,
    ViolationFacts,
    suggest_level_changes,
    suggest_sanctions,
)

D = date
ON = D(2026, 5, 1)


def kinds(facts):
    return [s.kind for s in suggest_sanctions(facts)]


def test_no_violation_no_suggestion():
    assert suggest_sanctions(ViolationFacts("probation", ON)) == []
    assert suggest_sanctions(ViolationFacts("probation", ON, prior_warnings=3)) == []


def test_late_report_ten_days_is_admonition_eleven_is_warning():
    ten = suggest_sanctions(ViolationFacts("probation", ON, late_report_days=10))
    assert [s.kind for s in ten] == ["admonition"]
    assert "未按时报到10天" in ten[0].reason_zh and "10 days" in ten[0].reason_en
    assert kinds(ViolationFacts("probation", ON, late_report_days=11)) == ["warning"]


def test_absconding_length_counts_until_found_or_today():
    short = ViolationFacts("control", ON, absconded_since=D(2026, 4, 21))  # 10 days
    assert kinds(short) == ["admonition"]
    found = ViolationFacts("control", ON, absconded_since=D(2026, 4, 1), found_on=D(2026, 4, 5))
    assert kinds(found) == ["admonition"]
    long = ViolationFacts("control", ON, absconded_since=D(2026, 4, 20))  # 11 days
    assert kinds(long) == ["warning"]


def test_minor_violation_after_one_admonition_is_a_second_admonition():
    """docs/domain.md §7.5: sanctions count by number; 警告 only after two 训诫."""
    facts = ViolationFacts("probation", ON, late_report_days=3, prior_admonitions=1)
    suggestions = suggest_sanctions(facts)
    assert [s.kind for s in suggestions] == ["admonition"]
    assert "再次给予训诫" in suggestions[0].reason_zh
    two = suggest_sanctions(replace(facts, prior_admonitions=2))
    assert [s.kind for s in two] == ["warning"]
    assert "已受2次训诫" in two[0].reason_zh


def test_violation_after_second_warning_escalates_by_type():
    for ctype, kind in [
        ("probation", "revocation_request"),
        ("parole", "revocation_request"),
        ("temporary_release", "custody_request"),
        ("control", "police_penalty_request"),
    ]:
        facts = ViolationFacts(ctype, ON, other_violation=True, prior_warnings=2)
        # the minor violation itself still calls for an admonition (no admonitions on record)
        assert kinds(facts) == [kind, "admonition"], ctype
    # One warning on record: the new violation is the second warning, not yet revocation.
    assert kinds(ViolationFacts("probation", ON, late_report_days=12, prior_warnings=1)) == [
        "warning"
    ]


def test_absconding_more_than_a_month_for_probation_or_parole():
    # 2026-01-31 + 1 month = 2026-02-28 (clamped): on 02-28 not yet more than a month.
    at_month = ViolationFacts("parole", D(2026, 2, 28), absconded_since=D(2026, 1, 31))
    assert kinds(at_month) == ["warning"]
    over = ViolationFacts("parole", D(2026, 3, 1), absconded_since=D(2026, 1, 31))
    assert kinds(over) == ["revocation_request", "warning"]
    assert "脱管超过一个月" in suggest_sanctions(over)[0].reason_zh
    # Not for control or temporary release.
    assert kinds(ViolationFacts("control", D(2026, 3, 1), absconded_since=D(2026, 1, 31))) == [
        "warning"
    ]
    assert "revocation_request" not in kinds(
        ViolationFacts("temporary_release", D(2026, 3, 1), absconded_since=D(2026, 1, 31))
    )


def test_missed_medical_review_after_warning_is_custody_request():
    first = ViolationFacts("temporary_release", ON, missed_medical_review=True)
    assert kinds(first) == ["admonition"]
    after_warning = ViolationFacts(
        "temporary_release", ON, missed_medical_review=True, prior_warnings=1
    )
    suggestions = suggest_sanctions(after_warning)
    assert [s.kind for s in suggestions] == ["custody_request", "admonition"]
    assert "收监" in suggestions[0].reason_zh


def test_overdue_return_from_leave():
    assert kinds(ViolationFacts("probation", ON, overdue_return_days=2)) == ["admonition"]
    assert kinds(ViolationFacts("probation", ON, overdue_return_days=15)) == ["warning"]


# --------------------------------------------------------------------------- levels


def test_two_months_since_intake_at_strict():
    received = D(2026, 1, 31)
    levels = (LevelPeriod(received, "strict"),)
    assert suggest_level_changes(received, levels, [], D(2026, 3, 30)) == []
    suggestions = suggest_level_changes(received, levels, [], D(2026, 3, 31))
    assert [(s.kind, s.to_level) for s in suggestions] == [("review", None)]
    assert suggestions[0].reason_zh == "入矫已满两个月，可考虑调整管理等级"
    # Not suggested once the level is no longer strict.
    relaxed = (*levels, LevelPeriod(D(2026, 4, 1), "normal"))
    assert suggest_level_changes(received, relaxed, [], D(2026, 4, 2)) == []


def test_two_months_counted_from_a_later_return_to_strict():
    received = D(2026, 1, 1)
    levels = (
        LevelPeriod(received, "strict"),
        LevelPeriod(D(2026, 3, 1), "normal"),
        LevelPeriod(D(2026, 4, 10), "strict"),
    )
    assert suggest_level_changes(received, levels, [], D(2026, 6, 9)) == []
    suggestions = suggest_level_changes(received, levels, [], D(2026, 6, 10))
    assert [s.reason_zh for s in suggestions] == ["严管已满两个月，可考虑调整管理等级"]


def test_second_admonition_suggests_strict():
    received = D(2026, 1, 1)
    levels = (LevelPeriod(received, "normal"),)
    one = [SanctionFact("admonition", D(2026, 2, 1))]
    assert suggest_level_changes(received, levels, one, D(2026, 3, 1)) == []
    two = [*one, SanctionFact("admonition", D(2026, 2, 20))]
    suggestions = suggest_level_changes(received, levels, two, D(2026, 3, 1))
    assert [(s.kind, s.to_level) for s in suggestions] == [("tighten", "strict")]
    assert "第二次受到训诫" in suggestions[0].reason_zh
    # A voided admonition does not count; one decided after D does not count yet.
    voided = [*one, SanctionFact("admonition", D(2026, 2, 20), voided=True)]
    assert suggest_level_changes(received, levels, voided, D(2026, 3, 1)) == []
    assert suggest_level_changes(received, levels, two, D(2026, 2, 19)) == []
    # Already strict: nothing to tighten.
    strict = (LevelPeriod(received, "strict"),)
    assert suggest_level_changes(received, strict, two, D(2026, 2, 21)) == []


def test_second_admonition_not_resuggested_after_level_relaxed_later():
    received = D(2026, 1, 1)
    levels = (
        LevelPeriod(received, "normal"),
        LevelPeriod(D(2026, 3, 1), "strict"),
        LevelPeriod(D(2026, 6, 1), "normal"),
    )
    two = [SanctionFact("admonition", D(2026, 2, 1)), SanctionFact("admonition", D(2026, 2, 20))]
    assert suggest_level_changes(received, levels, two, D(2026, 6, 5)) == []
    three = [*two, SanctionFact("admonition", D(2026, 6, 3))]
    assert [s.to_level for s in suggest_level_changes(received, levels, three, D(2026, 6, 5))] == [
        "strict"
    ]
