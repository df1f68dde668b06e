"""The legacy form 社区矫正人员情况统计表 on a small hand-built county: every number by hand."""

import re
import subprocess
from datetime import date

import pytest
from sqlalchemy import select

from corrections.auth.models import Station
from corrections.extensions import db
from corrections.reports import legacy
from corrections.reports.figures import compute
from tests.helpers import id_number, open_case, user
from tests.reports.small_county import build


@pytest.fixture
def small(app, world, county):
    return build(app, world)


def _station(code):
    return db.session.execute(select(Station).where(Station.code == code)).scalar_one()


def _nonzero(values):
    return {k: v for k, v in values.items() if v}


def test_form_numbers_by_hand(app, ctx, small):
    form = legacy.legacy_form(user("boss"), "2026-10")
    s1, s2 = _station("S1").id, _station("S2").id
    total = form.values[None]
    assert _nonzero(total) == {
        "prev_on_register": 4,  # 张三, 王芳, 孙七 at S1; 赵六 at S2
        "added": 1,
        "received": 1,  # 李四
        "removed": 2,
        "removed.expiry": 1,  # 王芳
        "removed.death": 1,  # 赵六
        "on_register": 3,  # 张三, 李四, 孙七
        "type.probation": 1,
        "type.temporary_release": 1,
        "type.control": 1,
        "crime.property": 1,
        "crime.public_safety": 1,
        "crime.unknown": 1,  # 孙七 has no category
        "household.urban": 1,
        "household.rural": 1,
        "household.other": 1,
        "sex.male": 3,
        "ethnicity.han": 2,  # "汉族" and "汉"
        "ethnicity.minority": 1,  # 回族
        "age.18_45": 2,  # 36 and 26 on 2026-10-31
        "age.61_up": 1,  # 66
        "education.college": 1,
        "education.middle_school": 1,
        "education.unknown": 1,
        "employment.employed": 1,
        "employment.unemployed": 1,
        "employment.student": 1,
        "commendations": 1,
        "absconded_open": 1,
        "reoffended": 1,
        "cum.received": 6,  # every received case, 周八 (2024) included; 郑十 not received
        "cum.released": 2,  # 王芳, 周八
        "cum.reoffended": 1,
    }
    assert _nonzero(form.values[s1]) == {
        "prev_on_register": 3,
        "added": 1,
        "received": 1,
        "removed": 1,
        "removed.expiry": 1,
        "moved_net": -1,  # 孙七 left for S2
        "on_register": 2,
        "type.probation": 1,
        "type.temporary_release": 1,
        "crime.property": 1,
        "crime.public_safety": 1,
        "household.urban": 1,
        "household.rural": 1,
        "sex.male": 2,
        "ethnicity.han": 1,
        "ethnicity.minority": 1,
        "age.18_45": 1,
        "age.61_up": 1,
        "education.college": 1,
        "education.middle_school": 1,
        "employment.employed": 1,
        "employment.unemployed": 1,
        "commendations": 1,
        "absconded_open": 1,
        "reoffended": 1,
        "cum.received": 5,
        "cum.released": 2,
        "cum.reoffended": 1,
    }
    assert _nonzero(form.values[s2]) == {
        "prev_on_register": 1,
        "removed": 1,
        "removed.death": 1,
        "moved_net": 1,
        "on_register": 1,
        "type.control": 1,
        "crime.unknown": 1,
        "household.other": 1,
        "sex.male": 1,
        "ethnicity.han": 1,
        "age.18_45": 1,
        "education.unknown": 1,
        "employment.student": 1,
        "cum.received": 1,
    }


def test_every_row_balances_and_every_group_adds_up(app, ctx, small):
    form = legacy.legacy_form(user("boss"), "2026-10")
    groups = dict(legacy.GROUPS)
    for _name, v in form.rows():
        assert (
            v["prev_on_register"] + v["added"] - v["removed"] + v["moved_net"] == v["on_register"]
        )
        assert v["added"] == v["received"] + v["transferred_in"]
        reasons = ("removed.expiry", "removed.custody", "removed.death", "removed.other")
        assert sum(v[k] for k in reasons) == v["removed"]
        for group in (
            "矫正类别",
            "罪名类别",
            "户籍",
            "性别",
            "民族",
            "年龄",
            "文化程度",
            "就业就学",
        ):
            assert sum(v[k] for k, _t in groups[group]) == v["on_register"], group


