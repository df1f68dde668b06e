"""The 安置帮教 list: scope, filters, badges, pages."""

from __future__ import annotations

import pytest

from tests.helpers import id_number
from tests.resettlement.rshelpers import make_rs_case
from tests.supervision.webhelpers import text


@pytest.fixture
def cases(app, world, county):
    """One case per alert, each for its own person at S1, and one at S2."""

    def person(serial, name, station="S1", actor="off1"):
        return world.person(actor, id_number(serial), name=name, station=station)

    ids = {}
    # key, escorted on release day, never visited: due 2026-10-01, 55 days overdue
    ids["overdue"] = make_rs_case(
        app,
        person(1, "赵逾期"),
        released_on="2026-09-01",
        is_key=True,
        key_reason="涉黑涉恶",
        steps=[("handover", {"handed_over_on": "2026-09-01", "method": "escorted"})],
    )
    ids["handover"] = make_rs_case(app, person(3, "钱未接"), released_on="2026-11-10")
    ids["ending"] = make_rs_case(
        app,
        person(5, "孙将满"),
        released_on="2021-12-25",
        steps=[
            ("handover", {"handed_over_on": "2021-12-25", "method": "family"}),
            ("record_contact", {"kind": "field_visit", "occurred_on": "2026-11-20"}),
        ],
    )
    ids["escort"] = make_rs_case(
        app,
        person(7, "李未送"),
        released_on="2026-11-20",
        is_key=True,
        key_reason="累犯",
        steps=[("handover", {"handed_over_on": "2026-11-21", "method": "family"})],
    )
    ids["notice"] = make_rs_case(
        app,
        person(9, "周待释"),
        released_on=None,
        expected_release_on="2026-12-20",
        notice_received_on="2026-11-20",
    )
    ids["other"] = make_rs_case(
        app, person(11, "吴东山", station="S2", actor="off2"), actor="off2", station="S2"
    )
    return ids


@pytest.mark.parametrize("who", ["off1", "both", "boss", "viewer", "admin"])
def test_list_renders_for_roles(client, world, cases, who):
    world.login(client, who)
    r = client.get("/resettlement/")
    assert r.status_code == 200
    page = text(r)
    assert "安置帮教对象" in page and "赵逾期" in page
    assert ("吴东山" in page) == (who != "off1")
    assert ('id="new-rs-case"' in page) == (who != "viewer")


def test_list_out_of_unit_sees_nothing(client, world, cases):
    world.login(client, "far")
    page = text(client.get("/resettlement/"))
    assert "赵逾期" not in page and "没有符合条件的案件" in page


def test_list_needs_login(client, county):
    r = client.get("/resettlement/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_badges(client, world, cases):
    world.login(client, "off1")
    page = text(client.get("/resettlement/"))
    for badge in ("重点", "逾期未走访55天", "释放超7天未衔接", "帮教期即将届满", "必接必送未落实"):
        assert badge in page, badge
    assert "待释放" in page and "帮教中" in page and "已释放待衔接" in page


@pytest.mark.parametrize(
    "query, shown",
    [
        ("key=1", {"赵逾期", "李未送"}),
        ("overdue=1", {"赵逾期"}),
        ("handover=1", {"钱未接", "吴东山"}),
        ("ending=1", {"孙将满"}),
        ("status=expected", {"周待释"}),
        ("status=released", {"钱未接", "吴东山"}),
        ("station=S2", {"吴东山"}),
        ("q=孙", {"孙将满"}),
        (f"q={id_number(3)[-6:]}", {"钱未接"}),
    ],
)
def test_filters(client, world, cases, query, shown):
    world.login(client, "both")
    page = text(client.get(f"/resettlement/?{query}"))
    names = {"赵逾期", "钱未接", "孙将满", "李未送", "周待释", "吴东山"}
    assert {n for n in names if n in page} == shown


def test_ended_cases_leave_the_default_list(app, client, world, cases):
    from corrections.extensions import db
    from corrections.resettlement import services as rs
    from corrections.resettlement.models import ResettlementCase
    from tests.helpers import user

    with app.app_context():
        case = db.session.get(ResettlementCase, cases["handover"])
        rs.end_case(user("off1"), case, {"ended_on": "2026-11-20", "reason": "reoffended"})
        db.session.commit()
    world.login(client, "off1")
    assert "钱未接" not in text(client.get("/resettlement/"))
    page = text(client.get("/resettlement/?status=ended"))
    assert "钱未接" in page and "已结束" in page


def test_pagination(client, world, cases):
    world.login(client, "off1")
    page = text(client.get("/resettlement/?per_page=2"))
    assert "1 / 3" in page and "共 5 条" in page
    page = text(client.get("/resettlement/?per_page=2&page=3"))
    assert "3 / 3" in page
