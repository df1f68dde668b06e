"""信息化核查 import: matching, the three lists, GBK and UTF-8, xlsx, bad files, dry runs
write nothing, alerts for the selected rows (docs/domain.md §7.11). Today is 2026-11-25."""

import io
from datetime import date

import pytest
from sqlalchemy import func, select

from corrections.alerts import areas
from corrections.alerts import location_import as li
from corrections.alerts import sample_export as se
from corrections.alerts.models import Alert, LocationImportMapping
from corrections.auth.models import Station
from corrections.errors import ValidationFailed
from corrections.extensions import db
from corrections.people.idnumber import make_fictional
from tests.helpers import open_case, user

HOME = (30.0, 120.0)
START = date(2026, 11, 16)


def _people(world):
    """Six people of S1 with active cases, one of T1 (another unit)."""
    out = {}
    for n, key in enumerate(("ok", "missing", "flag", "coords", "still", "night")):
        number = make_fictional("330726", date(1980, 1, 1 + n), 101 + 2 * n)
        pid = world.person("off1", number, name=f"对象{key}", station="S1")
        out[key] = (pid, number)
    far_number = make_fictional("330726", date(1981, 2, 1), 301)
    far_pid = world.person("far", far_number, name="外县人", station="T1")
    out["far"] = (far_pid, far_number)
    return out


@pytest.fixture
def planted(ctx, county, world):
    people = _people(world)
    cases = {}
    for key, (pid, _n) in people.items():
        station = "T1" if key == "far" else "S1"
        actor = "far" if key == "far" else "off1"
        cases[key] = open_case(pid, actor=actor, station=station).id
    station = db.session.execute(select(Station).where(Station.code == "S1")).scalar_one()
    areas.set_area(station.unit, circle=(HOME[0], HOME[1], 20000))
    db.session.commit()
    d = lambda n: date(2026, 11, n)  # noqa: E731
    plan = [
        se.Person(people["ok"][1], "对象ok", HOME),
        se.Person(
            people["missing"][1], "对象missing", HOME, missing_days={d(17)}, absent_days={d(19)}
        ),
        se.Person(people["flag"][1], "对象flag", HOME, outside_flag_days={d(18)}),
        se.Person(people["coords"][1], "对象coords", HOME, outside_at={d(18): (31.0, 121.0)}),
        se.Person(people["still"][1], "对象still", HOME, off_body_days={d(17), d(18), d(19)}),
        se.Person(people["night"][1], "对象night", HOME, night_far={d(20): (30.1, 120.0)}),
        se.Person(people["far"][1], "外县人", HOME),
        se.Person(make_fictional("110105", date(1970, 5, 5), 777), "不认识", HOME),
    ]
    data = list(se.rows(plan, START, 5))
    data.append(list(data[0]))  # one duplicate row
    return {"cases": cases, "data": data, "people": people}


def _alerts():
    return db.session.execute(select(func.count()).select_from(Alert)).scalar_one()


def _by(result, kind):
    return {(i["case_id"], i["day"]) for i in result.by_kind(kind)}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_dry_run_triages_each_situation(planted, encoding):
    raw = se.to_csv(planted["data"], encoding)
    result = li.run_location_import(user("off1"), "核查.csv", io.BytesIO(raw), dry_run=True)
    c = planted["cases"]
    assert result.duplicates == 1
    assert result.rows == len(planted["data"])
    assert {u["id_number"] for u in result.unmatched} == {
        planted["people"]["far"][1],
        make_fictional("110105", date(1970, 5, 5), 777),
    }
    # same words for another unit's person and an unknown one: nothing is revealed
    assert len({u["reason"] for u in result.unmatched}) == 1
    assert _by(result, "location_missing") == {
        (c["missing"], "2026-11-17"),
        (c["missing"], "2026-11-19"),
    }
    assert _by(result, "outside_area") == {(c["flag"], "2026-11-18"), (c["coords"], "2026-11-18")}
    assert _by(result, "location_anomaly") == {
        (c["still"], "2026-11-19"),
        (c["night"], "2026-11-20"),
    }
    assert result.lists == {"location_missing": 2, "outside_area": 2, "location_anomaly": 2}
    assert result.encoding in ("utf-8", "utf-8-sig", "gb18030")
    db.session.rollback()
    assert _alerts() == 0
    assert (
        db.session.execute(select(func.count()).select_from(LocationImportMapping)).scalar_one()
        == 0
    )


