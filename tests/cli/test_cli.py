"""The command line of docs/api.md, plus backup and audit verify."""

import json
import sqlite3

import pytest
from sqlalchemy import func, select

from corrections.auth.models import Station, User
from corrections.extensions import db
from corrections.people.models import Person


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def test_stations_and_users_create(app, runner):
    r = runner.invoke(args=["stations", "create", "CG", "城关司法所"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(
        args=[
            "users",
            "create",
            "chen",
            "--role",
            "officer",
            "--password",
            "cli-test-pw-9",
            "--station",
            "CG",
        ]
    )
    assert r.exit_code == 0, r.output
    with app.app_context():
        user = db.session.execute(select(User).where(User.username == "chen")).scalar_one()
        assert [s.code for s in user.stations] == ["CG"]


def test_station_in_named_unit_and_unknown_unit(app, runner, world):
    world.unit("邻县司法局")
    assert (
        runner.invoke(args=["stations", "create", "LX", "邻县所", "--unit", "邻县司法局"]).exit_code
        == 0
    )
    bad = runner.invoke(args=["stations", "create", "ZZ", "某所", "--unit", "没有这个局"])
    assert bad.exit_code != 0 and "不存在" in bad.output
    with app.app_context():
        assert db.session.execute(select(Station.code).where(Station.code == "ZZ")).first() is None


def test_officer_without_station_is_refused(app, runner):
    r = runner.invoke(
        args=["users", "create", "x1", "--role", "officer", "--password", "cli-test-pw-9"]
    )
    assert r.exit_code != 0
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(User)).scalar_one() == 0


def test_token_is_last_line_and_works(app, runner):
    runner.invoke(
        args=["users", "create", "boss", "--role", "supervisor", "--password", "cli-test-pw-9"]
    )
    r = runner.invoke(args=["users", "token", "boss"])
    assert r.exit_code == 0
    token = r.output.strip().splitlines()[-1]
    response = app.test_client().get("/api/v1/people", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def test_demo_is_idempotent(app, runner):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    summary = json.loads(first.output.strip().splitlines()[-1])
    assert summary["created"]["people"] >= 60 and summary["created"]["stations"] >= 3
    assert summary["created"]["cases"] >= 45
    assert summary["created"]["photos"] == 8  # two visit photos on four field visits
    assert summary["created"]["alerts"] >= 36  # every kind in every state (docs/domain.md §7.11)
    with app.app_context():
        people = db.session.execute(select(func.count()).select_from(Person)).scalar_one()
        roles = set(db.session.execute(select(User.role)).scalars())
    assert roles == {"admin", "supervisor", "officer", "viewer"}
    _demo_checkins_agree_with_the_one_area(app)
    second = runner.invoke(args=["demo"])
    assert json.loads(second.output.strip().splitlines()[-1])["created"] == {
        "stations": 0,
        "users": 0,
        "people": 0,
        "cases": 0,
        "assessments": 0,
        "activities": 0,
        "resettlement": 0,
        "photos": 0,
        "alerts": 0,
        "checkins": 0,
    }
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(Person)).scalar_one() == people
    skipped = runner.invoke(args=["demo", "--if-empty"])
    assert "not loaded" in skipped.output
    from corrections.people.idnumber import parse

    with app.app_context():
        numbers = db.session.execute(select(Person.id_number)).scalars().all()
    assert all(parse(n).number == n for n in numbers)
    assert all(n[14] == "9" for n in numbers)  # serials 9xx mark them fictional


def test_audit_verify(app, runner, county, world):
    world.person("off1", "33010619900101123X", name="甲", station="S1")
    r = runner.invoke(args=["audit", "verify"])
    assert r.exit_code == 0 and "OK" in r.output
    with app.app_context():
        db.session.execute(db.text("UPDATE audit_events SET action = 'x' WHERE id = 3"))
        db.session.commit()
    r = runner.invoke(args=["audit", "verify"])
    assert r.exit_code == 1 and "BROKEN at event 3" in r.output


def test_backup_sqlite_and_restore(app, runner, tmp_path, county, world):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        r = runner.invoke(args=["backup", str(tmp_path / "x.db")])
        assert r.exit_code != 0 and "pg_dump" in r.output
        return
    world.person("off1", "33010619900101123X", name="甲", station="S1")
    target = tmp_path / "backup.db"
    r = runner.invoke(args=["backup", str(target)])
    assert r.exit_code == 0, r.output
    copy = sqlite3.connect(target)
    assert copy.execute("SELECT name FROM people").fetchall() == [("甲",)]
    copy.close()
    # Restore (docs/operations.md): point an app at the copy; the data and the audit chain hold.
    from corrections import create_app

    restored = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{target}"})
    verify = restored.test_cli_runner().invoke(args=["audit", "verify"])
    assert verify.exit_code == 0 and "OK" in verify.output
    with restored.app_context():
        assert db.session.execute(select(Person.name)).scalars().all() == ["甲"]
        db.engine.dispose()
    again = runner.invoke(args=["backup", str(target)])
    assert again.exit_code != 0 and "exists" in again.output


def _demo_checkins_agree_with_the_one_area(app):
    """The demo's check-in history is judged against the demo unit's one area (the alerts'
    UnitArea, docs/domain.md §7.11): its flags agree with the area code, both ways occur."""
    from corrections.alerts import areas
    from corrections.checkin.models import Checkin

    with app.test_request_context():
        rows = db.session.execute(select(Checkin).where(Checkin.lat.is_not(None))).scalars().all()
        assert rows
        for row in rows:
            station = row.case.station
            assert row.outside_area is areas.outside_area(station, row.lat, row.lon)
            assert (row.distance_m > 0) is row.outside_area
        assert {row.outside_area for row in rows} == {True, False}
