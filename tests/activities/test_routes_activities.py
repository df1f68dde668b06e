"""Activity pages: the list and its filters, one form for a whole group, void, scope."""

from __future__ import annotations

import pytest

from corrections.activities import services as acts
from corrections.activities.models import Activity, Attendance
from corrections.extensions import db
from tests.helpers import user
from tests.supervision.webhelpers import count, get, make_case, text

OTHER_ID = "330106199001011248"


@pytest.fixture
def cases(app, world, county, person_id, female_id):
    """张三 and 李梅 active at S1 from 2026-01-10; 王五 at S1 only from 2026-11-20."""
    wang = world.person("off1", OTHER_ID, name="王五", station="S1")
    return {
        "zhang": make_case(app, person_id),
        "li": make_case(app, female_id),
        "wang": make_case(
            app,
            wang,
            received_on="2026-11-20",
            judgment_effective_on="2026-11-10",
            term_start="2026-11-10",
            term_end="2027-11-09",
        ),
    }


def session_form(**overrides) -> dict:
    data = {
        "station": "S1",
        "kind": "education",
        "held_on": "2026-10-10",
        "hours": "4",
        "topic": "法治教育",
        "place": "司法所会议室",
    }
    data.update(overrides)
    return data


def record(app, attendees, actor="off1", **overrides) -> int:
    data = session_form(**overrides)
    data["attendees"] = attendees
    with app.app_context():
        activity = acts.record_activity(user(actor), data)
        db.session.commit()
        return activity.id


# --------------------------------------------------------------------------- the form


def test_form_lists_the_station_people_active_on_the_day(client, world, cases):
    world.login(client, "off1")
    page = text(client.get("/activities/new"))
    assert '<option selected value="S1">' in page  # the officer's only station
    page = text(client.get("/activities/new?station=S1&held_on=2026-10-10&topic=普法"))
    assert "张三" in page and "李梅" in page and "王五" not in page  # 王五 came later
    assert 'value="普法"' in page  # the other fields survive the reload
    page = text(client.get("/activities/new?station=S1&held_on=2026-11-24"))
    assert "王五" in page


def test_form_asks_for_station_first(client, world, cases):
    world.login(client, "both")
    page = text(client.get("/activities/new"))
    assert 'id="pick-first"' in page and "张三" not in page


def test_form_lists_only_stations_in_scope(client, world, cases):
    world.login(client, "off2")
    page = text(client.get("/activities/new?station=S1&held_on=2026-10-10"))
    assert "张三" not in page and 'value="S1"' not in page


def test_record_a_group_session(app, client, world, cases):
    world.login(client, "off1")
    data = session_form(attendees=[str(cases["zhang"]), str(cases["li"])])
    r = client.post("/activities/new", data=data)
    assert r.status_code == 302, text(r)[:2000]
    with app.app_context():
        activity = db.session.query(Activity).one()
        assert activity.kind == "education" and str(activity.hours) == "4.0"
        assert {a.case_id for a in activity.attendances} == {cases["zhang"], cases["li"]}
        activity_id = activity.id
    page = text(client.get(r.headers["Location"]))
    assert "已登记活动，2人次" in page and "张三" in page and "李梅" in page
    page = text(client.get("/activities/"))
    assert "法治教育" in page and "1场次，2人次" in page
    assert f"/activities/{activity_id}" in page


@pytest.mark.parametrize("hours", ["0", "", "25", "1.25", "两小时"])
def test_bad_hours_are_refused(app, client, world, cases, hours):
    world.login(client, "off1")
    r = client.post(
        "/activities/new", data=session_form(hours=hours, attendees=[str(cases["zhang"])])
    )
    assert r.status_code == 422
    assert "时长应为0.1到24之间的小时数" in text(r)
    assert count(app, Activity) == 0 and count(app, Attendance) == 0


def test_inactive_attendee_is_refused(app, client, world, cases):
    world.login(client, "off1")
    r = client.post(
        "/activities/new",
        data=session_form(attendees=[str(cases["zhang"]), str(cases["wang"])]),
    )
    assert r.status_code == 422
    page = text(r)
    assert "这些人员在2026-10-10不在矫：王五" in page
    assert "张三" in page  # the list is still there, ready to fix
    assert count(app, Activity) == 0 and count(app, Attendance) == 0


def test_no_attendee_and_no_kind_are_explained(app, client, world, cases):
    world.login(client, "off1")
    r = client.post("/activities/new", data=session_form(kind=""))
    assert r.status_code == 422
    page = text(r)
    assert "请至少选择一名参加人员" in page and "请选择" in page
    assert count(app, Activity) == 0


def test_out_of_scope_attendee_is_refused(app, client, world, cases):
    world.login(client, "off2")
    r = client.post(
        "/activities/new", data=session_form(station="S2", attendees=[str(cases["zhang"])])
    )
    assert r.status_code == 422 and "不在您的范围内" in text(r)
    assert count(app, Activity) == 0


