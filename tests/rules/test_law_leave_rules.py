"""Leave and electronic monitoring as pure rules (docs/domain.md §7.3, §7.4), with edge dates."""

from dataclasses import replace
from datetime import date

from corrections.rules import leaves as leave_rules
from corrections.rules import monitoring as monitoring_rules
from corrections.rules.engine import (
    ON_LEAVE_REMOTE,
    CaseFacts,
    ContactFact,
    ContactRule,
    LeaveFact,
    LevelPeriod,
    default_contact_rules,
    due_dates_on,
    next_due,
    overdue_on,
)

D = date
RULES = default_contact_rules()


def strict_case(received_on=D(2026, 1, 5), **kw):
    kw.setdefault("levels", (LevelPeriod(received_on, "strict"),))
    return CaseFacts(programme="correction", received_on=received_on, **kw)


def remote(states):
    found = [s for s in states if s.requirement == "remote_report"]
    assert len(found) <= 1
    return found[0] if found else None


# --------------------------------------------------------------------------- remote report on leave


def test_given_strict_case_not_on_leave_then_no_remote_report_applies():
    case = strict_case(leaves=(LeaveFact(D(2026, 3, 2), D(2026, 3, 20), approved=True),))
    assert remote(due_dates_on(case, RULES, D(2026, 3, 1))) is None
    assert remote(due_dates_on(case, RULES, D(2026, 3, 21))) is None  # the day after the end


def test_given_strict_case_on_leave_when_7th_day_of_window_then_due_not_overdue():
    """Window from the leave's start (03-02): due 03-09; overdue from 03-10."""
    case = strict_case(leaves=(LeaveFact(D(2026, 3, 2), D(2026, 3, 20), approved=True),))
    on_start = remote(due_dates_on(case, RULES, D(2026, 3, 2)))
    assert on_start.due_on == D(2026, 3, 9) and on_start.anchor == "leave_start"
    assert not on_start.paused and on_start.every_days == 7
    seventh = remote(due_dates_on(case, RULES, D(2026, 3, 8)))
    assert seventh.due_on == D(2026, 3, 9) and seventh.overdue_days == 0
    due_day = remote(due_dates_on(case, RULES, D(2026, 3, 9)))
    assert due_day.overdue_days == 0
    after = remote(due_dates_on(case, RULES, D(2026, 3, 10)))
    assert after.overdue_days == 1
    assert [s.requirement for s in overdue_on(case, RULES, D(2026, 3, 10))] == ["remote_report"]
    assert "外出" in after.explain() and "2026-03-02" in after.explain()
    assert "start of leave" in after.explain("en")


def test_given_leave_end_day_itself_then_remote_report_still_applies():
    case = strict_case(leaves=(LeaveFact(D(2026, 3, 2), D(2026, 3, 20), approved=True),))
    contacts = (ContactFact(D(2026, 3, 12), "phone"),)
    case = replace(case, contacts=contacts)
    end_day = remote(due_dates_on(case, RULES, D(2026, 3, 20)))
    assert end_day.due_on == D(2026, 3, 19) and end_day.overdue_days == 1
    assert end_day.anchor == "contact"
    # The day after the end without a return: face-to-face is back, the leave row is not.
    after = {s.requirement: s for s in due_dates_on(case, RULES, D(2026, 3, 21))}
    assert "remote_report" not in after
    assert not after["face_to_face"].paused


def test_given_contact_before_leave_then_window_starts_at_the_later_leave_start():
    case = strict_case(
        contacts=(ContactFact(D(2026, 2, 27), "report_in_person"),),
        leaves=(LeaveFact(D(2026, 3, 1), D(2026, 3, 31), approved=True),),
    )
    state = remote(due_dates_on(case, RULES, D(2026, 3, 8)))
    assert state.last_on == D(2026, 3, 1) and state.due_on == D(2026, 3, 8)
    # A video report during the leave moves the window (any remote kind counts).
    later = replace(case, contacts=case.contacts + (ContactFact(D(2026, 3, 6), "video"),))
    assert remote(due_dates_on(later, RULES, D(2026, 3, 10))).due_on == D(2026, 3, 13)
    # A written report does not satisfy a remote report.
    written = replace(
        case, contacts=case.contacts + (ContactFact(D(2026, 3, 6), "written_report"),)
    )
    assert remote(due_dates_on(written, RULES, D(2026, 3, 10))).overdue_days == 2


