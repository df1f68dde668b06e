"""Each time rule and its SQL twin agree on a populated database (docs/domain.md §7.1).

Given the demo county (plus a changed rule row, so that "the rule as it stood on the date
the rule speaks of" matters), when every rule is asked on several dates — each deadline day
itself, the day before and the day after — then the cases the Python rule answers yes for
are exactly the cases the SQL condition selects.
"""

from datetime import date, timedelta

from sqlalchemy import select

from corrections import clock
from corrections.extensions import db
from corrections.resettlement.models import ResettlementCase
from corrections.rules import deadlines as r
from corrections.rules import twins
from corrections.rules.models import DeadlineRuleRow
from corrections.rules.tables import deadline
from corrections.supervision.models import CorrectionCase, Leave, MonitoringEpisode

ONE = timedelta(days=1)


def _load():
    """The demo county (fixture ``demo_county``) with later policies for some rules."""
    # a later policy for some rows: cases on either side of the change follow their own
    for key, value, start in (
        ("handover_alert_days", 10, date(2026, 9, 1)),
        ("term_end_checklist_days", 45, date(2027, 3, 1)),
        ("due_soon_days", 3, date(2026, 12, 1)),
        ("monitoring_end_soon_days", 14, date(2026, 12, 5)),
        ("resettlement_period_end_alert_days", 60, date(2029, 1, 1)),
    ):
        db.session.add(DeadlineRuleRow(key=key, value=value, effective_from=start))
    db.session.commit()


