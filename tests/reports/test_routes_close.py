"""Closing a month from the summary page, then changing an old record."""

import re

import pytest
from sqlalchemy import select

from corrections.auth.models import Unit
from corrections.extensions import db
from corrections.reports.models import ClosedMonth
from corrections.supervision import services as sv
from corrections.supervision.models import CorrectionCase
from tests.helpers import open_case, user

OCTOBER = "/reports/?period=month&month=2026-10"


@pytest.fixture
def october(app, county, person_id):
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


def _unit_id(app, name=None) -> int:
    with app.app_context():
        query = (
            select(Unit.id).where(Unit.name == name)
            if name
            else select(Unit.id).where(Unit.is_default.is_(True))
        )
        return db.session.execute(query).scalar_one()


def _total(html: str, key: str) -> int:
    row = html.split(f'data-key="{key}"', 1)[1].split("</tr>", 1)[0]
    return int(re.search(r'total-col"><a[^>]*>(\d+)</a>', row).group(1))


def _closed(app) -> int:
    with app.app_context():
        return len(db.session.execute(select(ClosedMonth)).scalars().all())


def test_only_supervisors_see_and_use_the_close_button(app, client, county, october):
    unit = _unit_id(app)
    for who in ("off1", "viewer"):
        client = county.login(app.test_client(), who)
        html = client.get(OCTOBER).get_data(as_text=True)
        assert 'id="close-month"' not in html
        response = client.post("/reports/close", data={"month": "2026-10", "unit": unit})
        assert response.status_code == 403
    client = county.login(app.test_client(), "boss")
    html = client.get(OCTOBER).get_data(as_text=True)
    assert 'id="close-month"' in html and "data-confirm=" in html and "确定关闭" in html
    # a month not over yet offers no button, and the service refuses it anyway
    assert 'id="close-month"' not in client.get("/reports/?month=2026-11").get_data(as_text=True)
    response = client.post("/reports/close", data={"month": "2026-11"}, follow_redirects=True)
    assert "只能关闭已经结束的月份" in response.get_data(as_text=True)
    # a quarter is not a month
    assert 'id="close-month"' not in client.get(
        "/reports/?period=quarter&quarter=2026-Q3"
    ).get_data(as_text=True)
    # another unit's supervisor cannot close this unit
    client = county.login(app.test_client(), "farboss")
    response = client.post(
        "/reports/close", data={"month": "2026-10", "unit": unit}, follow_redirects=True
    )
    assert "只有本单位的县局主管可以关账" in response.get_data(as_text=True)
    assert _closed(app) == 0


def test_close_freeze_and_later_changes(app, client, county, october):
    client = county.login(app.test_client(), "boss")
    response = client.post("/reports/close", data={"month": "2026-10"})
    assert response.status_code == 302 and "month=2026-10" in response.headers["Location"]
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "已关账（冻结数据）" in html and 'id="close-month"' not in html
    assert "2026-10 已关账" in html  # the flash
    assert _total(html, "cc.contacts") == 1 and 'id="no-changes"' in html
    assert 'id="no-diffs"' in html
    # closing twice is refused with a message
    again = client.post("/reports/close", data={"month": "2026-10"}, follow_redirects=True)
    assert "已关账" in again.get_data(as_text=True) and _closed(app) == 1
    # a late entry dated in the closed month
    with app.app_context():
        case = db.session.get(CorrectionCase, october)
        sv.record_contact(
            user("off1"), case, {"kind": "report_in_person", "occurred_on": "2026-10-20"}
        )
        db.session.commit()
    html = client.get(OCTOBER).get_data(as_text=True)
    assert _total(html, "cc.contacts") == 1  # the stored figure, never rewritten
    chart_october = html.split('data-month="2026-10"', 1)[1].split("</g>", 1)[0]
    assert "联系记录1次" in chart_october  # the chart shows the stored month too
    changes = html.split('id="changes-table"', 1)[1].split("</table>", 1)[0]
    assert "off1" in changes and "记录联系" in changes and "2026-10-20" in changes
    diff = html.split('id="diff-table"', 1)[1].split("</table>", 1)[0]
    row = diff.split('data-key="cc.contacts"', 1)[1].split("</tr>", 1)[0]
    assert re.findall(r">(\d+)</td>", row) == ["1", "2"] and "+1" in row
    assert 'data-key="cc.contacts_in_person"' in diff
    # the drill-down lists the records as they are now
    listing = client.get("/reports/records?key=cc.contacts&from=2026-10-01&to=2026-10-31")
    assert "共 2 次" in listing.get_data(as_text=True)
    # an officer sees the frozen figures but not the audit of changes
    client = county.login(app.test_client(), "off1")
    html = client.get(OCTOBER).get_data(as_text=True)
    assert "已关账（冻结数据）" in html and _total(html, "cc.contacts") == 1
    assert 'id="later-changes"' not in html
    # a period that is not exactly the month is computed live
    live = client.get("/reports/?from=2026-10-01&to=2026-10-30").get_data(as_text=True)
    assert "已关账" not in live and _total(live, "cc.contacts") == 2


def test_admin_closes_a_chosen_unit(app, client, county, october):
    client = county.login(app.test_client(), "admin")
    html = client.get(OCTOBER).get_data(as_text=True)
    default, far = _unit_id(app), _unit_id(app, "邻县司法局")
    assert f'id="close-{default}"' in html and f'id="close-{far}"' in html
    response = client.post(
        "/reports/close", data={"month": "2026-10", "unit": far}, follow_redirects=True
    )
    html = response.get_data(as_text=True)
    assert "邻县司法局 2026-10 已关账" in html
    assert f'id="close-{far}"' not in html and f'id="close-{default}"' in html
    assert "已关账的单位：邻县司法局" in html
    frozen = client.get(OCTOBER + "&station=T1").get_data(as_text=True)
    assert "已关账（冻结数据）" in frozen
    assert client.post("/reports/close", data={"month": "2026-10", "unit": 9999}).status_code == 404
