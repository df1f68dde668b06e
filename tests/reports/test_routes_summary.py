"""The summary page: every role reads it, scope, periods, bad dates, links, the chart."""

import re
from html import unescape

import pytest

from corrections.extensions import db
from corrections.supervision import services as sv
from tests.helpers import open_case, user


@pytest.fixture
def october(app, county, person_id):
    """One case at S1 received in October 2026 with a field visit."""
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


def _page(client, path="/reports/"):
    response = client.get(path)
    return response, response.get_data(as_text=True)


def _headers(html: str, table: str) -> list[str]:
    block = html.split(f'id="table-{table}"', 1)[1].split("</thead>", 1)[0]
    return [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<th[^>]*>(.*?)</th>", block)]


@pytest.mark.parametrize("who", ["admin", "boss", "viewer", "off1", "farboss", "far"])
def test_every_role_reads_the_summary(app, client, county, october, who):
    client = county.login(app.test_client(), who)
    response, html = _page(client)
    assert response.status_code == 200
    for title in ("社区矫正", "调查评估", "教育活动", "安置帮教", "工作报告用语", "期末"):
        assert title in html
    assert "2026年10月" in html  # default: last month
    assert 'id="report-text"' in html and 'id="copy-text"' in html
    assert html.count('class="badge text-bg-light border stock-badge"') >= 10


def test_scope_of_columns_and_station_filter(app, client, county, october):
    client = county.login(app.test_client(), "off1")
    _, html = _page(client)
    assert _headers(html, "cc") == ["指标", "城关司法所"]  # one station: no total column
    assert client.get("/reports/?station=S2").status_code == 404
    assert client.get("/reports/?station=T1").status_code == 404
    assert "司法所不存在" in client.get("/reports/?station=T1").get_data(as_text=True)
    client = county.login(app.test_client(), "boss")
    _, html = _page(client)
    assert _headers(html, "cc") == ["指标", "合计", "城关司法所", "东山司法所"]
    assert client.get("/reports/?station=T1").status_code == 404
    _, html = _page(client, "/reports/?station=S2")
    assert _headers(html, "rs") == ["指标", "东山司法所"]
    client = county.login(app.test_client(), "admin")
    _, html = _page(client)
    assert "邻县司法所" in _headers(html, "cc")


def test_numbers_link_to_their_records(app, client, county, october):
    client = county.login(app.test_client(), "boss")
    _, html = _page(client)
    row = html.split('data-key="cc.received"', 1)[1].split("</tr>", 1)[0]
    links = [unescape(x) for x in re.findall(r'href="([^"]+)"', row)]
    assert links[0] == "/reports/records?key=cc.received&from=2026-10-01&to=2026-10-31"
    assert "station=S1&" in links[1] and "station=S2&" in links[2]
    assert re.search(r">\s*1\s*</a>", row)
    response, listing = _page(client, links[0])
    assert response.status_code == 200 and "接收社区矫正对象" in listing and "张三" in listing
    assert f"/corrections/{october}" in listing
    _, empty = _page(client, links[2])
    assert "该期间没有记录" in empty


def test_periods_quarter_ytd_and_custom(app, client, county, october):
    client = county.login(app.test_client(), "boss")
    _, html = _page(client, "/reports/?period=quarter&quarter=2026-Q4")
    assert "2026年第4季度" in html and "from=2026-10-01&amp;to=2026-12-31" in html
    assert "截止日期晚于今天" in html
    _, html = _page(client, "/reports/?period=ytd")
    assert "from=2026-01-01&amp;to=2026-11-25" in html and "年初至今" in html
    _, html = _page(client, "/reports/?period=custom&from=2026-10-05&to=2026-10-05")
    assert "2026年10月5日至2026年10月5日" in html
    received = html.split('data-key="cc.received"', 1)[1].split("</tr>", 1)[0]
    assert re.search(r">\s*1\s*</a>", received)
    _, html = _page(client, "/reports/?from=2026-10-06&to=2026-10-31")  # dates alone: custom
    received = html.split('data-key="cc.received"', 1)[1].split("</tr>", 1)[0]
    assert not re.search(r">\s*1\s*</a>", received)
    _, html = _page(client, "/reports/?period=month&month=2026-09")
    assert "2026年9月" in html and "2026年9月，全县开展调查评估" in html


@pytest.mark.parametrize(
    "query, message",
    [
        ("period=custom&from=2026-02-30&to=2026-03-01", "日期格式应为 YYYY-MM-DD"),
        ("from=2026-10-31&to=2026-10-01", "截止日期不能早于起始日期"),
        ("period=custom&from=&to=", "请给出统计起止日期"),
        ("period=month&month=2026-13", "月份格式应为 YYYY-MM"),
        ("period=month&month=abc", "月份格式应为 YYYY-MM"),
        ("period=quarter&quarter=2026-Q5", "季度格式应为 YYYY-Qn"),
        ("period=weekly", "未知的统计期间类型"),
    ],
)
def test_bad_periods_show_a_chinese_error(app, client, county, query, message):
    client = county.login(app.test_client(), "boss")
    response, html = _page(client, "/reports/?" + query)
    assert response.status_code == 422
    assert message in html and 'id="period-error"' in html
    assert 'id="period-form"' in html  # the form is still there to correct it


def test_a_bad_period_marks_its_field_and_the_summary_links_to_it(app, client, county):
    """docs/accessibility.md: the invalid input says so (aria-invalid) and points at the
    message; the message names the field as a link to it."""
    client = county.login(app.test_client(), "boss")
    response, html = _page(client, "/reports/?period=month&month=2026-13")
    assert response.status_code == 422
    month = html.split('id="f-month"', 1)[0].rsplit("<input", 1)[1]
    assert 'aria-invalid="true"' in month and 'aria-describedby="period-error"' in month
    assert '<a class="alert-link" href="#f-month">月份</a>' in html
    _, html = _page(client, "/reports/?period=weekly")
    assert 'href="#p-month"' in html
    assert 'aria-invalid="true"' not in html.split('id="f-from"', 1)[0].rsplit("<input", 1)[1]


def test_chart_has_twelve_labelled_months(app, client, county, october):
    client = county.login(app.test_client(), "boss")
    _, html = _page(client)
    svg = html.split("<svg", 1)[1].split("</svg>", 1)[0]
    months = re.findall(r'data-month="(\d{4}-\d{2})"', svg)
    assert months == [f"2025-{m:02d}" for m in (11, 12)] + [f"2026-{m:02d}" for m in range(1, 11)]
    for text in ("在册人数", "接收", "解除", "联系记录", "11月", "10月", "2026年"):
        assert text in svg
    assert "<polyline" in svg and "http" not in svg.replace("http://www.w3.org/2000/svg", "")
    october_group = svg.split('data-month="2026-10"', 1)[1].split("</g>", 1)[0]
    assert "在册1人，接收1人，解除0人，联系记录1次" in october_group
    # the data table under the chart holds the same numbers
    assert 'id="chart-data"' in html


def test_paragraph_matches_the_figures(app, client, county, october):
    client = county.login(app.test_client(), "boss")
    _, html = _page(client)
    text = html.split('id="report-text">', 1)[1].split("</p>", 1)[0]
    assert text.startswith("2026年10月，全县开展调查评估0例，接收社区矫正对象1人")
    assert "开展见面核查1人次" in text


def test_nav_links_to_reports(app, client, county):
    client = county.login(app.test_client(), "viewer")
    html = client.get("/").get_data(as_text=True)
    assert 'href="/reports/"' in html and "统计报表" in html


def test_a_unit_without_stations_reads_zeros(app, client, county):
    county.unit("空县司法局")
    county.user("empty", "viewer", unit="空县司法局")
    client = county.login(app.test_client(), "empty")
    response, html = _page(client)
    assert response.status_code == 200 and _headers(html, "cc") == ["指标", "合计"]
    assert 'id="close-month"' not in html
