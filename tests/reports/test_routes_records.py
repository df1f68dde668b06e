"""The drill-down page: label, period, links to the records, scope, paging, bad input."""

import pytest

from corrections.activities import services as acts
from corrections.extensions import db
from corrections.resettlement import services as rs
from corrections.supervision import services as sv
from tests.helpers import open_case, user

OCT = "from=2026-10-01&to=2026-10-31"


@pytest.fixture
def records_world(app, county, person_id, female_id):
    # resettlement is for someone not under correction (docs/domain.md §7.2)
    released_id = county.person("off1", "110101198501010017", name="王五", station="S1")
    with app.app_context():
        a = open_case(
            person_id,
            received_on="2026-10-05",
            judgment_effective_on="2026-10-01",
            term_start="2026-10-01",
            term_end="2027-10-01",
        )
        b = open_case(
            female_id,
            received_on="2026-10-06",
            judgment_effective_on="2026-10-01",
            term_start="2026-10-01",
            term_end="2027-10-01",
        )
        for day in ("2026-10-10", "2026-10-12", "2026-10-14"):
            sv.record_contact(user("off1"), a, {"kind": "field_visit", "occurred_on": day})
        sv.record_sanction(
            user("boss"),
            b,
            {"kind": "admonition", "decided_on": "2026-10-15", "reason": "未按时报告"},
        )
        activity = acts.record_activity(
            user("off1"),
            {
                "station": "S1",
                "kind": "education",
                "held_on": "2026-10-20",
                "hours": 2,
                "topic": "法治教育",
                "attendees": [a.id, b.id],
            },
        )
        rcase = rs.create_case(
            user("off1"),
            {
                "person_id": released_id,
                "station": "S1",
                "source": "prison",
                "released_on": "2026-01-10",
            },
        )
        rs.handover(user("off1"), rcase, {"handed_over_on": "2026-01-10", "method": "escorted"})
        for kind, day in (("relief", "2026-10-05"), ("employment", "2026-10-25")):
            rs.add_assistance(user("off1"), rcase, {"kind": kind, "given_on": day})
        db.session.commit()
        return {"a": a.id, "b": b.id, "activity": activity.id, "rcase": rcase.id}


def _get(client, query):
    response = client.get("/reports/records?" + query)
    return response, response.get_data(as_text=True)


def test_contacts_list_with_case_links(app, client, county, records_world):
    client = county.login(app.test_client(), "boss")
    response, html = _get(client, f"key=cc.contacts_in_person&{OCT}")
    assert response.status_code == 200
    assert "见面核查" in html and "2026年10月1日至2026年10月31日" in html and "共 3 人次" in html
    assert html.count(f'href="/corrections/{records_world["a"]}"') == 3
    assert "实地查访" in html and "2026-10-14" in html
    # newest first
    assert html.index("2026-10-14") < html.index("2026-10-10")


def test_sessions_attendances_sanctions_and_people(app, client, county, records_world):
    client = county.login(app.test_client(), "boss")
    _, html = _get(client, f"key=cc.education_sessions&{OCT}")
    assert "法治教育" in html and f"/activities/{records_world['activity']}" in html
    assert "2人参加" in html and "共 1 场次" in html
    _, html = _get(client, f"key=cc.education_attendances&{OCT}")
    assert "共 2 人次" in html and "张三" in html and "李梅" in html
    _, html = _get(client, f"key=cc.admonitions&{OCT}")
    assert "李梅" in html and "训诫" in html and "矫训〔2026〕1号" in html
    _, html = _get(client, f"key=rs.assisted&{OCT}")
    assert "共 1 人" in html and "2条记录" in html
    assert "临时救助 2026-10-05；推荐就业 2026-10-25" in html
    _, html = _get(client, f"key=rs.employment&{OCT}")
    assert "共 1 人" in html and "推荐就业 2026-10-25" in html and "临时救助" not in html
    assert f"/resettlement/{records_world['rcase']}" in html
    _, html = _get(client, "key=cc.on_register&from=2026-10-01&to=2026-10-31&station=S1")
    assert "截至 2026-10-31 当日结束" in html and "共 2 人" in html and "城关司法所" in html


def test_overdue_rows_come_from_the_engine(app, client, county, records_world):
    client = county.login(app.test_client(), "boss")
    _, summary = _get(client, "")  # not a drill-down: unknown key
    assert summary is not None
    _, html = _get(client, "key=cc.overdue&from=2026-11-25&to=2026-11-25")
    assert "逾期未按要求联系" in html and "共 2 人" in html


def test_scope_bad_input_and_paging(app, client, county, records_world):
    client = county.login(app.test_client(), "off2")
    _, html = _get(client, f"key=cc.contacts&{OCT}")
    assert "共 0 次" in html  # S2's officer: none of S1's records
    assert client.get(f"/reports/records?key=cc.contacts&{OCT}&station=S1").status_code == 404
    assert client.get(f"/reports/records?key=cc.contacts&{OCT}&station=T1").status_code == 404
    client = county.login(app.test_client(), "off1")
    assert client.get(f"/reports/records?key=cc.nothing&{OCT}").status_code == 404
    response, html = _get(client, "key=cc.contacts&from=2026-10-31&to=2026-10-01")
    assert response.status_code == 422 and "截止日期不能早于起始日期" in html
    response, html = _get(client, "key=cc.contacts&from=bad&to=2026-10-01")
    assert response.status_code == 422 and "日期格式应为 YYYY-MM-DD" in html
    _, first = _get(client, f"key=cc.contacts&{OCT}&per_page=2")
    _, second = _get(client, f"key=cc.contacts&{OCT}&per_page=2&page=2")
    assert "1 / 2" in first and "2026-10-14" in first and "2026-10-10" not in first
    assert "2 / 2" in second and "2026-10-10" in second


def test_viewer_reads_records(app, client, county, records_world):
    client = county.login(app.test_client(), "viewer")
    response, html = _get(client, f"key=cc.received&{OCT}")
    assert response.status_code == 200 and "共 2 人" in html
