"""The check-in settings page: question templates, and the allowed area, which is the
unit's one area kept on the alerts' area page (docs/domain.md §7.11, §7.12)."""

from __future__ import annotations

from corrections.checkin.models import CheckinQuestion
from corrections.extensions import db
from tests.checkin.conftest import csrf


def test_settings_page_links_to_the_one_area_page(app, county, world):
    from corrections.alerts import areas
    from tests.helpers import user

    client = world.login(app.test_client(), "admin")
    page = client.get("/checkins/settings")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'href="/alerts/area"' in html and "未设置" in html
    assert 'name="geojson"' not in html  # no second place to draw the area
    with app.test_request_context():
        areas.set_area(user("admin").unit, circle=(30.0, 120.0, 1000))
        db.session.commit()
    assert "已设置" in client.get("/checkins/settings").get_data(as_text=True)


def test_the_old_area_action_is_gone(app, county, world):
    client = world.login(app.test_client(), "admin")
    page = client.get("/checkins/settings")
    response = client.post(
        "/checkins/settings",
        data={"csrf_token": csrf(page), "action": "area", "geojson": "{}"},
    )
    assert response.status_code == 400


def test_admin_saves_questions(app, county, world):
    client = world.login(app.test_client(), "admin")
    page = client.get("/checkins/settings")
    ok = client.post(
        "/checkins/settings",
        data={"csrf_token": csrf(page), "action": "question", "text": "身体怎么样？"},
    )
    assert ok.status_code == 302
    with app.app_context():
        assert [q.text for q in db.session.query(CheckinQuestion)] == ["身体怎么样？"]


def test_officers_cannot_change_settings(app, county, world):
    client = world.login(app.test_client(), "off1")
    assert client.get("/checkins/settings").status_code == 403
    boss = world.login(app.test_client(), "boss")
    assert boss.get("/checkins/settings").status_code == 200
