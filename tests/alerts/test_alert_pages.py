"""Alert pages: the list, one alert and its steps, my day, the supervisor's dashboard."""

from datetime import UTC, datetime

from corrections.alerts import services
from corrections.alerts.models import Alert
from corrections.extensions import db
from tests.helpers import open_case


def _raise(app, person_id, at=None):
    with app.app_context():
        case = open_case(person_id)
        alert = services.raise_alert(
            case, "overdue_return", cause="leave:1", note="外出逾期", at=at
        )
        db.session.commit()
        return alert.id


def test_officer_verifies_and_closes_from_the_pages(app, world, person_id):
    alert_id = _raise(app, person_id)
    client = world.login(app.test_client(), "off1")
    home = client.get("/").get_data(as_text=True)
    assert 'id="my-alerts"' in home and f"/alerts/{alert_id}" in home
    listing = client.get("/alerts/").get_data(as_text=True)
    assert f"/alerts/{alert_id}" in listing and "外出逾期未归" in listing
    page = client.get(f"/alerts/{alert_id}").get_data(as_text=True)
    assert 'id="btn-verify"' in page
    r = client.post(f"/alerts/{alert_id}/steps", data={"action": "verify", "note": "已电话联系"})
    assert r.status_code == 302
    # closing without an outcome is refused with a message, nothing written
    r = client.post(f"/alerts/{alert_id}/steps", data={"action": "close", "note": "x"})
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "outcome" not in page or "处置结果" in page
    with app.app_context():
        assert db.session.get(Alert, alert_id).status == "verifying"
    client.post(
        f"/alerts/{alert_id}/steps",
        data={"action": "close", "note": "已返回", "outcome": "explained"},
    )
    with app.app_context():
        alert = db.session.get(Alert, alert_id)
        assert alert.status == "closed" and alert.outcome == "explained"
    page = client.get(f"/alerts/{alert_id}").get_data(as_text=True)
    assert "已说明情况" in page and 'id="step-form"' not in page


def test_viewer_reads_but_takes_no_step_and_others_get_404(app, world, person_id):
    alert_id = _raise(app, person_id)
    viewer = world.login(app.test_client(), "viewer")
    page = viewer.get(f"/alerts/{alert_id}").get_data(as_text=True)
    assert 'id="step-form"' not in page
    assert (
        viewer.post(f"/alerts/{alert_id}/steps", data={"action": "verify", "note": "x"}).status_code
        == 403
    )
    other = world.login(app.test_client(), "off2")
    assert other.get(f"/alerts/{alert_id}").status_code == 404
    assert (
        other.post(f"/alerts/{alert_id}/steps", data={"action": "verify", "note": "x"}).status_code
        == 404
    )


def test_dashboard_shows_open_alerts_by_station_and_escalated(app, world, person_id):
    alert_id = _raise(app, person_id, at=datetime(2026, 11, 1, tzinfo=UTC))
    with app.app_context():
        services.escalate_overdue()
        db.session.commit()
    boss = world.login(app.test_client(), "boss")
    from flask import url_for

    with app.test_request_context():
        url = url_for("reminders.overview")
    page = boss.get(url).get_data(as_text=True)
    assert 'id="alerts-by-station"' in page and "城关司法所" in page
    assert 'id="escalated-alerts"' in page and f"/alerts/{alert_id}" in page


def test_area_page_for_supervisors(app, world, county):
    boss = world.login(app.test_client(), "boss")
    r = boss.post("/alerts/area", data={"shape": "circle", "center_lat": "30", "center_lon": "120",
                                         "radius_m": "5000"})  # fmt: skip
    assert r.status_code == 302
    assert "圆形" in boss.get("/alerts/area").get_data(as_text=True)
    r = boss.post("/alerts/area", data={"shape": "geojson", "geojson": '{"type": "Point"}'})
    assert r.status_code == 422 and "辖区范围无效" in r.get_data(as_text=True)
    assert "圆形" in boss.get("/alerts/area").get_data(as_text=True)  # the circle is kept
    officer = world.login(app.test_client(), "off1")
    assert officer.get("/alerts/area").status_code == 403
