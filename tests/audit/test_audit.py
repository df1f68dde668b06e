"""Audit events: who/what/before/after, the hash chain, tamper detection, concurrency."""

import threading

from sqlalchemy import select, text

from corrections.audit.models import AuditEvent
from corrections.audit.services import verify_chain
from corrections.extensions import db


def test_person_create_and_update_are_audited(app, county, world):
    pid = world.person("off1", "33010619900101123X", name="甲", station="S1")
    api = world.api("off1")
    assert api.patch(f"/people/{pid}", json={"version": 1, "phone": "139"}).status_code == 200
    with app.app_context():
        events = (
            db.session.execute(
                select(AuditEvent).where(AuditEvent.entity_type == "person").order_by(AuditEvent.id)
            )
            .scalars()
            .all()
        )
        assert [e.action for e in events] == ["person.create", "person.update"]
        assert events[1].username == "off1"
        assert events[1].before["phone"] == "" and events[1].after["phone"] == "139"
        assert events[1].remote_addr == "127.0.0.1"


def test_chain_verifies_and_detects_tampering(app, county, world):
    world.person("off1", "33010619900101123X", name="甲", station="S1")
    with app.app_context():
        report = verify_chain()
        assert report.ok and report.checked > 5
        target = db.session.execute(
            select(AuditEvent.id).where(AuditEvent.action == "person.create")
        ).scalar_one()
        db.session.execute(
            text("UPDATE audit_events SET username = 'someone' WHERE id = :id"), {"id": target}
        )
        db.session.commit()
        report = verify_chain()
        assert not report.ok and report.broken_at == target


def test_deleted_event_breaks_the_chain(app, county, world):
    with app.app_context():
        ids = db.session.execute(select(AuditEvent.id).order_by(AuditEvent.id)).scalars().all()
        db.session.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": ids[2]})
        db.session.commit()
        report = verify_chain()
        assert report.broken_at == ids[3]


def test_concurrent_writers_form_one_chain(app, county, world):
    from stdnum.cn import ric

    errors = []

    def register(i):
        body = f"330106199002{i + 1:02d}123"
        try:
            world.person(
                "off1", body + ric.calc_check_digit(body + "0"), name=f"并发{i}", station="S1"
            )
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=register, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with app.app_context():
        assert verify_chain().ok
        count = (
            db.session.execute(select(AuditEvent).where(AuditEvent.action == "person.create"))
            .scalars()
            .all()
        )
        assert len(count) == 8


def test_audit_page_lists_and_filters(app, client, county, world):
    world.person("off1", "33010619900101123X", name="甲", station="S1")
    world.login(client, "admin")
    text_all = client.get("/admin/audit/").get_data(as_text=True)
    assert "person.create" in text_all and "user.create" in text_all
    filtered = client.get("/admin/audit/?action=person").get_data(as_text=True)
    assert "person.create" in filtered and "user.create" not in filtered
    verified = client.get("/admin/audit/?verify=1").get_data(as_text=True)
    assert "哈希链完整" in verified
