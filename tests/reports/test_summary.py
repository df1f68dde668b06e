"""The summary (API and service): every key, the paragraph, scope, closing a month."""

import pytest
from sqlalchemy import select

from corrections.auth.models import Unit
from corrections.errors import Forbidden, RuleViolation, ValidationFailed
from corrections.extensions import db
from corrections.reports import summary as summaries
from corrections.reports.figures import KEYS
from corrections.supervision import services as sv
from tests.helpers import open_case, user


def test_api_summary_shape_and_text(app, world, person_id):
    with app.app_context():
        case = open_case(
            person_id,
            received_on="2026-10-05",
            judgment_effective_on="2026-10-01",
            term_start="2026-10-01",
            term_end="2027-10-01",
        )
        sv.record_contact(user("off1"), case, {"kind": "field_visit", "occurred_on": "2026-10-10"})
        db.session.commit()
    api = world.api("boss")
    body = api.get("/reports/summary?from=2026-10-01&to=2026-10-31").get_json()
    assert set(body) == {"from", "to", "station", "frozen", "figures", "text"}
    assert set(body["figures"]) == set(KEYS) and all(
        isinstance(v, int) for v in body["figures"].values()
    )
    assert body["figures"]["cc.received"] == 1 and body["figures"]["cc.contacts_in_person"] == 1
    # a month (not from 1 January): no 截至…累计, the place named (docs/domain.md §7.8)
    assert body["text"].startswith("2026年10月，全县开展调查评估0例，接收社区矫正对象1人")
    assert "开展见面核查1人次" in body["text"] and body["frozen"] is False
    one = api.get("/reports/summary?from=2026-10-01&to=2026-10-31&station=S2").get_json()
    assert one["station"] == "S2" and one["figures"]["cc.received"] == 0


def test_api_summary_refusals(app, world, county):
    api = world.api("off1")
    assert api.get("/reports/summary?from=2026-10-01&to=2026-09-30").status_code == 422
    assert api.get("/reports/summary?from=2026-02-30&to=2026-03-01").status_code == 422
    assert api.get("/reports/summary?from=2026-10-01&to=2026-10-31&station=S2").status_code == 404
    assert api.get("/reports/summary?from=2026-10-01&to=2026-10-31&station=T1").status_code == 404


def test_officer_summary_covers_only_their_station(app, world, person_id):
    with app.app_context():
        open_case(
            person_id,
            received_on="2026-10-05",
            judgment_effective_on="2026-10-01",
            term_start="2026-10-01",
            term_end="2027-10-01",
        )
    far = world.api("far").get("/reports/summary?from=2026-10-01&to=2026-10-31").get_json()
    assert far["figures"]["cc.received"] == 0
    boss = world.api("boss").get("/reports/summary?from=2026-10-01&to=2026-10-31").get_json()
    assert boss["figures"]["cc.received"] == 1


def test_closing_freezes_and_lists_later_changes(app, ctx, person_id):
    case = open_case(
        person_id,
        received_on="2026-10-05",
        judgment_effective_on="2026-10-01",
        term_start="2026-10-01",
        term_end="2027-10-01",
    )
    unit = db.session.execute(select(Unit).where(Unit.is_default.is_(True))).scalar_one()
    with pytest.raises(Forbidden):
        summaries.close_month(user("off1"), unit, "2026-10")
    with pytest.raises(RuleViolation):
        summaries.close_month(user("boss"), unit, "2026-11")  # not over yet
    row = summaries.close_month(user("boss"), unit, "2026-10")
    db.session.commit()
    with pytest.raises(RuleViolation):
        summaries.close_month(user("boss"), unit, "2026-10")
    # a late entry dated in the closed month
    sv.record_contact(user("off1"), case, {"kind": "report_in_person", "occurred_on": "2026-10-20"})
    db.session.commit()
    frozen = summaries.summary(user("boss"), *summaries.month_range("2026-10"))
    assert frozen["frozen"] is True and frozen["figures"]["cc.contacts"] == 0
    changes = summaries.later_changes(row)
    assert len(changes) == 1 and changes[0]["event"].username == "off1"
    stations = [s.id for s in summaries.stations_in_scope(user("boss"))]
    assert summaries.differences(row, stations)["cc.contacts"] == (0, 1)
    live = summaries.summary(user("boss"), *summaries.parse_period("2026-10-01", "2026-10-30"))
    assert live["frozen"] is False and live["figures"]["cc.contacts"] == 1


def test_month_range_validation():
    assert summaries.month_range("2024-02")[1].day == 29
    with pytest.raises(ValidationFailed):
        summaries.month_range("2024-13")


def test_monthly_series(app, ctx, person_id):
    open_case(
        person_id,
        received_on="2026-10-05",
        judgment_effective_on="2026-10-01",
        term_start="2026-10-01",
        term_end="2027-10-01",
    )
    series = summaries.monthly_series(user("boss"), summaries.month_range("2026-11")[0], 12)
    assert [s["month"] for s in series][0] == "2025-12" and series[-1]["month"] == "2026-11"
    assert series[-2]["cc.received"] == 1 and series[-1]["cc.on_register"] == 1
