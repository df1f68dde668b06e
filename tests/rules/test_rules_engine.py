from dataclasses import replace
from datetime import date, timedelta

from corrections.rules.engine import (
    DEFAULT_EFFECTIVE_FROM,
    CaseFacts,
    ContactFact,
    ContactRule,
    KeyPeriod,
    LeaveFact,
    LevelPeriod,
    default_contact_rules,
    default_deadlines,
    due_dates_on,
    is_active_on,
    is_key_on,
    level_on,
    month_ends_before,
    next_due,
    on_leave_on,
    on_time_rate,
    overdue_on,
    rule_in_force,
)

RULES = default_contact_rules()
D = date


def correction(received_on=D(2026, 3, 1), level="strict", **kw):
    kw.setdefault("levels", (LevelPeriod(received_on, level),))
    return CaseFacts(programme="correction", received_on=received_on, **kw)


def by_requirement(states):
    return {s.requirement: s for s in states}


# --------------------------------------------------------------------------- due and overdue


def test_strict_case_without_contacts_counts_from_reception():
    states = by_requirement(due_dates_on(correction(), RULES, D(2026, 3, 2)))
    assert set(states) == {"face_to_face", "field_visit"}
    f2f = states["face_to_face"]
    assert (f2f.due_on, f2f.last_on, f2f.anchor, f2f.anchor_kind) == (
        D(2026, 3, 8),
        D(2026, 3, 1),
        "reception",
        None,
    )
    assert f2f.last_contact_on is None
    assert states["field_visit"].due_on == D(2026, 3, 31)


def test_not_overdue_on_due_day_overdue_by_one_the_day_after():
    case = correction()
    on_due_day = by_requirement(due_dates_on(case, RULES, D(2026, 3, 8)))["face_to_face"]
    assert on_due_day.due_on == D(2026, 3, 8)
    assert on_due_day.overdue_days == 0 and not on_due_day.is_overdue
    assert overdue_on(case, RULES, D(2026, 3, 8)) == []

    after = overdue_on(case, RULES, D(2026, 3, 9))
    assert [(s.requirement, s.overdue_days) for s in after] == [("face_to_face", 1)]
    assert next_due(case, RULES, D(2026, 3, 9)) == (D(2026, 3, 8), True, 1)


def test_due_dates_cross_month_end_in_calendar_days():
    # 30-day field visit from 31 January 2024 (leap year): 1 March; weekends are not skipped.
    case = correction(received_on=D(2024, 1, 31))
    states = by_requirement(due_dates_on(case, RULES, D(2024, 2, 1)))
    assert states["field_visit"].due_on == D(2024, 3, 1)
    assert states["face_to_face"].due_on == D(2024, 2, 7)
    case = correction(received_on=D(2024, 2, 22))
    assert by_requirement(due_dates_on(case, RULES, D(2024, 2, 29)))["face_to_face"].due_on == D(
        2024, 2, 29
    )
    assert overdue_on(case, RULES, D(2024, 2, 29)) == []
    assert [s.overdue_days for s in overdue_on(case, RULES, D(2024, 3, 1))] == [1]


def test_satisfying_contact_resets_window_and_explains_itself():
    case = correction(contacts=(ContactFact(D(2026, 3, 2), "field_visit"),))
    states = by_requirement(due_dates_on(case, RULES, D(2026, 3, 5)))
    f2f = states["face_to_face"]
    assert (f2f.due_on, f2f.anchor, f2f.anchor_kind, f2f.last_contact_on) == (
        D(2026, 3, 9),
        "contact",
        "field_visit",
        D(2026, 3, 2),
    )
    assert states["field_visit"].due_on == D(2026, 4, 1)
    assert f2f.explain() == (
        "严管：每7天至少一次面对面（当面报告或实地查访）；"
        "上次：2026-03-02 实地查访；应于2026-03-09前"
    )
    assert f2f.explain("en") == (
        "Strict: at least one face-to-face contact (report in person or field visit) "
        "every 7 days; last: 2026-03-02 field visit; due by 2026-03-09"
    )