def test_xlsx_is_read_too(planted):
    raw = se.to_xlsx(planted["data"])
    result = li.run_location_import(user("off1"), "核查.xlsx", io.BytesIO(raw), dry_run=True)
    assert result.lists == {"location_missing": 2, "outside_area": 2, "location_anomaly": 2}


def test_real_run_raises_selected_rows_once(planted):
    raw = se.to_csv(planted["data"])
    dry = li.run_location_import(user("off1"), "a.csv", io.BytesIO(raw), dry_run=True)
    db.session.rollback()
    chosen = {i["key"] for i in dry.items if i["kind"] != "location_missing"}
    result = li.run_location_import(
        user("off1"), "a.csv", io.BytesIO(raw), dry_run=False, selected=chosen
    )
    db.session.commit()
    assert result.alerts_created == 4
    kinds = dict(db.session.execute(select(Alert.kind, func.count()).group_by(Alert.kind)).all())
    assert kinds == {"outside_area": 2, "location_anomaly": 2}
    alert = db.session.execute(select(Alert).where(Alert.kind == "outside_area")).scalars().first()
    assert alert.cause == "import:2026-11-18" and "信息化核查" in alert.message
    # the same file again raises nothing new; the mapping is remembered for the unit
    again = li.run_location_import(user("off1"), "a.csv", io.BytesIO(raw), dry_run=False)
    db.session.commit()
    assert again.alerts_created == 1  # only the missing-location person, not selected before
    remembered = li.remembered_mapping(user("off1").unit_id)
    assert remembered["身份证号"] == "id_number" and remembered["核查时间"] == "time"


def test_remembered_mapping_reads_unusual_headers(planted):
    unit_id = user("off1").unit_id
    db.session.add(
        LocationImportMapping(
            unit_id=unit_id,
            mapping={"证件": "id_number", "打卡时刻": "time", "打卡情况": "status"},
        )
    )
    db.session.commit()
    header = "证件,打卡时刻,打卡情况\n"
    number = planted["people"]["ok"][1]
    body = "".join(f"{number},2026-11-2{n} 09:00,成功\n" for n in range(3))
    result = li.run_location_import(
        user("off1"), "x.csv", io.BytesIO((header + body).encode()), dry_run=True
    )
    assert result.matched == 3 and result.lists["location_missing"] == 0


def test_unknown_columns_are_refused_with_the_headers_named(planted):
    raw = "甲,乙,丙\n1,2,3\n".encode()
    with pytest.raises(ValidationFailed) as e:
        li.run_location_import(user("off1"), "x.csv", io.BytesIO(raw), dry_run=True)
    assert e.value.code == "import_refused" and "身份证号" in e.value.message


def test_missing_required_column_names_it(planted):
    raw = "姓名,身份证号,经度\n张三,1,2\n".encode()
    with pytest.raises(ValidationFailed) as e:
        li.run_location_import(user("off1"), "x.csv", io.BytesIO(raw), dry_run=True)
    assert "核查时间" in e.value.message


def test_wrong_type_and_undecodable_files(planted):
    with pytest.raises(ValidationFailed) as e:
        li.run_location_import(user("off1"), "x.xls", io.BytesIO(b"\xd0\xcf"), dry_run=True)
    assert ".xlsx" in e.value.message
    with pytest.raises(ValidationFailed):
        li.run_location_import(user("off1"), "x.xlsx", io.BytesIO(b"not a zip"), dry_run=True)
    assert _alerts() == 0


def test_gbk_after_an_ascii_start_is_re_read(planted):
    number = planted["people"]["ok"][1]
    lines = ["身份证号,核查时间,核查结果"] + [
        f"{number},2026-11-20 09:{m:02d},成功" for m in range(60)
    ]
    lines += [f"{number},2026-11-21 09:00,定位成功"]
    text = "\n".join(lines) + "\n"
    head = "ID,time\n" * 0
    raw = (head + text).encode("gbk")
    result = li.run_location_import(user("off1"), "x.csv", io.BytesIO(raw), dry_run=True)
    assert result.matched == 61


def test_status_words_and_flags():
    assert li.parse_status("定位成功") is True and li.parse_status("关机") is False
    assert li.parse_status("定位失败") is False and li.parse_status("???") is None
    assert li.parse_flag("是") is True and li.parse_flag("否") is False
    assert li.parse_time("2026/11/20 8:05").hour == 8
    assert li.parse_time("2026年11月20日 8时05分").minute == 5
    assert li.parse_time("not a time") is None


