"""Smoke test: the tiny province loads, the app reads it, and stored due state is the engine's."""

from __future__ import annotations

import os
import uuid
from datetime import date

from sqlalchemy import func, select

from bench.generate import PASSWORD, TABLES, generate
from corrections import clock, create_app
from corrections.extensions import db
from corrections.people.idnumber import parse
from corrections.people.models import Person
from corrections.resettlement import services as rs_services
from corrections.resettlement.models import ResettlementCase
from corrections.rules import engine
from corrections.rules.tables import contact_rules
from corrections.supervision import services as services
from corrections.supervision.models import CorrectionCase

TODAY = date(2026, 11, 25)


def _database(tmp_path):
    if os.environ.get("TEST_DATABASE", "sqlite") != "postgresql":
        return f"sqlite:///{tmp_path / 'bench.sqlite'}", lambda: None
    import psycopg

    server = os.environ.get("TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    name = f"bench_smoke_{uuid.uuid4().hex[:10]}"

    def drop():
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"{server.rsplit('/', 1)[0]}/{name}", drop


def test_tiny_province_loads_and_matches_the_engine(tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    url, drop = _database(tmp_path)
    clock.set_today(TODAY)
    try:
        summary = generate(
            url, "tiny", seed=7, reset=True, today=TODAY, json_path=str(tmp_path / "out.json")
        )
        assert summary["long_history_case_id"]
        assert summary["long_history_officer"].startswith("off1_")
        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": summary_url(url)})
        with app.app_context():
            # Rare rows (a few percent of cases) may be absent at this size; unit 1 is
            # the renamed default unit.
            optional = {"units", "case_station_moves", "sanctions", "medical_reviews"}
            for table in TABLES:
                count = db.session.execute(
                    select(func.count()).select_from(db.metadata.tables[table])
                ).scalar_one()
                if table != "units":
                    assert count == summary["counts"].get(table, 0), table
                assert count > 0 or table in optional, table
            rules = contact_rules()
            cases = db.session.execute(select(CorrectionCase)).scalars().all()
            assert {c.status for c in cases} >= {"active", "released"}
            for case in cases:
                expected = engine.next_due(services.case_facts(case), rules, TODAY)
                assert (case.next_due_on, case.is_overdue, case.overdue_days) == expected, case.id
                assert case.level == engine.level_on(services.case_facts(case).levels, TODAY)
                on_time = services.on_time_counts(case, services.case_facts(case), rules, TODAY)
                assert (case.on_time_ok, case.on_time_total) == on_time, case.id
                _assert_month_ends(case, services.case_facts(case), rules)
                assert case.term_start <= case.term_end
            for case in db.session.execute(select(ResettlementCase)).scalars():
                expected = engine.next_due(rs_services.case_facts(case), rules, TODAY)
                assert (case.next_due_on, case.is_overdue, case.overdue_days) == expected, case.id
                _assert_month_ends(case, rs_services.case_facts(case), rules)
            for person in db.session.execute(select(Person)).scalars():
                info = parse(person.id_number, today=TODAY)
                assert (info.birth_date, info.sex) == (person.birth_date, person.sex)
                assert info.area_known, person.id_number
            db.session.remove()
            client = app.test_client()
            response = client.post("/login", data={"username": "bench_admin", "password": PASSWORD})
            assert response.status_code == 302, response.get_data(as_text=True)[:300]
            assert client.get("/").status_code == 200
            officer = app.test_client()
            response = officer.post(
                "/login", data={"username": summary["long_history_officer"], "password": PASSWORD}
            )
            assert response.status_code == 302
            assert officer.get(f"/corrections/{summary['long_history_case_id']}").status_code == 200
            db.session.remove()
            db.engine.dispose()
    finally:
        clock.set_today(None)
        drop()


def summary_url(url: str) -> str:
    from config import normalise_database_url

    return normalise_database_url(url)


def _assert_month_ends(case, facts, rules) -> None:
    first, last, overdue = engine.overdue_month_ends(facts, rules, TODAY)
    assert (case.month_ends_from, case.month_ends_to) == (first, last), case.id
    assert case.overdue_month_ends == " ".join(d.isoformat() for d in overdue), case.id