def test_non_satisfying_future_and_voided_contacts_are_ignored():
    case = correction(
        contacts=(
            ContactFact(D(2026, 3, 5), "phone"),  # does not satisfy face-to-face
            ContactFact(D(2026, 3, 6), "report_in_person", voided=True),
            ContactFact(D(2026, 3, 12), "report_in_person"),  # after D
        )
    )
    f2f = by_requirement(due_dates_on(case, RULES, D(2026, 3, 10)))["face_to_face"]
    assert (f2f.due_on, f2f.anchor, f2f.overdue_days) == (D(2026, 3, 8), "reception", 2)
    assert "已逾期2天" in f2f.explain()
    assert "overdue by 2 days" in f2f.explain("en")
    # From 03-12 the in-person report counts.
    f2f = by_requirement(due_dates_on(case, RULES, D(2026, 3, 12)))["face_to_face"]
    assert (f2f.due_on, f2f.overdue_days) == (D(2026, 3, 19), 0)


def test_contact_on_reception_day_is_reported_as_the_anchor():
    case = correction(contacts=(ContactFact(D(2026, 3, 1), "report_in_person"),))
    f2f = by_requirement(due_dates_on(case, RULES, D(2026, 3, 1)))["face_to_face"]
    assert (f2f.anchor, f2f.anchor_kind, f2f.due_on) == (
        "contact",
        "report_in_person",
        D(2026, 3, 8),
    )


def test_remote_report_accepts_in_person_contacts_too():
    case = correction(
        level="normal",
        contacts=(ContactFact(D(2026, 3, 20), "video"), ContactFact(D(2026, 3, 25), "field_visit")),
    )
    states = by_requirement(due_dates_on(case, RULES, D(2026, 3, 26)))
    assert set(states) == {"face_to_face", "remote_report", "field_visit"}
    assert states["remote_report"].due_on == D(2026, 4, 1)
    assert states["remote_report"].anchor_kind == "field_visit"
    assert states["face_to_face"].due_on == D(2026, 4, 24)
    assert states["field_visit"].due_on == D(2026, 5, 24)


# --------------------------------------------------------------------------- levels


def test_level_change_restarts_every_window():
    case = correction(
        levels=(LevelPeriod(D(2026, 3, 1), "strict"), LevelPeriod(D(2026, 5, 1), "normal")),
        contacts=(ContactFact(D(2026, 4, 28), "report_in_person"),),
    )
    before = by_requirement(due_dates_on(case, RULES, D(2026, 4, 30)))
    assert set(before) == {"face_to_face", "field_visit"}
    assert before["face_to_face"].due_on == D(2026, 5, 5)
    assert before["field_visit"].due_on == D(2026, 3, 31)
    assert before["field_visit"].overdue_days == 30

    after = by_requirement(due_dates_on(case, RULES, D(2026, 5, 10)))
    assert set(after) == {"face_to_face", "remote_report", "field_visit"}
    for state in after.values():
        assert state.anchor == "level_change"
        assert state.last_on == D(2026, 5, 1)
        assert state.level == "normal"
    assert after["face_to_face"].due_on == D(2026, 5, 31)
    assert after["field_visit"].due_on == D(2026, 6, 30)  # the strict-era overdue is gone
    assert after["remote_report"].due_on == D(2026, 5, 8)
    assert after["remote_report"].overdue_days == 2
    assert "自2026-05-01管理等级调整起算" in after["remote_report"].explain()
    assert after["remote_report"].explain().startswith("普管：每7天至少一次远程报告")


def test_initial_level_recorded_late_is_not_a_change():
    # The level entered when the record was created holds from the case's first date.
    case = correction(levels=(LevelPeriod(D(2026, 3, 5), "strict"),))
    assert level_on(case.levels, D(2026, 3, 2)) == "strict"
    f2f = by_requirement(due_dates_on(case, RULES, D(2026, 3, 9)))["face_to_face"]
    assert (f2f.anchor, f2f.due_on, f2f.overdue_days) == ("reception", D(2026, 3, 8), 1)


def test_repeated_same_level_record_does_not_restart():
    case = correction(
        levels=(
            LevelPeriod(D(2026, 3, 1), "strict"),
            LevelPeriod(D(2026, 4, 1), "normal"),
            LevelPeriod(D(2026, 4, 20), "normal"),
        )
    )
    f2f = by_requirement(due_dates_on(case, RULES, D(2026, 4, 25)))["face_to_face"]
    assert (f2f.anchor, f2f.last_on, f2f.due_on) == ("level_change", D(2026, 4, 1), D(2026, 5, 1))


