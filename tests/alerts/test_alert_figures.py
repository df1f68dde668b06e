"""cc.alerts_raised / cc.alerts_closed / cc.alerts_closed_on_time, by kind, against a hand
count on a small county; the drill-down, the summary API, the PDF sections and the
workbook's 预警处置台账 (docs/domain.md §5, §7.11)."""

import io
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from corrections import clock
from corrections.alerts import services
from corrections.extensions import db
from corrections.people.idnumber import make_fictional
from corrections.reports import figures, records, workbook
from corrections.reports.monthly import label as monthly_label
from corrections.supervision import services as sv
from tests.helpers import open_case, user


def at(day, hour=2):
    return datetime(2026, 10, day, hour, 0, tzinfo=UTC)


@pytest.fixture
def alerts(ctx, county, world, monkeypatch):
    """October 2026, hand-counted:

    S1 张一: missed_checkin raised 10-03, closed 10-03 (on time);
             outside_area raised 10-05, closed 10-08 (late);
    S1 张二: location_missing raised 10-10, still open; overdue_return raised 09-30, closed
             10-01 (on time: within 24 h) — raised in September, closed in October;
    S2 张三: missed_checkin raised 10-20, closed 11-02 (November);
             moved to S1 on 10-25: counts at S2 (the station on the day raised).
    Raised in October: 4 (S1 3, S2 1); closed in October: 3 (S1 3), on time 2.
    """
    cases = []
    for n, (name, station) in enumerate((("张一", "S1"), ("张二", "S1"), ("张三", "S2"))):
        pid = world.person(
            "both", make_fictional("330726", datetime(1980, 3, 1 + n).date(), 11 + 2 * n),
            name=name, station=station,
        )  # fmt: skip
        cases.append(open_case(pid, actor="both", station=station, received_on="2026-01-10"))
    one, two, three = cases

    def close(alert, when, outcome="explained"):
        monkeypatch.setattr(clock, "now_utc", lambda: when)
        services.take_step(user("both"), alert, {"action": "verify", "note": "核实"})
        services.take_step(
            user("both"), alert, {"action": "close", "note": "办结", "outcome": outcome}
        )
        monkeypatch.undo()

    a = services.raise_alert(one, "missed_checkin", cause="checkin:1", at=at(3))
    close(a, at(3, 10))
    b = services.raise_alert(one, "outside_area", cause="import:2026-10-05", at=at(5))
    close(b, at(8))
    services.raise_alert(two, "location_missing", cause="import:2026-10-10", at=at(10))
    d = services.raise_alert(two, "overdue_return", cause="leave:1",
                             at=datetime(2026, 9, 30, 10, 0, tzinfo=UTC))  # fmt: skip
    close(d, at(1, 2))
    e = services.raise_alert(three, "missed_checkin", cause="checkin:2", at=at(20))
    sv.move_station(user("boss"), three, {"moved_on": "2026-10-25", "station": "S1"})
    close(e, datetime(2026, 11, 2, 2, tzinfo=UTC))
    db.session.commit()
    return cases


def _station(code):
    from sqlalchemy import select

    from corrections.auth.models import Station

    return db.session.execute(select(Station).where(Station.code == code)).scalar_one().id


def test_figures_equal_the_hand_count(alerts):
    s1, s2 = _station("S1"), _station("S2")
    result = figures.compute(datetime(2026, 10, 1).date(), datetime(2026, 10, 31).date(), None)
    t = result.totals
    assert t["cc.alerts_raised"] == 4
    assert t["cc.alerts_closed"] == 3
    assert t["cc.alerts_closed_on_time"] == 2
    assert t["cc.alerts_raised.missed_checkin"] == 2
    assert t["cc.alerts_raised.outside_area"] == 1
    assert t["cc.alerts_raised.location_missing"] == 1
    assert t["cc.alerts_raised.overdue_return"] == 0
    assert t["cc.alerts_closed.overdue_return"] == 1
    assert t["cc.alerts_closed_on_time.outside_area"] == 0
    assert t["cc.alerts_closed_on_time.missed_checkin"] == 1
    assert result.by_station[s1]["cc.alerts_raised"] == 3
    assert result.by_station[s2]["cc.alerts_raised"] == 1  # raised before the move
    assert result.by_station[s1]["cc.alerts_closed"] == 3
    november = figures.compute(datetime(2026, 11, 1).date(), datetime(2026, 11, 30).date(), None)
    assert november.totals["cc.alerts_closed"] == 1
    assert november.totals["cc.alerts_closed_on_time"] == 0
    # the drill-down lists the same alerts
    start, end = datetime(2026, 10, 1).date(), datetime(2026, 10, 31).date()
    assert records.count("cc.alerts_raised", start, end, None) == 4
    assert records.count("cc.alerts_closed_on_time", start, end, [s1]) == 2


def test_summary_api_and_workbook_sheet(alerts, world, app):
    api = world.api("boss")
    body = api.get("/reports/summary?from=2026-10-01&to=2026-10-31").get_json()
    assert body["figures"]["cc.alerts_raised"] == 4
    assert body["figures"]["cc.alerts_closed_on_time"] == 2
    book = load_workbook(io.BytesIO(workbook.monthly_workbook(user("boss"), "2026-10")))
    sheet = book["预警处置台账"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = rows[2]
    body_rows = [dict(zip(header, r, strict=False)) for r in rows[3:] if r[0]]
    # raised or closed in October: all but none (张三's was raised in October)
    assert len(body_rows) == 5
    first = body_rows[0]
    assert first["预警类型"] == "外出逾期未归" and first["是否按时办结"] == "是"
    assert "核实" in first["核实"] and "办结" in first["办结"]
    stats = book["统计数据"]
    # the sheet names figures by their labels (docs/domain.md §7.9)
    labels = {cell for r in stats.iter_rows(values_only=True) for cell in r if cell}
    assert monthly_label("cc.alerts_raised.location_anomaly").strip("\u3000") in labels


def test_drill_down_page(alerts, world, app):
    client = world.login(app.test_client(), "boss")
    html = client.get("/reports/records?key=cc.alerts_raised&from=2026-10-01&to=2026-10-31")
    assert html.status_code == 200
    text = html.get_data(as_text=True)
    assert "张一" in text and "/alerts/" in text
