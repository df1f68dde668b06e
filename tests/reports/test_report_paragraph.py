"""The report paragraph names the place and period it covers, cites 在册社区矫正对象, and
cc.absconded_new counts incidents (人次) (docs/domain.md §7.8)."""

from __future__ import annotations

from datetime import date

import pytest

from corrections.extensions import db
from corrections.reports import summary as summaries
from corrections.reports.figures import BY_KEY
from corrections.supervision import services as sv
from tests.helpers import open_case, user

# The paragraph after its opening, for one case received 2026-10-05 at S1 with a field
# visit on 2026-10-10 ({cum} is 累计 only for a period from 1 January).
BODY = (
    "{place}开展调查评估0例，{cum}接收社区矫正对象1人，解除社区矫正0人，终止社区矫正0人，"
    "变更执行地0人，开展见面核查1人次，训诫0人次，警告0人次，提请治安管理处罚0人次，"
    "组织教育学习0场0人次，组织公益活动0场0人次，开展心理咨询、心理辅导0人次，"
    "帮困扶助0人次，{place}在册社区矫正对象1人；共衔接刑满释放人员0人，"
    "{place}在册安置帮教对象0人（其中重点安置帮教对象0名，涉黑涉恶人员0名），"
    "开展见面核查、上门走访0人次，救助帮扶0人，纳入低保0人，推荐就业0人。"
)


@pytest.mark.parametrize(
    "start, end, opening",
    [
        (date(2026, 10, 1), date(2026, 10, 31), "2026年10月"),  # a month
        (date(2026, 1, 1), date(2026, 10, 15), "截至2026年10月15日"),  # from 1 January
        (date(2026, 1, 1), date(2026, 1, 31), "截至2026年1月31日"),  # January is from 1 Jan
        (date(2026, 1, 1), date(2026, 1, 1), "截至2026年1月1日"),  # the first day alone
        (date(2026, 10, 1), date(2026, 10, 15), "2026年10月1日至10月15日"),
        (date(2026, 7, 1), date(2026, 9, 30), "2026年7月1日至9月30日"),  # a quarter
        (date(2024, 2, 1), date(2024, 2, 29), "2024年2月"),  # a leap February
        (date(2024, 2, 1), date(2024, 2, 28), "2024年2月1日至2月28日"),  # not all of it
        (date(2025, 12, 1), date(2026, 1, 15), "2025年12月1日至2026年1月15日"),
        (date(2025, 1, 1), date(2026, 3, 31), "2025年1月1日至2026年3月31日"),  # not this year
    ],
)
def test_the_paragraph_opens_with_its_period(start, end, opening):
    """Given a period, the paragraph opens with 截至… only when it starts on 1 January of
    the year it ends in, with the month for one whole month, else with from … to …."""
    assert summaries.period_phrase(start, end) == opening


@pytest.fixture
def october(app, world, county, person_id):
    """One case at S1 (received 2026-10-05, a field visit 2026-10-10); a third station S3 so
    that S1 and S2 are a part of the county."""
    world.station("S3", "西岭司法所")
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
        return case.id


def _text(world, who: str, query: str) -> str:
    response = world.api(who).get("/reports/summary?" + query)
    assert response.status_code == 200
    return response.get_json()["text"]


@pytest.mark.parametrize(
    "who, query, opening, place, cum",
    [
        ("boss", "from=2026-10-01&to=2026-10-31", "2026年10月", "全县", ""),
        ("viewer", "from=2026-10-01&to=2026-10-31", "2026年10月", "全县", ""),
        ("off1", "from=2026-10-01&to=2026-10-31", "2026年10月", "城关司法所", ""),
        ("boss", "from=2026-10-01&to=2026-10-31&station=S1", "2026年10月", "城关司法所", ""),
        ("both", "from=2026-10-01&to=2026-10-31", "2026年10月", "城关司法所、东山司法所", ""),
        ("admin", "from=2026-10-01&to=2026-10-31", "2026年10月", "各县（市、区）合计", ""),
        ("boss", "from=2026-01-01&to=2026-10-15", "截至2026年10月15日", "全县", "累计"),
        ("boss", "from=2026-10-01&to=2026-10-15", "2026年10月1日至10月15日", "全县", ""),
        ("off1", "from=2026-01-01&to=2026-11-25", "截至2026年11月25日", "城关司法所", "累计"),
    ],
)
def test_the_paragraph_names_the_place_it_covers(
    app, world, october, who, query, opening, place, cum
):
    """Given the user's scope (or a chosen station), the paragraph names the whole county as
    全县, a part of it by its stations' names, several units as 各县（市、区）合计; after the
    period figures it cites 在册社区矫正对象, then the resettlement figures."""
    assert _text(world, who, query) == f"{opening}，" + BODY.format(place=place, cum=cum)


def test_the_monthly_pdf_paragraph_is_the_year_to_date_one(app, ctx, october):
    """Given a month, the printed paragraph is the year to date's (from 1 January): 截至…累计."""
    from corrections.reports.monthly import monthly

    report = monthly(user("off1"), "2026-10")
    assert report.ytd_text == "截至2026年10月31日，" + BODY.format(place="城关司法所", cum="累计")


def test_absconded_new_counts_each_incident(app, world, county, person_id):
    """Given one person who absconded twice in October (found on 10-06, gone again 10-20),
    then cc.absconded_new is 2 人次 and its drill-down lists both incidents."""
    with app.app_context():
        case = open_case(person_id, received_on="2026-09-01")
        first = sv.open_incident(
            user("off1"), case, {"kind": "absconded", "occurred_on": "2026-10-03"}
        )
        sv.close_incident(
            user("off1"), case, first.id, {"closed_on": "2026-10-06", "outcome": "已找回"}
        )
        sv.open_incident(user("off1"), case, {"kind": "absconded", "occurred_on": "2026-10-20"})
        db.session.commit()
    assert BY_KEY["cc.absconded_new"].unit == "人次"
    body = world.api("off1").get("/reports/summary?from=2026-10-01&to=2026-10-31").get_json()
    assert body["figures"]["cc.absconded_new"] == 2
    client = county.login(app.test_client(), "off1")
    html = client.get(
        "/reports/records?key=cc.absconded_new&from=2026-10-01&to=2026-10-31"
    ).get_data(as_text=True)
    assert "共 2 人次" in html and "2026-10-06 结案" in html and "未结案" in html
    page = client.get("/reports/?period=month&month=2026-10").get_data(as_text=True)
    row = page.split('data-key="cc.absconded_new"', 1)[1].split("</tr>", 1)[0]
    assert "新发生脱管" in row and "（人次）" in row
