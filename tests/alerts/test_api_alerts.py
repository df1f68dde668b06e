"""/api/v1/alerts (docs/api.md: Alerts)."""

from corrections.alerts import services
from corrections.extensions import db
from tests.helpers import open_case


def _alert(app, person_id, kind="missed_checkin", cause="checkin:1"):
    with app.app_context():
        case = open_case(person_id)
        alert = services.raise_alert(case, kind, cause=cause)
        db.session.commit()
        return case.id, alert.id


def test_list_and_read(app, world, person_id):
    case_id, alert_id = _alert(app, person_id)
    api = world.api("off1")
    body = api.get("/alerts").get_json()
    assert body["total"] == 1
    item = body["items"][0]
    assert {"id", "case_id", "person_id", "kind", "raised_at", "due_by", "status",
            "assigned_to", "steps"} <= set(item)  # fmt: skip
    assert item["case_id"] == case_id and item["person_id"] == person_id
    assert item["kind"] == "missed_checkin" and item["status"] == "open"
    assert item["assigned_to"] == "off1" and item["raised_at"].endswith("Z")
    assert item["steps"][0]["action"] == "raise" and item["steps"][0]["by"] is None
    assert api.get("/alerts?status=open&kind=missed_checkin&station=S1").get_json()["total"] == 1
    assert api.get(f"/alerts?case_id={case_id}").get_json()["total"] == 1
    assert api.get("/alerts?status=closed").get_json()["total"] == 0
    assert api.get("/alerts?kind=nope").status_code == 422
    assert api.get("/alerts?status=nope").status_code == 422
    assert api.get(f"/alerts/{alert_id}").get_json()["id"] == alert_id
    # out of scope: empty list, 404 on the record
    other = world.api("off2")
    assert other.get("/alerts").get_json()["total"] == 0
    assert other.get(f"/alerts/{alert_id}").status_code == 404
    assert other.get("/alerts?station=S1").status_code == 422


def test_steps_through_the_api(app, world, person_id):
    _case, alert_id = _alert(app, person_id)
    api = world.api("off1")
    r = api.post(f"/alerts/{alert_id}/steps", json={"action": "verify", "note": "电话核实"})
    assert r.status_code == 200 and r.get_json()["status"] == "verifying"
    r = api.post(f"/alerts/{alert_id}/steps", json={"action": "close", "note": "已说明"})
    assert r.status_code == 422 and "outcome" in r.get_json()["error"]["fields"]
    r = api.post(
        f"/alerts/{alert_id}/steps",
        json={"action": "close", "note": "已说明", "outcome": "explained", "version": 1},
    )
    assert r.status_code == 409  # stale version
    r = api.post(
        f"/alerts/{alert_id}/steps",
        json={"action": "close", "note": "已说明", "outcome": "explained"},
    )
    body = r.get_json()
    assert r.status_code == 200 and body["status"] == "closed" and body["outcome"] == "explained"
    assert [s["action"] for s in body["steps"]] == ["raise", "verify", "close"]
    assert body["steps"][1]["by"] == "off1" and body["steps"][1]["note"] == "电话核实"
    r = api.post(f"/alerts/{alert_id}/steps", json={"action": "verify", "note": "x"})
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "alert_closed"


def test_step_refusals_in_order(app, world, person_id):
    _case, alert_id = _alert(app, person_id)
    viewer = world.api("viewer")
    assert (
        viewer.post(f"/alerts/{alert_id}/steps", json={"action": "verify", "note": "x"}).status_code
        == 403
    )
    assert (
        world.api("off2")
        .post(f"/alerts/{alert_id}/steps", json={"action": "verify", "note": "x"})
        .status_code
        == 404
    )
    api = world.api("off1")
    r = api.client.post(
        f"/api/v1/alerts/{alert_id}/steps", headers=api.headers, data="nope",
        content_type="application/json",
    )  # fmt: skip
    assert r.status_code == 400
    assert (
        api.post(f"/alerts/{alert_id}/steps", json={"action": "jump", "note": "x"}).status_code
        == 422
    )
    assert (
        api.post("/alerts/999999/steps", json={"action": "verify", "note": "x"}).status_code == 404
    )
    assert api.get(f"/alerts/{alert_id}").get_json()["status"] == "open"


def test_openapi_lists_alerts(world, county):
    spec = world.app.test_client().get("/api/v1/openapi.json").get_json()
    for path in ("/alerts", "/alerts/{alert_id}", "/alerts/{alert_id}/steps", "/alerts/import"):
        assert path in spec["paths"]
    assert "Alert" in spec["components"]["schemas"]