def test_given_month_end_leave_then_window_counts_calendar_days_across_the_month():
    # Leave from 28 February 2026: due 7 March; in a leap year from 29 February 2028: 7 March.
    case = strict_case(leaves=(LeaveFact(D(2026, 2, 28), D(2026, 3, 31), approved=True),))
    assert remote(due_dates_on(case, RULES, D(2026, 3, 7))).due_on == D(2026, 3, 7)
    assert remote(due_dates_on(case, RULES, D(2026, 3, 8))).overdue_days == 1
    leap = strict_case(
        received_on=D(2028, 1, 3),
        leaves=(LeaveFact(D(2028, 2, 29), D(2028, 3, 31), approved=True),),
    )
    assert remote(due_dates_on(leap, RULES, D(2028, 3, 7))).due_on == D(2028, 3, 7)


def test_given_normal_level_on_leave_then_its_own_remote_row_applies_not_the_leave_row():
    case = CaseFacts(
        programme="correction",
        received_on=D(2026, 1, 5),
        levels=(LevelPeriod(D(2026, 1, 5), "normal"),),
        contacts=(ContactFact(D(2026, 2, 27), "phone"),),
        leaves=(LeaveFact(D(2026, 3, 1), D(2026, 3, 31), approved=True),),
    )
    state = remote(due_dates_on(case, RULES, D(2026, 3, 5)))
    assert state.rule_id == "correction.normal.remote_report"
    assert state.due_on == D(2026, 3, 6)  # from the phone report, not the leave start


def test_given_returned_or_refused_leave_then_no_leave_row():
    leave = LeaveFact(D(2026, 3, 2), D(2026, 3, 20), approved=True, returned_on=D(2026, 3, 10))
    returned = strict_case(leaves=(leave,))
    assert remote(due_dates_on(returned, RULES, D(2026, 3, 10))) is not None  # return day: away
    assert remote(due_dates_on(returned, RULES, D(2026, 3, 11))) is None
    refused = strict_case(leaves=(replace(leave, approved=False, returned_on=None),))
    assert remote(due_dates_on(refused, RULES, D(2026, 3, 5))) is None


def test_given_edited_leave_row_then_the_engine_follows_it():
    """The row is a rule-table row like the others: 5 days from 2026-03-01 on."""
    edited = [
        *RULES,
        ContactRule(
            id=99,
            programme="correction",
            requirement=ON_LEAVE_REMOTE,
            level=None,
            correction_type=None,
            is_key=None,
            satisfied_by=frozenset({"phone"}),
            every_days=5,
            effective_from=D(2026, 3, 1),
        ),
    ]
    case = strict_case(leaves=(LeaveFact(D(2026, 3, 2), D(2026, 3, 20), approved=True),))
    assert remote(due_dates_on(case, edited, D(2026, 3, 4))).due_on == D(2026, 3, 7)
    withdrawn = [*edited[:-1], replace(edited[-1], every_days=0)]
    assert remote(due_dates_on(case, withdrawn, D(2026, 3, 4))) is None


def test_given_strict_on_leave_then_stored_next_due_is_the_remote_report():
    case = strict_case(leaves=(LeaveFact(D(2026, 3, 2), D(2026, 3, 20), approved=True),))
    assert next_due(case, RULES, D(2026, 3, 9)) == (D(2026, 3, 9), False, 0)
    assert next_due(case, RULES, D(2026, 3, 12)) == (D(2026, 3, 9), True, 3)