def test_level_on_follows_history():
    levels = (
        LevelPeriod(D(2026, 5, 1), "normal"),
        LevelPeriod(D(2026, 3, 1), "strict"),
        LevelPeriod(D(2026, 9, 1), "lenient"),
    )
    assert level_on(levels, D(2026, 2, 1)) == "strict"  # initial level before its record
    assert level_on(levels, D(2026, 4, 30)) == "strict"
    assert level_on(levels, D(2026, 5, 1)) == "normal"
    assert level_on(levels, D(2026, 8, 31)) == "normal"
    assert level_on(levels, D(2027, 1, 1)) == "lenient"
    assert level_on((), D(2026, 1, 1)) is None


# --------------------------------------------------------------------------- leave


def test_leave_pauses_all_but_remote_report():
    leave = LeaveFact(D(2026, 3, 5), D(2026, 3, 20), approved=True)
    strict = correction(leaves=(leave,))
    states = due_dates_on(strict, RULES, D(2026, 3, 15))
    # docs/domain.md §7.3: strict reports remotely while away (every 7 days from 03-05).
    assert {s.requirement: s.paused for s in states} == {
        "face_to_face": True,
        "remote_report": False,
        "field_visit": True,
    }
    paused = [s for s in states if s.paused]
    assert all(s.overdue_days == 0 for s in paused)
    assert [s.requirement for s in overdue_on(strict, RULES, D(2026, 3, 15))] == ["remote_report"]
    assert next_due(strict, RULES, D(2026, 3, 15)) == (D(2026, 3, 12), True, 3)
    assert "请假外出期间暂停" in paused[0].explain()
    assert "paused while on leave" in paused[0].explain("en")

    normal = correction(level="normal", leaves=(leave,))
    states = by_requirement(due_dates_on(normal, RULES, D(2026, 3, 15)))
    assert not states["remote_report"].paused
    assert states["remote_report"].overdue_days == 7  # due 03-08
    assert states["face_to_face"].paused and states["field_visit"].paused
    assert next_due(normal, RULES, D(2026, 3, 15)) == (D(2026, 3, 8), True, 7)


def test_leave_boundaries_and_unapproved_leave():
    leave = LeaveFact(D(2026, 3, 5), D(2026, 3, 20), approved=True)
    assert not on_leave_on([leave], D(2026, 3, 4))
    assert on_leave_on([leave], D(2026, 3, 5))
    assert on_leave_on([leave], D(2026, 3, 20))
    assert not on_leave_on([leave], D(2026, 3, 21))
    assert not on_leave_on([replace(leave, approved=False)], D(2026, 3, 10))
    # Returned on D: not returned *before* D, so still away that day.
    assert on_leave_on([replace(leave, returned_on=D(2026, 3, 10))], D(2026, 3, 10))
    assert not on_leave_on([replace(leave, returned_on=D(2026, 3, 10))], D(2026, 3, 11))

    refused = correction(leaves=(replace(leave, approved=False),))
    f2f = by_requirement(due_dates_on(refused, RULES, D(2026, 3, 15)))["face_to_face"]
    assert not f2f.paused and f2f.overdue_days == 7


def test_after_leave_end_without_return_everything_applies_again():
    case = correction(leaves=(LeaveFact(D(2026, 3, 5), D(2026, 3, 20), approved=True),))
    states = by_requirement(due_dates_on(case, RULES, D(2026, 3, 21)))
    assert not states["face_to_face"].paused
    assert states["face_to_face"].overdue_days == 13  # due 03-08, no return to count
    assert states["face_to_face"].anchor == "reception"


def test_return_from_leave_counts_for_face_to_face_only():
    case = correction(
        leaves=(
            LeaveFact(D(2026, 3, 5), D(2026, 3, 20), approved=True, returned_on=D(2026, 3, 18)),
        )
    )
    states = by_requirement(due_dates_on(case, RULES, D(2026, 3, 19)))
    f2f = states["face_to_face"]
    assert (f2f.paused, f2f.anchor, f2f.last_on, f2f.due_on) == (
        False,
        "leave_return",
        D(2026, 3, 18),
        D(2026, 3, 25),
    )
    assert "上次：2026-03-18 销假" in f2f.explain()
    assert states["field_visit"].anchor == "reception"
    assert states["field_visit"].due_on == D(2026, 3, 31)
    # The return is not yet known on an earlier date.
    before = by_requirement(due_dates_on(case, RULES, D(2026, 3, 17)))["face_to_face"]
    assert before.anchor == "reception" and before.paused


