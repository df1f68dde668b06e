"""The holiday table page: everyone reads, the admin edits; entering a year's holidays
fills in the due dates that were waiting for them."""

from __future__ import annotations

from datetime import date

import pytest

from corrections import clock
from corrections.assessments.models import Assessment
from corrections.rules.holidays import HolidayEntry, HolidayYear
from tests.assessments.test_routes_assessments import register
from tests.supervision.webhelpers import count, get, text


@pytest.mark.parametrize("who", ["admin", "boss", "off1", "viewer", "far"])
def test_everyone_reads_the_table(client, world, county, who):
    world.login(client, who)
    r = client.get("/assessments/holidays")
    assert r.status_code == 200
    page = text(r)
    assert "2004–2026年" in page  # the years chinese_calendar covers
    assert "2027年的节假日安排尚未录入" in page  # deadlines will soon run into 2027
    assert ('id="entry-form"' in page) == (who == "admin")
    assert ('id="year-form"' in page) == (who == "admin")


@pytest.mark.parametrize("who", ["boss", "off1", "viewer"])
def test_only_the_admin_edits(app, client, world, county, who):
    world.login(client, who)
    r = client.post(
        "/assessments/holidays/entries",
        data={"entry-day": "2027-01-01", "entry-kind": "holiday"},
    )
    assert r.status_code == 403 and "只有系统管理员" in text(r)
    assert client.post("/assessments/holidays/years", data={"year-year": "2027"}).status_code == 403
    assert count(app, HolidayEntry) == 0 and count(app, HolidayYear) == 0


def test_entering_a_year_fills_an_open_due_date(app, client, world, county):
    clock.set_today(date(2026, 12, 28))
    waiting = register(app, name="跨年丁", received_on="2026-12-28")  # Monday
    assert get(app, Assessment, waiting).due_on is None
    world.login(client, "admin")
    page = text(client.get("/assessments/holidays"))
    assert "跨年丁" in page and "期限待定" in page

    r = client.post(
        "/assessments/holidays/entries",
        data={"entry-day": "2027-01-01", "entry-kind": "holiday", "entry-note": "元旦"},
    )
    assert r.status_code == 302
    r = client.post(
        "/assessments/holidays/entries",
        data={"entry-day": "2027-01-09", "entry-kind": "workday", "entry-note": "调休上班"},
    )
    assert r.status_code == 302
    assert get(app, Assessment, waiting).due_on is None  # 2027 not yet declared complete

    r = client.post(
        "/assessments/holidays/years", data={"year-year": "2027"}, follow_redirects=True
    )
    assert r.status_code == 200
    page = text(r)
    assert "2027年已标记为录入完整" in page and "已有 1 项调查评估据此算出期限" in page
    # Tue 12-29, Wed 12-30, Thu 12-31, (Fri 01-01 off) Mon 01-04 … Fri 01-08, Sat 01-09 worked
    assert get(app, Assessment, waiting).due_on == date(2027, 1, 11)
    assert "跨年丁" not in page.split('id="coverage"')[1].split("已录入的日期")[0]
    assert "元旦" in page and "调休上班" in page

    page = text(client.get(f"/assessments/{waiting}"))
    assert "2027-01-11" in page and "期限待定" not in page


def test_removing_an_entry_recomputes(app, client, world, county):
    clock.set_today(date(2026, 12, 28))
    waiting = register(app, name="跨年丁", received_on="2026-12-28")
    world.login(client, "admin")
    client.post(
        "/assessments/holidays/entries", data={"entry-day": "2027-01-01", "entry-kind": "holiday"}
    )
    client.post("/assessments/holidays/years", data={"year-year": "2027"})
    assert get(app, Assessment, waiting).due_on == date(2027, 1, 12)
    entry_id = get_entry_id(app, date(2027, 1, 1))
    r = client.post(f"/assessments/holidays/entries/{entry_id}/remove")
    assert r.status_code == 302
    assert count(app, HolidayEntry) == 0
    assert get(app, Assessment, waiting).due_on == date(2027, 1, 11)


def test_officer_cannot_remove(app, client, world, county):
    world.login(client, "admin")
    client.post(
        "/assessments/holidays/entries", data={"entry-day": "2027-01-01", "entry-kind": "holiday"}
    )
    client.post("/logout")
    world.login(client, "off1")
    entry_id = get_entry_id(app, date(2027, 1, 1))
    assert client.post(f"/assessments/holidays/entries/{entry_id}/remove").status_code == 403
    assert count(app, HolidayEntry) == 1


@pytest.mark.parametrize(
    "data,message",
    [
        ({"entry-day": "", "entry-kind": "holiday"}, "请填写日期"),
        ({"entry-day": "2027-02-30", "entry-kind": "holiday"}, "不存在或格式不对"),
    ],
)
def test_bad_entries_are_refused(app, client, world, county, data, message):
    world.login(client, "admin")
    r = client.post("/assessments/holidays/entries", data=data)
    assert r.status_code == 422 and message in text(r)
    assert count(app, HolidayEntry) == 0


def test_duplicate_day_and_year_are_refused(app, client, world, county):
    world.login(client, "admin")
    data = {"entry-day": "2027-01-01", "entry-kind": "holiday"}
    assert client.post("/assessments/holidays/entries", data=data).status_code == 302
    r = client.post("/assessments/holidays/entries", data=data)
    assert r.status_code == 422 and "2027-01-01 已有记录" in text(r)
    assert client.post("/assessments/holidays/years", data={"year-year": "2027"}).status_code == 302
    r = client.post("/assessments/holidays/years", data={"year-year": "2027"})
    assert r.status_code == 422 and "已标记为录入完整" in text(r)
    r = client.post("/assessments/holidays/years", data={"year-year": "明年"})
    assert r.status_code == 422 and "应为整数" in text(r)
    assert count(app, HolidayEntry) == 1 and count(app, HolidayYear) == 1


def get_entry_id(app, day: date) -> int:
    from sqlalchemy import select

    from corrections.extensions import db

    with app.app_context():
        return db.session.execute(
            select(HolidayEntry.id).where(HolidayEntry.day == day)
        ).scalar_one()