def _around(days, limit=8):
    """The day before, the day itself and the day after each of (a few of) ``days``."""
    picked = sorted({x for x in days if x is not None})
    step = max(1, len(picked) // limit)
    out = {clock.today()}
    for x in picked[::step]:
        out |= {x - ONE, x, x + ONE}
    return sorted(out)


def _rule(key):
    """``deadline(key, on)`` read once per date (the rows do not change during a test)."""
    memo = {}

    def value(on):
        if on not in memo:
            memo[on] = deadline(key, on)
        return memo[on]

    return value


def _sql(model, condition) -> set[int]:
    return set(db.session.execute(select(model.id).where(condition)).scalars())


def _agree(name, model, rows, dates, python, sql):
    asked = 0
    for on in dates:
        expected = {row.id for row in rows if python(row, on)}
        got = _sql(model, sql(on))
        assert got == expected, (name, on, sorted(got ^ expected))
        asked += len(expected)
    return asked


def test_correction_time_rules_agree_with_their_sql_twins(app, demo_county, ctx):
    _load()
    TERM_END_CHECKLIST_DAYS = _rule("term_end_checklist_days")  # noqa: N806
    DUE_SOON_DAYS = _rule("due_soon_days")  # noqa: N806
    MONITORING_END_SOON_DAYS = _rule("monitoring_end_soon_days")  # noqa: N806
    cc = CorrectionCase
    cases = db.session.execute(select(cc)).scalars().all()
    answered = {}

    dates = _around([c.report_deadline for c in cases])
    answered["missed_intake"] = _agree(
        "missed_intake",
        cc,
        cases,
        dates,
        lambda c, on: r.missed_intake(c.source, c.report_deadline, c.received_on, on),
        lambda on: twins.missed_intake(cc.source, cc.report_deadline, cc.received_on, on),
    )
    answered["still_missing"] = _agree(
        "still_missing",
        cc,
        cases,
        dates,
        lambda c, on: r.is_missed_intake(c.status, c.source, c.report_deadline, on),
        lambda on: twins.still_missing(cc.status, cc.source, cc.report_deadline,
                                       cc.received_on, on),
    )  # fmt: skip

    term_dates = _around([c.term_end for c in cases])
    answered["past_term_end"] = _agree(
        "past_term_end",
        cc,
        cases,
        term_dates,
        lambda c, on: r.is_past_term_end(c.term_end, on),
        lambda on: twins.past_term_end(cc.term_end, on),
    )
    checklist_days = _around(
        [r.term_end_checklist_opens_on(c.term_end, TERM_END_CHECKLIST_DAYS(c.term_end))
         for c in cases]
    )  # fmt: skip
    answered["checklist_open"] = _agree(
        "checklist_open",
        cc,
        cases,
        checklist_days,
        lambda c, on: r.is_checklist_open(c.term_end, on, TERM_END_CHECKLIST_DAYS(c.term_end)),
        lambda on: twins.checklist_open(cc.term_end, on),
    )

    due = [c for c in cases if c.next_due_on is not None]
    soon_dates = _around(
        [c.next_due_on - timedelta(days=DUE_SOON_DAYS(c.next_due_on)) for c in due]
        + [c.next_due_on for c in due]
    )
    answered["due_soon"] = _agree(
        "due_soon",
        cc,
        cases,
        soon_dates,
        lambda c, on: r.is_due_soon(
            c.next_due_on, on, DUE_SOON_DAYS(c.next_due_on) if c.next_due_on else 0
        ),
        lambda on: twins.due_soon("due_soon_days", cc.next_due_on, on),
    )

    leaves = db.session.execute(select(Leave)).scalars().all()
    answered["return_overdue"] = _agree(
        "return_overdue",
        Leave,
        leaves,
        _around([lv.ends_on for lv in leaves] + [lv.returned_on for lv in leaves]),
        lambda lv, on: r.is_return_overdue(lv.ends_on, lv.returned_on, on),
        lambda on: twins.return_overdue(Leave.ends_on, Leave.returned_on, on),
    )

    episodes = db.session.execute(select(MonitoringEpisode)).scalars().all()
    answered["monitoring_end_soon"] = _agree(
        "monitoring_end_soon",
        MonitoringEpisode,
        episodes,
        _around([e.ends_on for e in episodes] + [e.ends_on - timedelta(days=7) for e in episodes]),
        lambda e, on: r.is_due_soon(e.ends_on, on, MONITORING_END_SOON_DAYS(e.ends_on)),
        lambda on: twins.due_soon("monitoring_end_soon_days", MonitoringEpisode.ends_on, on),
    )

    # the demo county exercises the rules, so the comparison is not vacuous
    assert all(answered[k] > 0 for k in ("missed_intake", "still_missing", "past_term_end",
                                         "checklist_open", "due_soon")), answered  # fmt: skip


def test_resettlement_time_rules_agree_with_their_sql_twins(app, demo_county, ctx):
    _load()
    HANDOVER_ALERT_DAYS = _rule("handover_alert_days")  # noqa: N806
    RESETTLEMENT_PERIOD_END_ALERT_DAYS = _rule("resettlement_period_end_alert_days")  # noqa: N806
    rc = ResettlementCase
    cases = db.session.execute(select(rc)).scalars().all()
    answered = {}

    released = [c for c in cases if c.released_on is not None]
    handover_days = _around(
        [c.released_on + timedelta(days=HANDOVER_ALERT_DAYS(c.released_on))
         for c in released]
        + [date(2026, 9, 1) + timedelta(days=n) for n in (6, 9)]
    )  # fmt: skip
    answered["handover_overdue"] = _agree(
        "handover_overdue",
        rc,
        cases,
        handover_days,
        lambda c, on: (
            c.released_on is not None
            and r.is_handover_overdue(
                c.released_on, c.handed_over_on, on, HANDOVER_ALERT_DAYS(c.released_on)
            )
        ),
        lambda on: twins.handover_overdue(rc.released_on, rc.handed_over_on, on),
    )

    ends = [c.period_ends_on for c in cases]
    period_dates = _around(ends) + _around([clock.today(), date(2029, 1, 1)])
    answered["support_period_over"] = _agree(
        "support_period_over",
        rc,
        cases,
        period_dates,
        lambda c, on: r.is_support_period_over(c.period_ends_on, on),
        lambda on: twins.support_period_over(rc.period_ends_on, on),
    )
    answered["on_register"] = _agree(
        "resettlement_on_register",
        rc,
        cases,
        period_dates + _around([c.released_on for c in cases] + [c.ended_on for c in cases]),
        lambda c, on: r.is_resettlement_on_register(
            c.released_on, c.ended_on, c.period_ends_on, on
        ),
        lambda on: twins.resettlement_on_register(
            rc.released_on, rc.ended_on, rc.period_ends_on, on
        ),
    )
    alert_days = _around(
        [e - timedelta(days=RESETTLEMENT_PERIOD_END_ALERT_DAYS(e))
         for e in ends if e is not None]
    )  # fmt: skip
    answered["period_end_alert"] = _agree(
        "period_end_alert",
        rc,
        cases,
        alert_days,
        lambda c, on: r.is_period_end_alert(
            c.period_ends_on,
            on,
            RESETTLEMENT_PERIOD_END_ALERT_DAYS(c.period_ends_on) if c.period_ends_on else 0,
        ),
        lambda on: twins.period_end_alert(rc.period_ends_on, on),
    )
    assert all(n > 0 for n in answered.values()), answered