# --------------------------------------------------------------------------- types and activity


def test_health_report_only_for_temporary_release():
    probation = correction(correction_type="probation")
    assert "health_report" not in by_requirement(due_dates_on(probation, RULES, D(2026, 3, 2)))

    release = correction(
        correction_type="temporary_release",
        level="lenient",
        contacts=(
            ContactFact(D(2026, 3, 10), "written_report"),
            ContactFact(D(2026, 3, 20), "phone"),
        ),
    )
    states = by_requirement(due_dates_on(release, RULES, D(2026, 3, 25)))
    assert set(states) == {"face_to_face", "remote_report", "field_visit", "health_report"}
    health = states["health_report"]
    assert (health.due_on, health.anchor_kind, health.rule_id) == (
        D(2026, 4, 9),
        "written_report",
        "correction.temporary_release.health_report",
    )
    assert health.explain().startswith("暂予监外执行：每30天至少一次病情报告（书面报告或当面报告）")
    assert states["remote_report"].due_on == D(2026, 4, 19)


def test_ended_or_not_yet_received_cases_have_no_requirements():
    case = correction(ended_on=D(2026, 3, 10))
    assert due_dates_on(case, RULES, D(2026, 3, 9)) != []
    assert due_dates_on(case, RULES, D(2026, 3, 10)) == []
    assert due_dates_on(case, RULES, D(2026, 4, 30)) == []
    assert overdue_on(case, RULES, D(2026, 4, 30)) == []
    assert next_due(case, RULES, D(2026, 4, 30)) == (None, False, 0)
    assert due_dates_on(case, RULES, D(2026, 2, 28)) == []
    expected = CaseFacts(programme="correction", received_on=None)
    assert due_dates_on(expected, RULES, D(2026, 3, 1)) == []
    assert not is_active_on(expected, D(2026, 3, 1))
    assert is_active_on(case, D(2026, 3, 1)) and not is_active_on(case, D(2026, 3, 10))


# --------------------------------------------------------------------------- resettlement


def resettlement(**kw):
    return CaseFacts(programme="resettlement", received_on=D(2026, 1, 10), **kw)


def test_resettlement_visit_by_key_status_from_handover():
    other = resettlement(key_periods=(KeyPeriod(D(2026, 1, 10), False),))
    visit = by_requirement(due_dates_on(other, RULES, D(2026, 2, 1)))["visit"]
    assert (visit.due_on, visit.anchor, visit.every_days) == (D(2026, 4, 10), "handover", 90)
    assert visit.explain().startswith("一般帮教对象：每90天至少一次见面走访")
    assert "自2026-01-10衔接起算" in visit.explain()

    key = resettlement(
        key_periods=(KeyPeriod(D(2026, 1, 10), True),),
        contacts=(ContactFact(D(2026, 1, 20), "phone"), ContactFact(D(2026, 1, 25), "field_visit")),
    )
    visit = by_requirement(due_dates_on(key, RULES, D(2026, 2, 1)))["visit"]
    assert (visit.due_on, visit.anchor_kind) == (D(2026, 2, 24), "field_visit")
    assert overdue_on(key, RULES, D(2026, 2, 24)) == []
    assert overdue_on(key, RULES, D(2026, 2, 25))[0].overdue_days == 1


def test_resettlement_key_change_restarts_the_window():
    case = resettlement(
        key_periods=(KeyPeriod(D(2026, 1, 10), False), KeyPeriod(D(2026, 3, 1), True)),
        contacts=(ContactFact(D(2026, 2, 1), "report_in_person"),),
    )
    before = by_requirement(due_dates_on(case, RULES, D(2026, 2, 28)))["visit"]
    assert (before.due_on, before.every_days) == (D(2026, 5, 2), 90)
    after = by_requirement(due_dates_on(case, RULES, D(2026, 3, 5)))["visit"]
    assert (after.anchor, after.last_on, after.due_on, after.every_days) == (
        "key_change",
        D(2026, 3, 1),
        D(2026, 3, 31),
        30,
    )
    assert is_key_on(case.key_periods, D(2026, 2, 28)) is False
    assert is_key_on(case.key_periods, D(2026, 3, 1)) is True
    assert is_key_on((), D(2026, 3, 1)) is False


