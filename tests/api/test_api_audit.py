"""Every API write is audited (who, when, what, before and after); a refused one is not."""

from __future__ import annotations

from sqlalchemy import select

from corrections.audit.models import AuditEvent
from corrections.audit.services import verify_chain
from corrections.extensions import db
from tests.helpers import valid_id

ID1 = valid_id(serial="201")
ID2 = valid_id(serial="202")


def events(app, action: str | None = None) -> list[AuditEvent]:
    with app.app_context():
        query = select(AuditEvent).order_by(AuditEvent.id)
        if action:
            query = query.where(AuditEvent.action == action)
        rows = db.session.execute(query).scalars().all()
        for row in rows:
            db.session.expunge(row)
        return rows


def test_post_person_is_audited(county, app):
    api = county.api("off1")
    response = api.post("/people", json={"name": "张三", "id_number": ID1, "flags": ["drugs"]})
    assert response.status_code == 201
    pid = response.get_json()["id"]
    [event] = events(app, "person.create")
    assert event.username == "off1"
    assert event.user_id is not None
    assert (event.entity_type, event.entity_id) == ("person", pid)
    assert event.before is None
    assert event.after["name"] == "张三"
    assert event.after["id_number"] == ID1
    assert event.after["flags"] == ["drugs"]
    assert event.remote_addr == "127.0.0.1"
    assert event.occurred_at is not None
    with app.app_context():
        assert verify_chain().ok


def test_patch_person_is_audited_with_before_and_after(county, app):
    api = county.api("boss")
    pid = api.post("/people", json={"name": "张三", "id_number": ID1}).get_json()["id"]
    response = api.patch(f"/people/{pid}", json={"version": 1, "name": "张叁", "flags": ["cult"]})
    assert response.status_code == 200
    [event] = events(app, "person.update")
    assert event.username == "boss"
    assert (event.entity_type, event.entity_id) == ("person", pid)
    assert event.before["name"] == "张三" and event.after["name"] == "张叁"
    assert event.before["flags"] == [] and event.after["flags"] == ["cult"]
    assert event.before["version"] == 1 and event.after["version"] == 2
    with app.app_context():
        assert verify_chain().ok


def test_station_create_is_audited(county, app):
    response = county.api("admin").post("/stations", json={"code": "S3", "name": "西湖司法所"})
    assert response.status_code == 201
    [event] = [e for e in events(app, "station.create") if e.entity_id == response.get_json()["id"]]
    assert event.username == "admin"
    assert event.after["code"] == "S3" and event.after["name"] == "西湖司法所"


def test_refused_writes_leave_no_audit_event(county, app):
    pid = county.person("off1", ID1, name="张三")
    officer, viewer, other = county.api("off1"), county.api("viewer"), county.api("off2")
    admin = county.api("admin")
    before = len(events(app))
    refused = [
        officer.post("/people", json={"name": "李四", "id_number": ID1}),  # 409 duplicate
        officer.post("/people", json={"name": "", "id_number": ID2}),  # 422
        viewer.post("/people", json={"name": "李四", "id_number": ID2}),  # 403
        officer.patch(f"/people/{pid}", json={"version": 7, "name": "改"}),  # 409 stale
        other.patch(f"/people/{pid}", json={"version": 1, "name": "改"}),  # 404
        officer.post("/stations", json={"code": "S9", "name": "新所"}),  # 403
        admin.post("/stations", json={"code": "S1", "name": "新所"}),  # 409
    ]
    assert [r.status_code for r in refused] == [409, 422, 403, 409, 404, 403, 409]
    assert len(events(app)) == before


def test_reads_are_not_audited(county, app):
    pid = county.person("off1", ID1, name="张三")
    api = county.api("off1")
    before = len(events(app))
    assert api.get("/people").status_code == 200
    assert api.get(f"/people/{pid}").status_code == 200
    assert api.get("/stations").status_code == 200
    assert len(events(app)) == before
