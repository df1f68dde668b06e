"""Home ("my day"), inbox, dashboard with CSV, job status page, and the notifications API."""

import os

from sqlalchemy import select

from corrections.extensions import db
from corrections.reminders.jobs import run_job
from corrections.reminders.models import Notification
from tests.helpers import d, open_case


def _setup(app, person_id, female_id):
    with app.app_context():
        overdue = open_case(person_id, received_on="2026-11-10")  # due 11-17: 8 days overdue
        soon = open_case(female_id, received_on="2026-11-20")  # due 11-27
        run_job("daily_reminders", d("2026-11-25"))
        return overdue.id, soon.id


def test_officer_home_shows_overdue_first_with_one_tap_contact(
    app, client, world, person_id, female_id
):
    overdue_id, soon_id = _setup(app, person_id, female_id)
    world.login(client, "off1")
    page = client.get("/").get_data(as_text=True)
    overdue_block = page.split('id="my-overdue"')[1].split('id="my-today"')[0]
    assert "逾期8天" in overdue_block and f"/corrections/{overdue_id}/contact" in overdue_block
    week_block = page.split('id="my-today"')[1].split('id="my-deadlines"')[0]
    assert f"/corrections/{soon_id}/contact" in week_block
    assert 'id="unread-count"' in page


def test_inbox_filter_mark_read_and_link(app, client, world, person_id, female_id):
    overdue_id, _ = _setup(app, person_id, female_id)
    world.login(client, "off1")
    page = client.get("/notifications/").get_data(as_text=True)
    assert "逾期" in page
    with app.app_context():
        note = db.session.execute(
            select(Notification).where(
                Notification.kind == "contact_overdue", Notification.user.has(username="off1")
            )
        ).scalar_one()
        note_id = note.id
    response = client.post(f"/notifications/{note_id}/read", data={"next": "case"})
    assert response.headers["Location"].endswith(f"/corrections/{overdue_id}")
    filtered = client.get("/notifications/?status=all&kind=contact_overdue").get_data(as_text=True)
    assert "已处理" in filtered
    with app.app_context():
        assert db.session.get(Notification, note_id).read_at is not None
    # someone else's notification is not found
    world.login(app.test_client(), "boss")
    other = world.login(app.test_client(), "off2")
    assert other.post(f"/notifications/{note_id}/read").status_code == 404


def test_dashboard_counts_list_and_csv(app, client, world, person_id, female_id):
    overdue_id, _ = _setup(app, person_id, female_id)
    world.login(client, "boss")
    page = client.get("/dashboard?rates=1").get_data(as_text=True)
    assert "监管总览" in page and "逾期名单" in page
    table = page.split('id="overdue-table"')[1]
    assert f"/corrections/{overdue_id}" in table and "已逾期8天" in table
    assert "station=S1" in page.split('id="by-station"')[1].split("</table>")[0]
    filtered = client.get("/dashboard?station=S2&rates=0").get_data(as_text=True)
    assert f"/corrections/{overdue_id}" not in filtered.split('id="overdue-table"')[1]
    csv_text = client.get("/dashboard/overdue.csv").get_data(as_text=True)
    lines = csv_text.strip().splitlines()
    assert lines[0].lstrip("\ufeff").startswith("姓名") and len(lines) == 2
    assert ",8," in lines[1] and "3301**********123X" not in lines[1]  # supervisors see full IDs


def test_dashboard_is_not_for_officers(app, client, world, county):
    world.login(client, "off1")
    assert client.get("/dashboard").status_code == 403
    assert client.get("/dashboard/overdue.csv").status_code == 403


def test_viewer_sees_dashboard_with_masked_csv(app, client, world, person_id, female_id):
    _setup(app, person_id, female_id)
    world.login(client, "viewer")
    assert client.get("/dashboard?rates=0").status_code == 200
    csv_text = client.get("/dashboard/overdue.csv").get_data(as_text=True)
    assert "3301**********123X" in csv_text


def test_jobs_page_for_admins(app, client, world, county):
    with app.app_context():
        run_job("recompute_due", d("2026-11-25"))
    world.login(client, "admin")
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "recompute_due" in page and "成功" in page and "尚未运行" in page
    assert f":{os.getpid()}</code>" in page  # who ran it (host:pid)
    world.login(app.test_client(), "boss")
    assert world.login(app.test_client(), "boss").get("/admin/jobs").status_code == 403


def test_notifications_api(app, world, person_id, female_id):
    _setup(app, person_id, female_id)
    api = world.api("off1")
    unread = api.get("/notifications").get_json()
    assert unread["total"] >= 1
    item = unread["items"][0]
    assert set(item) >= {"kind", "case_id", "due_on", "message", "created_at", "read_at"}
    done = api.post(f"/notifications/{item['id']}/read")
    assert done.status_code == 200 and done.get_json()["read_at"]
    assert api.get("/notifications").get_json()["total"] == unread["total"] - 1
    assert api.get("/notifications?status=all").get_json()["total"] == unread["total"]
    assert api.get("/notifications?status=bogus").status_code == 422
    assert world.api("off2").post(f"/notifications/{item['id']}/read").status_code == 404
    assert app.test_client().get("/api/v1/notifications").status_code == 401


def test_every_dashboard_tile_links_to_a_list_that_agrees(app, client, world, person_id, female_id):
    import re

    from corrections.supervision import services as sv
    from tests.helpers import user

    with app.app_context():
        case = open_case(person_id, received_on="2026-11-10")
        sv.open_incident(user("off1"), case, {"kind": "absconded", "occurred_on": "2026-11-20"})
        open_case(
            female_id,
            received_on=None,
            judgment_effective_on="2026-11-01",
            term_start="2026-11-01",
            term_end="2027-11-01",
        )
        db.session.commit()
    world.login(client, "boss")
    page = client.get("/dashboard?rates=0").get_data(as_text=True)
    tiles = re.findall(
        r'<a class="card[^"]*" href="([^"]+)">\s*<div class="card-body py-2">\s*'
        r'<div class="small text-muted">([^<]+)</div>\s*'
        r'<div class="fs-3[^"]*">(\d+)</div>',
        page,
    )
    assert len(tiles) == 9
    for href, title, value in tiles:
        listing = client.get(href.replace("&amp;", "&"))
        assert listing.status_code == 200, (title, href)
        if title in ("漏管", "脱管", "逾期未联系") and int(value):
            text = listing.get_data(as_text=True)
            assert ("李梅" if title == "漏管" else "张三") in text, title
