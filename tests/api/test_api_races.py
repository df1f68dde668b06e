"""Two writers at once: the loser gets a 409, never a 500 (docs/api.md: version, duplicates).

A real race needs two processes; here the other writer's commit is simulated
at the exact moment between the checks and the write.
"""

from __future__ import annotations

from sqlalchemy import func, select, text

from corrections.audit.models import AuditEvent
from corrections.extensions import db
from corrections.people import services as people_services
from corrections.people.models import Person
from tests.helpers import valid_id

ID1 = valid_id(serial="301")


def test_concurrent_update_after_the_version_check_is_409(county, app, monkeypatch):
    pid = county.person("off1", ID1, name="张三")
    original = people_services.check_version

    def check_then_someone_else_writes(obj, version):
        original(obj, version)  # passes: the client's version is the one just read
        db.session.execute(
            text("UPDATE people SET version = version + 1 WHERE id = :id"), {"id": pid}
        )

    monkeypatch.setattr(people_services, "check_version", check_then_someone_else_writes)
    response = county.api("off1").patch(f"/people/{pid}", json={"version": 1, "name": "张叁"})
    assert response.status_code == 409, response.get_data(as_text=True)[:300]
    assert response.get_json()["error"]["code"] == "stale_version"
    with app.app_context():
        person = db.session.get(Person, pid)
        assert person.name == "张三"  # nothing written
        assert person.version == 1  # the simulated write was rolled back with the request
        assert not db.session.execute(
            select(AuditEvent).where(AuditEvent.action == "person.update")
        ).first()


def test_concurrent_registration_of_the_same_id_is_409_with_existing_id(county, app, monkeypatch):
    existing = county.person("off2", ID1, name="张三")
    # The duplicate check ran before the other registration was committed.
    monkeypatch.setattr(people_services, "_refuse_duplicate", lambda *a, **k: None)
    response = county.api("off1").post("/people", json={"name": "张三", "id_number": ID1})
    assert response.status_code == 409, response.get_data(as_text=True)[:300]
    error = response.get_json()["error"]
    assert error["code"] == "duplicate"
    assert error["existing_id"] == existing
    with app.app_context():
        assert db.session.execute(select(func.count(Person.id))).scalar_one() == 1