def test_resettlement_not_handed_over_or_ended():
    assert due_dates_on(CaseFacts("resettlement", None), RULES, D(2026, 3, 1)) == []
    ended = resettlement(ended_on=D(2026, 2, 1))
    assert due_dates_on(ended, RULES, D(2026, 2, 1)) == []


# --------------------------------------------------------------------------- rule table


def test_rule_in_force_is_the_latest_effective_row():
    tighter = ContactRule(
        id=99,
        programme="correction",
        requirement="face_to_face",
        level="strict",
        correction_type=None,
        is_key=None,
        satisfied_by=frozenset({"report_in_person"}),
        every_days=5,
        effective_from=D(2026, 6, 1),
    )
    rules = [*RULES, tighter]
    old = rule_in_force(rules, "correction", "face_to_face", "strict", None, False, D(2026, 5, 31))
    new = rule_in_force(rules, "correction", "face_to_face", "strict", None, False, D(2026, 6, 1))
    assert (old.every_days, new.every_days, new.id) == (7, 5, 99)
    assert (
        rule_in_force(rules, "correction", "remote_report", "strict", None, False, D(2026, 6, 1))
        is None
    )

    case = correction(
        received_on=D(2026, 5, 20), contacts=(ContactFact(D(2026, 5, 28), "field_visit"),)
    )
    assert by_requirement(due_dates_on(case, rules, D(2026, 5, 31)))["face_to_face"].due_on == D(
        2026, 6, 4
    )
    # From 06-01 a field visit no longer satisfies face-to-face and the window is 5 days.
    f2f = by_requirement(due_dates_on(case, rules, D(2026, 6, 1)))["face_to_face"]
    assert (f2f.due_on, f2f.anchor, f2f.overdue_days) == (D(2026, 5, 25), "reception", 7)


def test_rule_rows_can_be_withdrawn_and_specific_rows_win_ties():
    withdraw = ContactRule(
        "x", "correction", "field_visit", "strict", None, None, frozenset(), 0, D(2026, 6, 1)
    )
    rules = [*RULES, withdraw]
    states = by_requirement(due_dates_on(correction(), rules, D(2026, 6, 2)))
    assert set(states) == {"face_to_face"}

    generic = ContactRule(
        "g",
        "correction",
        "face_to_face",
        None,
        None,
        None,
        frozenset({"report_in_person"}),
        14,
        DEFAULT_EFFECTIVE_FROM,
    )
    rules = [*RULES, generic]
    strict = rule_in_force(
        rules, "correction", "face_to_face", "strict", None, False, D(2026, 1, 1)
    )
    assert strict.every_days == 7
    no_level = rule_in_force(rules, "correction", "face_to_face", None, None, False, D(2026, 1, 1))
    assert no_level.id == "g"


def test_default_rule_table_matches_domain():
    table = {(r.programme, r.requirement, r.level, r.correction_type, r.is_key): r for r in RULES}
    assert len(table) == len(RULES) == 12
    assert all(r.effective_from == D(1900, 1, 1) for r in RULES)
    expected_days = {
        ("correction", "face_to_face", "strict", None, None): 7,
        ("correction", "field_visit", "strict", None, None): 30,
        ("correction", "face_to_face", "normal", None, None): 30,
        ("correction", "remote_report", "normal", None, None): 7,
        ("correction", "field_visit", "normal", None, None): 60,
        ("correction", "face_to_face", "lenient", None, None): 60,
        ("correction", "remote_report", "lenient", None, None): 30,
        ("correction", "field_visit", "lenient", None, None): 90,
        ("correction", "remote_report_on_leave", None, None, None): 7,
        ("correction", "health_report", None, "temporary_release", None): 30,
        ("resettlement", "visit", None, None, True): 30,
        ("resettlement", "visit", None, None, False): 90,
    }
    assert {k: r.every_days for k, r in table.items()} == expected_days
    f2f = frozenset({"report_in_person", "field_visit"})
    assert table[("correction", "face_to_face", "strict", None, None)].satisfied_by == f2f
    assert table[("correction", "remote_report", "normal", None, None)].satisfied_by == frozenset(
        {"phone", "video", "info_check", "report_in_person", "field_visit"}
    )
    assert table[("correction", "field_visit", "lenient", None, None)].satisfied_by == frozenset(
        {"field_visit"}
    )
    assert table[("correction", "health_report", None, "temporary_release", None)].satisfied_by == (
        frozenset({"written_report", "report_in_person"})
    )
    assert table[("resettlement", "visit", None, None, True)].satisfied_by == f2f


