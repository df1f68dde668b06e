"""The stored due state on the case always equals the engine's answer."""

from sqlalchemy import select

from corrections import clock
from corrections.extensions import db
from corrections.rules import engine
from corrections.rules.tables import contact_rules
from corrections.supervision import services
from corrections.supervision.models import CorrectionCase
from tests.supervision.conftest import d, open_case, user


def _assert_stored_equals_engine(case):
    facts = services.case_facts(case)
    expected = engine.next_due(facts, contact_rules(), clock.today())
    assert (case.next_due_on, case.is_overdue, case.overdue_days) == expected


def test_every_write_keeps_stored_state_equal_to_engine(ctx, person_id):
    case = open_case(person_id, received_on="2026-10-01")
    _assert_stored_equals_engine(case)
    assert case.is_overdue  # strict, no contact since 2026-10-01
    officer, boss = user("off1"), user("boss")
    contact = services.record_contact(
        officer, case, {"kind": "report_in_person", "occurred_on": "2026-11-20"}
    )
    _assert_stored_equals_engine(case)
    services.record_contact(officer, case, {"kind": "field_visit", "occurred_on": "2026-11-24"})
    _assert_stored_equals_engine(case)
    assert not case.is_overdue and case.next_due_on == d("2026-12-01")
    services.change_level(
        boss, case, {"effective_on": "2026-11-25", "level": "normal", "reason": "表现良好"}
    )
    _assert_stored_equals_engine(case)
    assert case.level == "normal"
    services.void_record(officer, case, "contact", contact.id, {"reason": "录入错误"})
    _assert_stored_equals_engine(case)
    leave = services.apply_leave(
        officer,
        case,
        {
            "starts_on": "2026-11-25",
            "ends_on": "2026-11-27",
            "destination": "杭州",
            "reason": "family",
            "applied_on": "2026-11-22",
        },
    )
    services.decide_leave(officer, case, leave.id, {"approved": True, "decided_on": "2026-11-23"})
    _assert_stored_equals_engine(case)
    services.release_case(boss, case, {"released_on": "2026-11-25", "reason": "pardon"})
    _assert_stored_equals_engine(case)
    assert case.next_due_on is None and not case.is_overdue


def test_demo_county_stored_state_matches_engine(app, ctx):
    from corrections.demo import load_demo

    load_demo()
    db.session.commit()
    rules = contact_rules()
    cases = db.session.execute(select(CorrectionCase)).scalars().all()
    assert len(cases) > 40
    statuses = {c.status for c in cases}
    assert statuses == {"expected", "active", "released", "terminated", "transferred_out"}
    for case in cases:
        expected = engine.next_due(services.case_facts(case), rules, clock.today())
        assert (case.next_due_on, case.is_overdue, case.overdue_days) == expected, case.id
    # the stored on-time counts are the engine's, and the dashboard's sums agree with
    # evaluating every case with the engine
    from corrections.auth.models import User
    from corrections.reminders.dashboard import on_time_rates

    start, end = engine.on_time_window(clock.today())
    counted = 0
    for case in cases:
        expected = services.on_time_counts(case, services.case_facts(case), rules, clock.today())
        assert (case.on_time_ok, case.on_time_total) == expected, case.id
        counted += expected[1]
    assert counted > 0
    for username in ("admin", "zhuguan"):
        who = db.session.execute(select(User).where(User.username == username)).scalar_one()
        fast, slow = on_time_rates(who), on_time_rates(who, stored=False)
        assert fast == slow and fast["overall"][1] == counted
    # a stale stored state (nightly job not run yet) is evaluated with the engine
    for case in cases[:10]:
        case.due_computed_on = None
        case.on_time_ok = case.on_time_total = 0
    assert on_time_rates(who) == slow
    db.session.rollback()


def test_overdue_figures_today_read_the_stored_state_and_agree_with_the_engine(app, ctx):
    from corrections.demo import load_demo
    from corrections.reports.figures import overdue_cases
    from corrections.resettlement.models import ResettlementCase

    load_demo()
    db.session.commit()
    today = clock.today()
    fast = {k: overdue_cases(k, today, None) for k in ("cc.overdue", "rs.overdue")}
    assert fast["cc.overdue"] and fast["rs.overdue"]
    for model in (CorrectionCase, ResettlementCase):  # as if the nightly job had not run
        for case in db.session.execute(select(model)).scalars():
            case.due_computed_on = None
    db.session.flush()
    slow = {k: overdue_cases(k, today, None) for k in ("cc.overdue", "rs.overdue")}
    assert fast == slow
    one = next(iter(fast["cc.overdue"]))
    assert overdue_cases("cc.overdue", today, {one}) == {one: fast["cc.overdue"][one]}
    db.session.rollback()
