"""cc.on_leave and cc.overdue_return by hand count (docs/domain.md §7.3).

cc.on_leave: approved leaves with starts_on ≤ to ≤ ends_on, not returned by `to`, case
active. cc.overdue_return: approved leaves with ends_on < to, not returned on or before
`to`, case active.
"""

import pytest

from corrections.extensions import db
from corrections.reports import monthly
from corrections.reports.figures import BY_KEY, compute
from corrections.supervision import services as sv
from tests.helpers import d, open_case, user, valid_id


def _leave(case, starts, ends, approve=True):
    row = sv.apply_leave(
        user("off1"),
        case,
        {"starts_on": starts, "ends_on": ends, "destination": "杭州", "reason": "family",
         "applied_on": "2026-09-25"},
    )  # fmt: skip
    if approve:
        sv.decide_leave(user("boss"), case, row.id, {"approved": True, "decided_on": "2026-09-26"})
    db.session.commit()
    return row


@pytest.fixture
def leaves(ctx, county):
    """A: 10-01..10-10 away, not back. B: 10-01..10-05, back on 10-05. C: 10-01..10-05,
    back late on 10-08. D: 10-01..10-05 still pending. E: 10-01..10-05 not back, case
    released on 10-07."""

    def case(serial, name, **kw):
        pid = county.person("off1", valid_id("110101", "19900101", serial), name=name, station="S1")
        return open_case(pid, **kw)

    a, b, c, dd = (
        case(s, n) for s, n in (("201", "甲"), ("202", "乙"), ("203", "丙"), ("204", "丁"))
    )
    e = case("205", "戊", term_end="2026-10-07")
    _leave(a, "2026-10-01", "2026-10-10")
    back = _leave(b, "2026-10-01", "2026-10-05")
    late = _leave(c, "2026-10-01", "2026-10-05")
    _leave(dd, "2026-10-01", "2026-10-05", approve=False)
    _leave(e, "2026-10-01", "2026-10-05")
    sv.return_from_leave(user("off1"), b, back.id, {"returned_on": "2026-10-05"})
    sv.return_from_leave(user("off1"), c, late.id, {"returned_on": "2026-10-08"})
    sv.release_case(user("boss"), e, {"released_on": "2026-10-07", "reason": "expiry"})
    db.session.commit()
    return {"A": a.id, "B": b.id, "C": c.id, "D": dd.id, "E": e.id}


@pytest.mark.parametrize(
    "to, on_leave, overdue_return",
    [
        ("2026-09-30", set(), set()),  # before any leave starts
        ("2026-10-04", {"A", "B", "C", "E"}, set()),  # D is only pending
        ("2026-10-05", {"A", "C", "E"}, set()),  # the end day itself: not yet overdue; B back
        ("2026-10-06", {"A"}, {"C", "E"}),  # the first day after the end
        ("2026-10-07", {"A"}, {"C"}),  # E released on 10-07: not active
        ("2026-10-08", {"A"}, set()),  # C returned on 10-08
        ("2026-10-10", {"A"}, set()),  # A's end day
        ("2026-10-11", set(), {"A"}),
        ("2026-10-31", set(), {"A"}),  # a month end
    ],
)
def test_given_leaves_then_on_leave_and_overdue_return_match_the_hand_count(
    leaves, to, on_leave, overdue_return
):
    totals = compute(d("2026-10-01"), d(to), None).totals
    assert totals["cc.on_leave"] == len(on_leave)
    assert totals["cc.overdue_return"] == len(overdue_return)
    # The drill-down lists exactly those cases.
    rows = db.session.execute(BY_KEY["cc.overdue_return"].rows(d("2026-10-01"), d(to), None))
    assert {r.group_id for r in rows} == {leaves[k] for k in overdue_return}
    rows = db.session.execute(BY_KEY["cc.on_leave"].rows(d("2026-10-01"), d(to), None))
    assert {r.group_id for r in rows} == {leaves[k] for k in on_leave}


def test_overdue_return_is_a_stock_figure_on_the_summary(ctx):
    figure = BY_KEY["cc.overdue_return"]
    assert figure.kind == "stock" and figure.label == "外出逾期未销假"
    keys = monthly.stock_keys()
    assert keys.index("cc.overdue_return") == keys.index("cc.on_leave") + 1