def test_viewer_may_read_but_not_record(app, client, world, cases):
    record(app, [cases["zhang"]])
    world.login(client, "viewer")
    assert client.get("/activities/").status_code == 200
    assert client.get("/activities/new").status_code == 403
    r = client.post("/activities/new", data=session_form(attendees=[str(cases["li"])]))
    assert r.status_code == 403 and "只读账号" in text(r)
    assert count(app, Activity) == 1
    page = text(client.get("/activities/"))
    assert 'id="new-activity"' not in page


# --------------------------------------------------------------------------- the list and the page


def test_list_filters(app, client, world, cases):
    record(app, [cases["zhang"]], topic="十月法治教育")
    record(app, [cases["zhang"], cases["li"]], kind="public_service", topic="敬老院服务")
    record(app, [cases["zhang"]], held_on="2026-11-02", topic="十一月讲座")
    world.login(client, "boss")
    page = text(client.get("/activities/?kind=public_service"))
    assert "敬老院服务" in page and "十月法治教育" not in page
    page = text(client.get("/activities/?month=2026-11&station=S1"))
    assert "十一月讲座" in page and "十月法治教育" not in page
    page = text(client.get("/activities/?station=S2"))
    assert "没有符合条件的活动" in page
    page = text(client.get("/activities/?month=十月"))
    assert "月份格式应为 YYYY-MM" in page and "十月法治教育" in page


@pytest.mark.parametrize(
    "who,status", [("off1", 200), ("boss", 200), ("viewer", 200), ("off2", 404), ("far", 404)]
)
def test_session_page_scope(app, client, world, cases, who, status):
    activity_id = record(app, [cases["zhang"]])
    world.login(client, who)
    assert client.get(f"/activities/{activity_id}").status_code == status
    page = text(client.get("/activities/"))
    assert ("法治教育" in page) == (status == 200)


def test_void_needs_a_reason_then_stops_counting(app, client, world, cases):
    activity_id = record(app, [cases["zhang"]])
    world.login(client, "off1")
    r = client.post(f"/activities/{activity_id}/void", data={"void-reason": ""})
    assert r.status_code == 422 and "必填" in text(r)
    assert get(app, Activity, activity_id).voided_at is None
    r = client.post(f"/activities/{activity_id}/void", data={"void-reason": "重复登记"})
    assert r.status_code == 302
    page = text(client.get(f"/activities/{activity_id}"))
    assert "已作废：重复登记" in page and 'id="void-form"' not in page
    page = text(client.get("/activities/"))
    assert "已作废" in page and "0场次，0人次" in page
    r = client.post(f"/activities/{activity_id}/void", data={"void-reason": "again"})
    assert r.status_code == 422 and "该记录已作废" in text(r)


def test_viewer_and_other_station_cannot_void(app, client, world, cases):
    activity_id = record(app, [cases["zhang"]])
    world.login(client, "viewer")
    assert (
        client.post(f"/activities/{activity_id}/void", data={"void-reason": "x"}).status_code == 403
    )
    client.post("/logout")
    world.login(client, "off2")
    assert (
        client.post(f"/activities/{activity_id}/void", data={"void-reason": "x"}).status_code == 404
    )
    assert get(app, Activity, activity_id).voided_at is None


# --------------------------------------------------------------------------- below target


def test_below_target_month(app, client, world, cases):
    record(app, [cases["zhang"], cases["li"]], held_on="2026-10-10", hours="8")
    record(app, [cases["zhang"]], held_on="2026-10-12", hours="8", kind="public_service")
    world.login(client, "off1")
    page = text(client.get("/activities/below-target?month=2026-10&station=S1"))
    assert "2026年10月" in page
    assert "李梅" in page and "张三" not in page  # 张三 met both strict targets
    assert "王五" not in page  # not yet received in October
    row = page.split("李梅")[1].split("</tr>")[0]
    assert "8.0 / 8" in row and "0 / 8" in row


def test_below_target_defaults_to_this_month_and_own_station(app, client, world, cases):
    world.login(client, "off1")
    page = text(client.get("/activities/below-target"))
    assert "2026年11月" in page and "本月" in page
    assert "张三" in page and "李梅" in page and "王五" in page
    assert 'id="next-month"' not in page


def test_below_target_asks_a_supervisor_for_a_station(client, world, cases):
    world.login(client, "boss")
    page = text(client.get("/activities/below-target"))
    assert 'id="pick-station"' in page and "张三" not in page


def test_below_target_refuses_a_station_out_of_scope(client, world, cases):
    world.login(client, "off2")
    page = text(client.get("/activities/below-target?station=S1"))
    assert "不在您的范围内" in page and "张三" not in page


def test_voided_session_does_not_count(app, client, world, cases):
    activity_id = record(app, [cases["li"]], held_on="2026-10-10", hours="8")
    world.login(client, "off1")
    client.post(f"/activities/{activity_id}/void", data={"void-reason": "误登"})
    page = text(client.get("/activities/below-target?month=2026-10&station=S1"))
    row = page.split("李梅")[1].split("</tr>")[0]
    assert "8.0 / 8" not in row
