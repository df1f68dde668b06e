"""The stored due state on the case always equals the engine's answer."""

from datetime import date

from sqlalchemy import select

from corrections import clock
from corrections.extensions import db
from corrections.rules import engine
from corrections.rules.tables import contact_rules
from corrections.supervision import services
from corrections.supervision.models import CorrectionCase
from tests.helpers import d, open_case, user


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


def test_demo_county_stored_state_matches_engine(app, demo_county, ctx):
    rules = contact_rules()
    cases = db.session.execute(select(CorrectionCase)).scalars().all()
    assert len(cases) > 40
    statuses = {c.status for c in cases}
    assert statuses == {"expected", "active", "released", "terminated", "transferred_out"}
    for case in cases:
        expected = engine.next_due(services.case_facts(case), rules, clock.today())
        assert (case.next_due_on, case.is_overdue, case.overdue_days) == expected, case.id
    from corrections.resettlement import services as rs_services
    from corrections.resettlement.models import ResettlementCase

    for model, svc in ((CorrectionCase, services), (ResettlementCase, rs_services)):
        for case in db.session.execute(select(model)).scalars():
            first, last, overdue = engine.overdue_month_ends(
                svc.case_facts(case), rules, clock.today()
            )
            assert (case.month_ends_from, case.month_ends_to) == (first, last)
            assert case.overdue_month_ends == " ".join(d.isoformat() for d in overdue), case.id
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


def test_overdue_figures_today_read_the_stored_state_and_agree_with_the_engine(
    app, demo_county, ctx
):
    # a case with its September and October contacts voided: overdue on past month ends
    from corrections.auth.models import User
    from corrections.reports.figures import overdue_cases
    from corrections.resettlement.models import ResettlementCase
    from corrections.supervision.models import Contact

    admin = db.session.execute(select(User).where(User.username == "admin")).scalar_one()
    case = (
        db.session.execute(
            select(CorrectionCase).where(
                CorrectionCase.status == "active", CorrectionCase.received_on < date(2026, 8, 1)
            )
        )
        .scalars()
        .first()
    )
    for contact in db.session.execute(
        select(Contact).where(Contact.case_id == case.id, Contact.occurred_on >= date(2026, 9, 1))
    ).scalars():
        services.void_record(admin, case, "contact", contact.id, {"reason": "测试"})
    db.session.commit()
    today = clock.today()
    # today, the last month end, one a year ago (both covered), one beyond the month ends kept
    days = (today, date(2026, 10, 31), date(2025, 11, 30), date(2025, 9, 30), date(2026, 7, 15))
    keys = ("cc.overdue", "rs.overdue")
    fast = {(k, d): overdue_cases(k, d, None) for k in keys for d in days}
    assert fast[("cc.overdue", today)] and fast[("rs.overdue", today)]
    for k in keys:  # the comparison below is not between empty answers
        assert any(fast[(k, d)] for d in days[1:4]), k
    for model in (CorrectionCase, ResettlementCase):  # as if nothing were stored
        for case in db.session.execute(select(model)).scalars():
            case.due_computed_on = case.month_ends_from = case.month_ends_to = None
    db.session.flush()
    slow = {(k, d): overdue_cases(k, d, None) for k in keys for d in days}
    assert fast == slow
    fast = {k: fast[(k, today)] for k in keys}
    one = next(iter(fast["cc.overdue"]))
    assert overdue_cases("cc.overdue", today, {one}) == {one: fast["cc.overdue"][one]}
    db.session.rollback()
