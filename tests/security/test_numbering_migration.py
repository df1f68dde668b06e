"""The numbering migration: numbers issued before it are kept as they were issued (they
may be on paper) and registered; every series continues after the highest serial
already used, so no new number repeats an old one; downgrading gives the old counters
back. Runs on its own database (SQLite or PostgreSQL, as the suite)."""

from __future__ import annotations

from datetime import date

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from corrections import clock, create_app
from corrections.auth import services as auth
from corrections.extensions import db
from corrections.numbering import NumberSequence, OfficialNumber
from corrections.paperwork import documents
from corrections.paperwork.models import GeneratedDocument
from corrections.people.idnumber import make_fictional
from corrections.people.services import create_person
from corrections.reports.figures import changes
from corrections.supervision import services as sv
from corrections.supervision.models import CorrectionCase, Sanction
from tests.conftest import PASSWORD, _database_url


def _revision_before(revision: str) -> str:
    """The revision the numbering migration follows (read from its file, so re-chaining
    the migrations does not break this test)."""
    import re
    from pathlib import Path

    versions = Path(__file__).resolve().parents[2] / "corrections" / "migrations" / "versions"
    (path,) = versions.glob(f"*_{revision}_*.py")
    return re.search(r"^down_revision = ['\"](\w+)['\"]", path.read_text(), re.M).group(1)


BEFORE = _revision_before("4f7c2b9e1d3a")


@pytest.fixture
def old_app(tmp_path_factory):
    url, drop = _database_url(tmp_path_factory)
    application = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    drop()


def _old_county():
    """A county numbered the old way: counters per sanction kind, 〔2026〕警字第N号, and the
    duplicate warning number the old race produced."""
    unit = auth.create_unit(None, "示范县司法局")
    station = auth.create_station(None, "S1", "城关司法所", unit)
    boss = auth.create_user(None, "boss", PASSWORD, "supervisor", unit=unit)
    db.session.flush()
    cases = {}
    for n, ctype in enumerate(("probation", "parole"), start=1):
        person = create_person(
            boss,
            {"name": "张三", "id_number": make_fictional("330106", date(1990, 3, n), 300 + n)},
            station,
        )
        cases[ctype] = sv.create_case(
            boss,
            {
                "person_id": person.id,
                "station": "S1",
                "correction_type": ctype,
                "crime": "盗窃罪",
                "crime_category": "property",
                "judgment_effective_on": "2026-01-05",
                "term_start": "2026-01-05",
                "term_end": "2027-01-04",
                "received_on": "2026-01-10",
            },
        )
    probation = cases["probation"]
    old = [
        ("warning", "〔2026〕警字第1号"),
        ("warning", "〔2026〕警字第2号"),
        ("warning", "〔2026〕警字第2号"),  # the duplicate
        ("admonition", "〔2026〕训字第1号"),
        ("revocation_request", "〔2026〕提撤字第1号"),
    ]
    # the schema of that revision: only its columns (later revisions add others)
    for kind, number in old:
        db.session.execute(
            text(
                "INSERT INTO sanctions (case_id, kind, status, proposed_on, decided_on, reason, "
                "investigation, document_number, proposed_by_id, decided_by_id, created_at, "
                "updated_at) VALUES (:c, :k, 'decided', :d, :d, '违规', '', :n, :b, :b, :t, :t)"
            ),
            {"c": probation.id, "k": kind, "d": date(2026, 3, 1), "n": number, "b": boss.id,
             "t": clock.now_utc()},
        )  # fmt: skip
    for kind, last in (("warning", 2), ("admonition", 1), ("revocation_request", 1)):
        db.session.execute(
            text(
                "INSERT INTO document_counters (unit_id, year, kind, last_number) "
                "VALUES (:u, 2026, :k, :n)"
            ),
            {"u": unit.id, "k": kind, "n": last},
        )
    for serial in (1, 2, 3):
        db.session.add(
            GeneratedDocument(
                unit_id=unit.id,
                kind="announcement",
                year=2026,
                serial=serial,
                number=f"示范县矫宣〔2026〕{serial}号",
                programme="correction",
                case_id=probation.id,
                generated_by_id=boss.id,
            )
        )
    db.session.commit()
    return cases


def test_given_old_numbers_when_migrated_then_kept_registered_and_continued(old_app, tmp_path):
    old_app.config["ATTACHMENT_DIR"] = str(tmp_path / "store")
    with old_app.app_context():
        upgrade(revision=BEFORE)
        with changes.unwatched(db.session):  # that revision has no figures versions yet
            cases = _old_county()
        case_ids = {k: c.id for k, c in cases.items()}
        upgrade()
        db.session.remove()

        registered = {
            (r.series, r.serial): (r.subject, r.number)
            for r in db.session.execute(select(OfficialNumber)).scalars()
        }
        assert registered[("announcement", 3)] == ("generated_document", "示范县矫宣〔2026〕3号")
        assert registered[("warning_decision", 2)] == ("sanction", "〔2026〕警字第2号")
        assert registered[("revocation_probation", 1)] == ("sanction", "〔2026〕提撤字第1号")
        assert len(registered) == 3 + 2 + 1 + 1  # the duplicate is not registered twice
        # issued numbers are not rewritten
        numbers = db.session.execute(select(Sanction.document_number)).scalars().all()
        assert sorted(numbers).count("〔2026〕警字第2号") == 2

        boss = auth.user_by_username("boss")
        probation = db.session.get(CorrectionCase, case_ids["probation"])
        parole = db.session.get(CorrectionCase, case_ids["parole"])
        warn = {"kind": "warning", "decided_on": "2026-11-20", "reason": "再次违规"}
        assert sv.record_sanction(boss, probation, warn).document_number == "示范县矫警〔2026〕3号"
        revoke = {"kind": "revocation_request", "decided_on": "2026-11-20", "reason": "再次"}
        # the old counter was shared by probation and parole: both continue after it
        assert sv.record_sanction(boss, parole, revoke).document_number == (
            "示范县矫撤假〔2026〕2号"
        )
        document, _pdf = documents.generate(boss, "announcement", probation.id)
        assert document.number == "示范县矫宣〔2026〕4号"
        db.session.commit()

        downgrade(revision=BEFORE)
        db.session.remove()
        counters = dict(
            db.session.execute(text("SELECT kind, last_number FROM document_counters")).all()
        )
        assert counters["warning"] == 3 and counters["revocation_request"] == 2
        db.session.remove()  # end the reading transaction before the next migration
        upgrade()
        db.session.remove()
        sequences = {
            s.series: s.last_serial for s in db.session.execute(select(NumberSequence)).scalars()
        }
        assert sequences["warning_decision"] == 3 and sequences["announcement"] == 4