def test_night_window_wraps_midnight():
    assert li._is_night(23, 22, 6) and li._is_night(2, 22, 6)
    assert not li._is_night(6, 22, 6) and not li._is_night(21, 22, 6)


def test_viewer_cannot_raise(planted):
    from corrections.errors import Forbidden

    raw = se.to_csv(planted["data"])
    with pytest.raises(Forbidden):
        li.run_location_import(user("viewer"), "a.csv", io.BytesIO(raw), dry_run=False)
    db.session.rollback()
    assert _alerts() == 0


def test_api_import_dry_run_then_real(planted, world, app):
    raw = se.to_csv(planted["data"], "gbk")
    api = world.api("off1")

    def post(**form):
        data = {"file": (io.BytesIO(raw), "核查.csv"), **form}
        return api.client.post(
            "/api/v1/alerts/import", headers=api.headers, data=data,
            content_type="multipart/form-data",
        )  # fmt: skip

    r = post(dry_run="true")
    body = r.get_json()
    assert r.status_code == 200, body
    assert body["lists"] == {"location_missing": 2, "outside_area": 2, "location_anomaly": 2}
    assert body["alerts_created"] == 0 and body["matched"] > 0 and len(body["unmatched"]) == 2
    assert {"rows", "matched", "unmatched", "lists", "alerts_created"} <= set(body)
    assert _alerts() == 0
    r = post(dry_run="false")
    # six rows, five alerts: the person missing on two days has one open alert of the kind
    assert r.status_code == 200 and r.get_json()["alerts_created"] == 5
    db.session.expire_all()
    assert _alerts() == 5
    # refusals
    assert world.api("viewer").client.post(
        "/api/v1/alerts/import", headers=world.api("viewer").headers,
        data={"file": (io.BytesIO(raw), "a.csv")}, content_type="multipart/form-data",
    ).status_code == 403  # fmt: skip
    r = api.client.post(
        "/api/v1/alerts/import", headers=api.headers,
        data={"file": (io.BytesIO("甲,乙\n1,2\n".encode()), "a.csv")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "import_refused"
    r = api.client.post("/api/v1/alerts/import", headers=api.headers, data={},
                        content_type="multipart/form-data")  # fmt: skip
    assert r.status_code == 422


def test_import_pages_dry_run_and_confirm(planted, world, app):
    raw = se.to_csv(planted["data"])
    client = world.login(app.test_client(), "off1")
    page = client.get("/alerts/import")
    assert page.status_code == 200 and "信息化核查导入" in page.get_data(as_text=True)
    r = client.post(
        "/alerts/import",
        data={"file": (io.BytesIO(raw), "核查.csv"), "import_id": "a" * 32},
        content_type="multipart/form-data",
    )
    assert r.status_code == 302
    result = client.get(r.headers["Location"])
    html = result.get_data(as_text=True)
    assert result.status_code == 200 and "定位缺失" in html and "试运行" in html
    assert _alerts() == 0
    progress = client.get(f"/alerts/import/{'a' * 32}/progress").get_json()
    assert progress["state"] == "checked"
    meta_items = [line for line in html.split('name="item" value="')[1:]]
    keys = [m.split('"')[0] for m in meta_items]
    assert len(keys) == 6
    r = client.post(f"/alerts/import/{'a' * 32}/confirm", data={"item": keys[1:3]})
    assert r.status_code == 302
    db.session.expire_all()
    assert _alerts() == 2
    # another user cannot see the upload
    from flask import g

    g.pop("_login_user", None)  # the test holds one app context: forget off1's login
    other = world.login(app.test_client(), "off2")
    seen = other.get(f"/alerts/import/{'a' * 32}")
    assert seen.status_code == 404, seen.get_data(as_text=True)[:3000]
    g.pop("_login_user", None)
    # a refused file shows why and writes nothing
    r = client.post(
        "/alerts/import",
        data={"file": (io.BytesIO("甲,乙\n1,2\n".encode("gbk")), "x.csv"), "import_id": "b" * 32},
        content_type="multipart/form-data",
    )
    assert r.status_code == 422 and "表头" in r.get_data(as_text=True)
    assert _alerts() == 2