def test_section5_numbers_are_the_figures(app, ctx, small):
    """The form quotes the registry, it does not recount."""
    form = legacy.legacy_form(user("boss"), "2026-10")
    ids = [s.id for s in form.stations]
    figures = compute(date(2026, 10, 1), date(2026, 10, 31), ids).totals
    total = form.values[None]
    assert total["on_register"] == figures["cc.on_register"]
    assert (
        total["removed"]
        == figures["cc.released"] + figures["cc.terminated"] + figures["cc.transferred_out"]
    )
    assert total["commendations"] == figures["cc.commendations"]
    assert total["absconded_open"] == figures["cc.absconded_open"]
    previous = compute(date(2026, 9, 1), date(2026, 9, 30), ids).totals
    assert total["prev_on_register"] == previous["cc.on_register"]


def test_officer_sees_their_station_only(app, ctx, small):
    form = legacy.legacy_form(user("off2"), "2026-10")
    assert [s.code for s in form.stations] == ["S2"]
    assert [name for name, _v in form.rows()] == ["东山司法所"]  # one station: no 合计 row
    assert form.values[None]["on_register"] == 1
    assert form.values[None]["cum.received"] == 1


def test_age_bands_turn_on_the_months_last_day(app, ctx, world, county):
    """18 on 2026-10-31 is 18–45; 18 on 2026-11-01 is still under 18; 46 and 61 likewise."""
    births = {"a": "20081031", "b": "20081101", "c": "19801031", "d": "19801101", "e": "19651031"}
    for serial, (name, birth) in enumerate(births.items(), start=31):
        pid = world.person("boss", id_number(serial * 2 + 1, birth), name=name, station="S1")
        open_case(
            pid,
            actor="boss",
            received_on="2026-10-02",
            judgment_effective_on="2026-10-01",
            term_start="2026-10-01",
            term_end="2027-09-30",
        )
    values = legacy.legacy_form(user("boss"), "2026-10").values[None]
    assert values["age.under_18"] == 1  # b
    assert values["age.18_45"] == 2  # a (18), d (45)
    assert values["age.46_60"] == 1  # c (46)
    assert values["age.61_up"] == 1  # e (61)
    assert legacy.years_before(date(2028, 2, 29), 18) == date(2010, 2, 28)


def test_refusals(app, ctx, county):
    from corrections.errors import NotFound, ValidationFailed

    with pytest.raises(NotFound):
        legacy.legacy_form(user("off1"), "2026-10", "S2")
    with pytest.raises(ValidationFailed):
        legacy.legacy_form(user("off1"), "2026-13")
    with pytest.raises(ValidationFailed):
        legacy.legacy_form(user("off1"), "2027-01")  # not begun yet


def test_page_and_pdf(app, client, world, small, tmp_path):
    world.login(client, "boss")
    page = client.get("/reports/legacy?month=2026-10")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "社区矫正人员情况统计表" in html and "罪名类别" in html
    assert 'data-key="on_register">3<' in html
    assert client.get("/reports/legacy?month=2026-13").status_code == 422
    assert client.get("/reports/legacy?month=2026-10&station=T1").status_code == 404
    response = client.get("/reports/legacy.pdf?month=2026-10")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    path = tmp_path / "legacy.pdf"
    path.write_bytes(response.data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "社区矫正人员情况统计表" in text and "本县司法局" in text
    assert re.search(r"第\s*1\s*页\s*共\s*2\s*页", text)
    # the 合计 row of the first block: 上月在册 4, 增加 1 1 0, 减少 2 1 0 1 0, 调整 0, 在册 3
    assert any(
        line.split() == ["合计", "4", "1", "1", "0", "2", "1", "0", "1", "0", "0", "3"]
        for line in text.splitlines()
    )