def test_default_deadlines():
    d = default_deadlines()
    assert d["report_days"] == 10 and d["transfer_report_days"] == 7
    assert d["assessment_days"] == 10 and d["assessment_fast_track_days"] == 5
    assert d["leave_station_max_days"] == 7 and d["leave_county_max_days"] == 30
    assert d["leave_window_months"] == 2 and d["leave_window_max_days"] == 30
    assert d["monitoring_max_months"] == 3 and d["medical_review_months"] == 3
    assert d["education_hours_lenient"] == 4 and d["public_service_hours_strict"] == 8
    assert d["resettlement_years_probation"] == 3 and d["resettlement_years_parole"] == 5
    # self check-in (docs/domain.md §7.9): strict people get none by default (0)
    assert d["checkin_every_days_normal"] == 7 and d["checkin_every_days_lenient"] == 30
    assert d["checkin_every_days_strict"] == 0 and d["checkin_window_hours"] == 24
    assert all(
        isinstance(v, int) and (v > 0 or k.startswith("checkin_every_days_")) for k, v in d.items()
    )


# --------------------------------------------------------------------------- on-time rate


def test_on_time_rate_hand_computed():
    window = (D(2026, 3, 1), D(2026, 3, 10))
    # A: strict from 03-01, no contacts. face-to-face due 03-08, overdue on 03-09 and 03-10;
    #    field visit due 03-31. 10 days x 2 requirements = 20 triples, 18 on time.
    a = correction()
    # B: normal from 02-01, phone on 02-27, ended 03-04: active 03-01..03-03.
    #    face-to-face due 03-03, remote 03-06, field visit 04-02: 9 triples, all on time.
    b = correction(
        received_on=D(2026, 2, 1),
        level="normal",
        ended_on=D(2026, 3, 4),
        contacts=(ContactFact(D(2026, 2, 27), "phone"),),
    )
    # C: strict, away on approved leave through the whole window: face-to-face (due 03-07)
    #    pauses; the remote report of docs/domain.md §7.3 counts from the leave's start
    #    (03-01, later than the 02-28 report), due 03-08: 10 triples, 8 on time.
    c = correction(
        received_on=D(2026, 2, 1),
        contacts=(ContactFact(D(2026, 2, 28), "report_in_person"),),
        leaves=(LeaveFact(D(2026, 3, 1), D(2026, 3, 10), approved=True),),
    )
    assert on_time_rate([a], RULES, *window) == (18, 20)
    assert on_time_rate([b], RULES, *window) == (9, 9)
    assert on_time_rate([c], RULES, *window) == (8, 10)
    assert on_time_rate([a, b, c], RULES, *window) == (35, 39)


def test_long_history_trimmed_gives_the_same_answers():
    """on_time_rate and overdue_month_ends look only at recent contacts (plus the latest
    of each kind before); the answer equals evaluating every day with every contact."""
    from corrections.rules.engine import due_dates_on, overdue_month_ends, overdue_on

    kinds = ("report_in_person", "phone", "field_visit", "video")
    contacts = tuple(
        ContactFact(D(2024, 1, 1) + timedelta(days=day), kinds[day % 4], voided=day % 31 == 0)
        for day in range(0, 1000, 9)
    )
    case = correction(received_on=D(2024, 1, 1), level="normal", contacts=contacts)
    start, end = D(2026, 9, 1), D(2026, 9, 30)
    ok = total = 0
    for n in range((end - start).days + 1):
        for state in due_dates_on(case, RULES, start + timedelta(days=n)):
            if not state.paused:
                total += 1
                ok += state.overdue_days == 0
    assert on_time_rate([case], RULES, start, end) == (ok, total) and total > 0
    first, last, overdue = overdue_month_ends(case, RULES, D(2026, 11, 25))
    assert (first, last) == (D(2025, 10, 31), D(2026, 10, 31))
    assert overdue == [d for d in month_ends_before(D(2026, 11, 25)) if overdue_on(case, RULES, d)]
    assert overdue  # contacts stop in 2026-09: the later month ends are overdue


def test_month_ends_before_leap_year_and_year_end():
    assert month_ends_before(D(2024, 3, 1), 3) == [D(2023, 12, 31), D(2024, 1, 31), D(2024, 2, 29)]
    assert month_ends_before(D(2026, 1, 31), 1) == [D(2025, 12, 31)]  # not the day itself
