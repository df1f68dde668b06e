"""Test fixtures: one database per test session, emptied after each test.

TEST_DATABASE=postgresql runs the same suite on PostgreSQL (a database is
created on TEST_PG_URL's server and dropped at the end); the default is a
SQLite file in a temporary folder. Migrations run once per session.

Requests made with the test client get their own app context (as in
production); setup code uses the ``ctx`` fixture or ``app.app_context()``.
"""

from __future__ import annotations

import os
import uuid
from datetime import date

import pytest
from sqlalchemy import Integer, text

from corrections import clock, create_app
from corrections.extensions import db, limiter

pytest_plugins = ["tests.helpers"]  # shared fixtures and helpers

FROZEN_TODAY = date(2026, 11, 25)
PASSWORD = "correct-horse-9"


def _database_url(tmp_path_factory) -> tuple[str, callable]:
    kind = os.environ.get("TEST_DATABASE", "sqlite")
    if kind == "sqlite":
        path = tmp_path_factory.mktemp("db") / "test.db"
        return f"sqlite:///{path}", lambda: None
    if kind != "postgresql":
        raise RuntimeError("TEST_DATABASE must be sqlite or postgresql")
    import psycopg

    server = os.environ.get("TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    name = f"corrections_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    base = server.rsplit("/", 1)[0]
    return f"{base}/{name}", drop


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    url, drop = _database_url(tmp_path_factory)
    instance = tmp_path_factory.mktemp("instance")
    os.environ["INSTANCE_PATH"] = str(instance)
    application = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
    with application.app_context():
        from flask_migrate import upgrade

        upgrade()
    yield application
    with application.app_context():
        db.engine.dispose()
    drop()


def _clear(application) -> None:
    """Empty every table, restart ids and seed the reference data again."""
    with application.app_context():
        _empty()
        from corrections.seeds import seed_reference_data

        seed_reference_data()
        db.session.commit()


def _empty() -> None:
    """Empty every table and restart ids. On PostgreSQL, DELETE with triggers off and setval
    is much faster than TRUNCATE for the handful of rows a test writes."""
    tables = [t for t in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SET session_replication_role = replica"))
        for table in tables:
            db.session.execute(text(f"DELETE FROM {table.name}"))
            if "id" in table.c and table.c.id.primary_key:
                db.session.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), 1, false)")
                )
        db.session.execute(text("SET session_replication_role = DEFAULT"))
    else:
        for table in tables:
            db.session.execute(text(f"DELETE FROM {table.name}"))


@pytest.fixture(autouse=True)
def _fresh_state(request, app):
    clock.set_today(FROZEN_TODAY)
    limiter.reset()
    yield
    clock.set_today(None)
    _clear(app)


@pytest.fixture(scope="session")
def _demo_rows(app) -> dict:
    """The demo county (corrections/demo/), loaded once per session as of FROZEN_TODAY:
    every table's rows, to be copied back by ``demo_county``."""
    from corrections.demo import load_demo

    clock.set_today(FROZEN_TODAY)
    try:
        with app.app_context():
            load_demo()
            db.session.commit()
            rows = {
                table.name: [dict(r._mapping) for r in db.session.execute(table.select())]
                for table in db.metadata.sorted_tables
            }
    finally:
        clock.set_today(None)
        _clear(app)
    return rows


@pytest.fixture
def demo_county(app, _demo_rows):
    """The database holds the demo county, as ``load_demo()`` on FROZEN_TODAY leaves it."""
    with app.app_context():
        _empty()
        postgres = db.engine.dialect.name == "postgresql"
        if postgres:
            db.session.execute(text("SET session_replication_role = replica"))
        for table in db.metadata.sorted_tables:
            if _demo_rows[table.name]:
                db.session.execute(table.insert(), _demo_rows[table.name])
            if postgres and "id" in table.c and isinstance(table.c.id.type, Integer):
                db.session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"(SELECT coalesce(max(id), 0) + 1 FROM {table.name}), false)"
                    )
                )
        if postgres:
            db.session.execute(text("SET session_replication_role = DEFAULT"))
        db.session.commit()


@pytest.fixture
def ctx(app):
    """An app context for tests that call services directly."""
    with app.app_context():
        yield
        db.session.rollback()


@pytest.fixture
def client(app):
    return app.test_client()


# --- factories (each commits and returns plain values, safe across contexts) ---------


class World:
    """Builds stations, users and people for a test and logs clients in."""

    def __init__(self, app):
        self.app = app

    def station(self, code: str, name: str | None = None, unit: str | None = None) -> int:
        from corrections.auth import services

        with self.app.app_context():
            unit_obj = services.unit_by_name(unit) if unit else services.default_unit()
            station = services.create_station(None, code, name or f"{code}司法所", unit_obj)
            db.session.commit()
            return station.id

    def unit(self, name: str) -> int:
        from corrections.auth import services

        with self.app.app_context():
            unit = services.create_unit(None, name)
            db.session.commit()
            return unit.id

    def user(
        self, username: str, role: str, stations: tuple[str, ...] = (), unit: str | None = None
    ):
        from corrections.auth import services

        with self.app.app_context():
            found = [services.station_by_code(c) for c in stations]
            unit_obj = services.unit_by_name(unit) if unit else None
            user = services.create_user(
                None, username, PASSWORD, role, stations=found, unit=unit_obj
            )
            db.session.commit()
            return user.id

    def token(self, username: str) -> str:
        from corrections.auth import services

        with self.app.app_context():
            user = services.user_by_username(username)
            _t, secret = services.issue_token(user, user, "test")
            db.session.commit()
            return secret

    def person(
        self,
        username: str,
        id_number: str,
        name: str = "张三",
        station: str | None = None,
        **fields,
    ) -> int:
        from corrections.auth import services
        from corrections.people.services import create_person

        with self.app.app_context():
            user = services.user_by_username(username)
            st = services.station_by_code(station) if station else None
            person = create_person(user, {"name": name, "id_number": id_number, **fields}, st)
            db.session.commit()
            return person.id

    def login(self, client, username: str, password: str = PASSWORD):
        response = client.post("/login", data={"username": username, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client

    def api(self, username: str) -> ApiClient:
        return ApiClient(self.app.test_client(), self.token(username))


class ApiClient:
    def __init__(self, client, token: str):
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path, **kw):
        return self.client.get("/api/v1" + path, headers=self.headers, **kw)

    def post(self, path, json=None, **kw):
        return self.client.post("/api/v1" + path, headers=self.headers, json=json, **kw)

    def patch(self, path, json=None, **kw):
        return self.client.patch("/api/v1" + path, headers=self.headers, json=json, **kw)


@pytest.fixture
def world(app):
    return World(app)


@pytest.fixture
def county(world):
    """Two stations of the default unit, a second unit with one station, and a user per role."""
    world.station("S1", "城关司法所")
    world.station("S2", "东山司法所")
    world.unit("邻县司法局")
    world.station("T1", "邻县司法所", unit="邻县司法局")
    world.user("admin", "admin")
    world.user("boss", "supervisor")
    world.user("viewer", "viewer")
    world.user("off1", "officer", ("S1",))
    world.user("off2", "officer", ("S2",))
    world.user("both", "officer", ("S1", "S2"))
    world.user("far", "officer", ("T1",), unit="邻县司法局")
    world.user("farboss", "supervisor", unit="邻县司法局")
    return world
