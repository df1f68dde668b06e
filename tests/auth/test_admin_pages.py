"""Admin pages: units, stations, users; deactivation keeps records."""

from sqlalchemy import func, select

from corrections.audit.models import AuditEvent
from corrections.auth.models import Station, Unit, User
from corrections.extensions import db
from corrections.people.models import Person
from tests.conftest import PASSWORD


def _count(app, model):
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_admin_creates_unit_and_duplicate_is_refused(app, client, county, world):
    world.login(client, "admin")
    r = client.post("/admin/units", data={"name": "第三县司法局"})
    assert r.status_code == 302
    before = _count(app, Unit)
    r = client.post("/admin/units", data={"name": "第三县司法局"})
    assert r.status_code == 200
    assert "已有同名单位" in r.get_data(as_text=True)
    assert _count(app, Unit) == before


def test_admin_edits_unit_with_stale_version_conflict(app, client, county, world):
    world.login(client, "admin")
    with app.app_context():
        unit = db.session.execute(select(Unit).where(Unit.name == "邻县司法局")).scalar_one()
        unit_id, version = unit.id, unit.version
    r = client.post(
        f"/admin/units/{unit_id}",
        data={"name": "邻县司法局（新）", "version": version, "active": "y"},
    )
    assert r.status_code == 302
    r = client.post(
        f"/admin/units/{unit_id}", data={"name": "又一个名字", "version": version, "active": "y"}
    )
    assert r.status_code == 200
    assert "已被他人修改" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Unit, unit_id).name == "邻县司法局（新）"


def test_admin_creates_station_and_bad_code_is_refused(app, client, county, world):
    world.login(client, "admin")
    with app.app_context():
        unit_id = db.session.execute(select(Unit.id).where(Unit.is_default.is_(True))).scalar_one()
    r = client.post("/admin/stations", data={"code": "S9", "name": "新司法所", "unit": unit_id})
    assert r.status_code == 302
    listing = client.get("/admin/stations").get_data(as_text=True)
    assert "新司法所" in listing
    before = _count(app, Station)
    r = client.post("/admin/stations", data={"code": "bad code!", "name": "x", "unit": unit_id})
    assert r.status_code == 200
    assert "代码只能包含" in r.get_data(as_text=True)
    assert _count(app, Station) == before


def test_admin_creates_officer_requires_station(app, client, county, world):
    world.login(client, "admin")
    with app.app_context():
        unit_id = db.session.execute(select(Unit.id).where(Unit.is_default.is_(True))).scalar_one()
        s1 = db.session.execute(select(Station.id).where(Station.code == "S1")).scalar_one()
    before = _count(app, User)
    r = client.post(
        "/admin/users",
        data={
            "username": "newbie",
            "password": "long-enough-1",
            "role": "officer",
            "unit": unit_id,
        },
    )
    assert r.status_code == 200
    assert "至少要分配一个司法所" in r.get_data(as_text=True)
    assert _count(app, User) == before
    r = client.post(
        "/admin/users",
        data={
            "username": "newbie",
            "password": "long-enough-1",
            "role": "officer",
            "unit": unit_id,
            "stations": [s1],
        },
    )
    assert r.status_code == 302
    assert (
        app.test_client()
        .post("/login", data={"username": "newbie", "password": "long-enough-1"})
        .status_code
        == 302
    )


def test_deactivating_user_keeps_their_records(app, client, county, world):
    person_id = world.person("off1", "33010619900101123X", name="李四")
    world.login(client, "admin")
    with app.app_context():
        user = db.session.execute(select(User).where(User.username == "off1")).scalar_one()
        unit_id, version = user.unit_id, user.version
        s1 = db.session.execute(select(Station.id).where(Station.code == "S1")).scalar_one()
        user_id = user.id
    officer = world.login(app.test_client(), "off1")
    r = client.post(
        f"/admin/users/{user_id}",
        data={
            "version": version,
            "role": "officer",
            "unit": unit_id,
            "stations": [s1],
            "display_name": "离职",
        },
    )
    assert r.status_code == 302
    with app.app_context():
        assert db.session.get(User, user_id).active is False
        assert db.session.get(Person, person_id).registered_by_id == user_id
    assert officer.get("/").status_code == 302  # their open session ended
    assert (
        app.test_client()
        .post("/login", data={"username": "off1", "password": PASSWORD})
        .status_code
        == 401
    )


def test_admin_cannot_deactivate_self(app, client, county, world):
    world.login(client, "admin")
    with app.app_context():
        me = db.session.execute(select(User).where(User.username == "admin")).scalar_one()
        data = {"version": me.version, "role": "admin", "unit": me.unit_id}
        my_id = me.id
    r = client.post(f"/admin/users/{my_id}", data=data)
    assert r.status_code == 200
    assert "不能停用自己的账号" in r.get_data(as_text=True)


def test_admin_resets_password_and_issues_token(app, client, county, world):
    world.login(client, "admin")
    with app.app_context():
        uid = db.session.execute(select(User.id).where(User.username == "off2")).scalar_one()
    r = client.post(f"/admin/users/{uid}/password", data={"new_password": "short"})
    assert r.status_code == 302
    assert (
        app.test_client()
        .post("/login", data={"username": "off2", "password": PASSWORD})
        .status_code
        == 302
    )
    client.post(f"/admin/users/{uid}/password", data={"new_password": "a-good-password"})
    assert (
        app.test_client()
        .post("/login", data={"username": "off2", "password": "a-good-password"})
        .status_code
        == 302
    )
    r = client.post(f"/admin/users/{uid}/tokens", data={"name": "对接"})
    assert r.status_code == 200
    assert 'id="new-token"' in r.get_data(as_text=True)


def test_admin_writes_are_audited(app, client, county, world):
    world.login(client, "admin")
    client.post("/admin/units", data={"name": "审计县"})
    with app.app_context():
        event = (
            db.session.execute(
                select(AuditEvent)
                .where(AuditEvent.action == "unit.create")
                .order_by(AuditEvent.id.desc())
            )
            .scalars()
            .first()
        )
        assert event.username == "admin"
        assert event.after["name"] == "审计县"