# --------------------------------------------------------------------------- overlap, overdue return


def span(start, end, returned=None, id_=1):
    return leave_rules.LeaveSpan(id_, start, end, returned)


def test_given_leaves_sharing_a_day_then_they_overlap():
    existing = [span(D(2026, 3, 1), D(2026, 3, 7))]
    # Starting on the other's end day overlaps (both ends counted)...
    assert leave_rules.overlapping(D(2026, 3, 7), D(2026, 3, 9), existing) == existing[0]
    # ...ending on its start day too; the day after its end does not.
    assert leave_rules.overlapping(D(2026, 2, 25), D(2026, 3, 1), existing) == existing[0]
    assert leave_rules.overlapping(D(2026, 3, 8), D(2026, 3, 9), existing) is None
    assert leave_rules.overlapping(D(2026, 2, 20), D(2026, 2, 28), existing) is None
    # Inside and around.
    assert leave_rules.overlapping(D(2026, 3, 3), D(2026, 3, 4), existing) == existing[0]
    assert leave_rules.overlapping(D(2026, 2, 1), D(2026, 4, 30), existing) == existing[0]


def test_given_early_return_then_the_leave_occupies_up_to_the_return_day():
    early = [span(D(2026, 3, 1), D(2026, 3, 31), returned=D(2026, 3, 10))]
    assert leave_rules.occupied_until(early[0]) == D(2026, 3, 10)
    assert leave_rules.overlapping(D(2026, 3, 10), D(2026, 3, 12), early) == early[0]
    assert leave_rules.overlapping(D(2026, 3, 11), D(2026, 3, 12), early) is None


def test_given_leave_end_then_return_late_from_the_first_day_after():
    end = D(2026, 1, 31)
    assert leave_rules.return_days_late(end, None, D(2026, 1, 31)) == 0  # the end day itself
    assert leave_rules.return_days_late(end, None, D(2026, 2, 1)) == 1  # across the month end
    assert leave_rules.return_days_late(end, None, D(2026, 3, 1)) == 29
    assert leave_rules.return_days_late(end, D(2026, 2, 3), D(2026, 2, 2)) == 2  # not yet back
    assert leave_rules.return_days_late(end, D(2026, 2, 3), D(2026, 2, 3)) == 0  # back that day
    assert leave_rules.is_return_overdue(end, None, D(2026, 2, 1))
    assert not leave_rules.is_return_overdue(end, None, end)


# --------------------------------------------------------------------------- monitoring


def test_given_monitoring_episodes_then_they_may_not_share_a_day():
    first = monitoring_rules.EpisodeSpan(1, D(2026, 1, 31), D(2026, 4, 30))
    assert monitoring_rules.overlapping(D(2026, 4, 30), D(2026, 5, 30), [first]) == first
    assert monitoring_rules.overlapping(D(2026, 5, 1), D(2026, 7, 31), [first]) is None
    removed = replace(first, cut_short_on=D(2026, 2, 28))  # removed early
    assert monitoring_rules.occupied_until(removed) == D(2026, 2, 28)
    assert monitoring_rules.overlapping(D(2026, 3, 1), D(2026, 5, 31), [removed]) is None
    assert monitoring_rules.overlapping(D(2026, 2, 28), D(2026, 5, 27), [removed]) == removed


def test_given_extension_on_the_end_day_then_allowed_the_day_after_lapsed():
    end = D(2026, 4, 30)
    assert not monitoring_rules.extension_lapsed(end, D(2026, 4, 29))
    assert not monitoring_rules.extension_lapsed(end, end)
    assert monitoring_rules.extension_lapsed(end, D(2026, 5, 1))
    # Leap day end.
    assert not monitoring_rules.extension_lapsed(D(2028, 2, 29), D(2028, 2, 29))
    assert monitoring_rules.extension_lapsed(D(2028, 2, 29), D(2028, 3, 1))
