"""One numbering service for every official number (docs/security.md, "Numbering").

Given the unit 本县司法局 (short name 本县), numbers read 本县矫警〔2026〕1号; every series
(unit, kind, year) runs 1, 2, 3 … without gaps or repeats, also when many requests take
numbers at the same moment on a real multi-threaded server, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import threading
import urllib.request
from datetime import date

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from corrections import numbering
from corrections.auth.models import Unit
from corrections.extensions import db
from corrections.numbering import NumberSequence, OfficialNumber
from corrections.paperwork import documents
from corrections.paperwork.models import GeneratedDocument
from corrections.people.idnumber import make_fictional
from corrections.supervision import services as sv
from corrections.supervision.models import Sanction
from tests.helpers import open_case, user

THREADS = 8
EACH = 3


def _id_number(n: int) -> str:
    return make_fictional("330106", date(1990, 1, n), 100 + n)


def _warning(case, day="2026-11-20"):
    return sv.record_sanction(
        user("boss"), case, {"kind": "warning", "decided_on": day, "reason": "未经批准外出。"}
    )


def _unit(name="本县司法局") -> Unit:
    return db.session.execute(select(Unit).where(Unit.name == name)).scalar_one()


# --- the format and the series ---------------------------------------------------------


def test_the_number_has_the_units_prefix_and_one_pair_of_brackets():
    assert numbering.format_number("示范县司法局", "矫警", 2026, 1) == "示范县矫警〔2026〕1号"
    assert numbering.format_number("示范县社区矫正管理局", "矫训", 2027, 12) == (
        "示范县矫训〔2027〕12号"
    )


def test_given_a_warning_when_its_decision_is_printed_then_both_carry_one_number(
    ctx, person_id, tmp_path, app, monkeypatch
):
    monkeypatch.setitem(app.config, "ATTACHMENT_DIR", str(tmp_path))
    case = open_case(person_id)
    warning = _warning(case)
    db.session.commit()
    assert warning.document_number == "本县矫警〔2026〕1号"
    document, _pdf = documents.generate(user("boss"), "warning_decision", case.id, warning.id)
    db.session.commit()
    assert document.number == warning.document_number
    registered = numbering.issued_for("sanction", warning.id)
    assert [r.number for r in registered] == ["本县矫警〔2026〕1号"]
    # the document took no number of its own
    assert db.session.scalar(select(func.count(OfficialNumber.id))) == 1


def test_revocation_requests_number_in_the_series_of_their_document(ctx, person_id, female_id):
    probation = open_case(person_id)
    parole = open_case(female_id, correction_type="parole")
    first = sv.record_sanction(
        user("boss"),
        probation,
        {"kind": "revocation_request", "decided_on": "2026-11-20", "reason": "再次违规"},
    )
    second = sv.record_sanction(
        user("boss"),
        parole,
        {"kind": "revocation_request", "decided_on": "2026-11-20", "reason": "再次违规"},
    )
    assert first.document_number == "本县矫撤缓〔2026〕1号"
    assert second.document_number == "本县矫撤假〔2026〕1号"


def test_the_series_abbreviations_are_those_of_the_documents():
    """A sanction's number is printed on its document: the abbreviations must agree."""
    pairs = {
        ("admonition", "probation"): "admonition_decision",
        ("warning", "probation"): "warning_decision",
        ("police_penalty_request", "probation"): "police_penalty_request",
        ("revocation_request", "probation"): "revocation_probation",
        ("revocation_request", "parole"): "revocation_parole",
        ("custody_request", "temporary_release"): "custody_request",
    }
    for (kind, ctype), doc_kind in pairs.items():
        series = sv.sanction_series(kind, ctype)
        assert (series.code, series.abbrev) == (doc_kind, documents.KINDS[doc_kind].abbrev)


def test_each_unit_and_year_has_its_own_series(ctx, person_id):
    case = open_case(person_id)
    assert _warning(case, "2026-11-20").document_number == "本县矫警〔2026〕1号"
    issued = numbering.issue(
        _unit("邻县司法局"), numbering.Series("warning_decision", "矫警"), 2026, subject="test"
    )
    assert issued.number == "邻县矫警〔2026〕1号"
    next_year = numbering.issue(
        _unit(), numbering.Series("warning_decision", "矫警"), 2027, subject="test"
    )
    assert next_year.number == "本县矫警〔2027〕1号"
    assert _warning(case, "2026-11-21").document_number == "本县矫警〔2026〕2号"


def test_a_serial_issued_already_is_skipped_not_repeated(ctx, person_id):
    """Given the register holds 本县矫警〔2026〕1号 (kept from before) while the sequence
    is behind, when a warning is decided, then the conflict is retried with the next serial."""
    db.session.add(
        OfficialNumber(
            unit_id=_unit().id,
            series="warning_decision",
            year=2026,
            serial=1,
            number="本县矫警〔2026〕1号",
            subject="sanction",
        )
    )
    db.session.commit()
    case = open_case(person_id)
    assert _warning(case).document_number == "本县矫警〔2026〕2号"
    sequence = db.session.execute(select(NumberSequence)).scalar_one()
    assert sequence.last_serial == 2


def test_a_failed_request_gives_its_number_back(ctx, person_id):
    case = open_case(person_id)
    _warning(case)
    db.session.commit()
    _warning(case)  # takes 2 …
    db.session.rollback()  # … but the request fails
    assert _warning(case).document_number == "本县矫警〔2026〕2号"


def test_proposals_take_no_number_until_decided_on_the_decision_year(ctx, person_id):
    case = open_case(person_id)
    proposal = sv.record_sanction(
        user("off1"),
        case,
        {"kind": "warning", "proposed_on": "2026-11-20", "reason": "未经批准外出"},
        propose=True,
    )
    assert proposal.document_number == ""
    assert db.session.scalar(select(func.count(OfficialNumber.id))) == 0
    sv.decide_sanction(user("boss"), case, proposal.id, {"approved": True})
    assert proposal.document_number == f"本县矫警〔{date(2026, 11, 25).year}〕1号"


# --- under concurrency, on a real server -------------------------------------------------


@pytest.fixture
def server(app):
    """The application served by a multi-threaded werkzeug server on a loopback port."""
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}/api/v1"
    httpd.shutdown()
    thread.join(timeout=10)


def _post(url: str, token: str, body: dict) -> tuple[int, bytes]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _at_once(work) -> list:
    """Run ``work(i)`` in THREADS threads started together; the answers of every call."""
    barrier = threading.Barrier(THREADS)
    answers: list = []
    lock = threading.Lock()

    def run(i):
        barrier.wait()
        for _ in range(EACH):
            answer = work(i)
            with lock:
                answers.append(answer)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answers


def _cases(app, world) -> list[int]:
    ids = []
    with app.app_context():
        for i in range(THREADS):
            person = world.person(
                "off1", _id_number(i + 1), name="测试" + "甲乙丙丁戊己庚辛"[i], station="S1"
            )
            ids.append(open_case(person).id)
    return ids


def test_eight_supervisors_warning_at_once_get_distinct_consecutive_numbers(
    app, world, county, server
):
    cases = _cases(app, world)
    token = world.token("boss")
    answers = _at_once(
        lambda i: _post(
            f"{server}/corrections/{cases[i]}/sanctions",
            token,
            {"kind": "warning", "decided_on": "2026-11-20", "reason": "未经批准外出。"},
        )
    )
    assert [status for status, _body in answers] == [201] * THREADS * EACH, answers[:3]
    returned = sorted(json.loads(body)["document_number"] for _s, body in answers)
    expected = sorted(f"本县矫警〔2026〕{n}号" for n in range(1, THREADS * EACH + 1))
    assert returned == expected
    with app.app_context():
        stored = db.session.execute(select(Sanction.document_number)).scalars().all()
        assert sorted(stored) == expected
        serials = db.session.execute(
            select(OfficialNumber.serial).order_by(OfficialNumber.serial)
        ).scalars()
        assert list(serials) == list(range(1, THREADS * EACH + 1))


def test_documents_generated_at_once_get_distinct_consecutive_numbers(
    app, world, county, server, tmp_path, monkeypatch
):
    monkeypatch.setitem(app.config, "ATTACHMENT_DIR", str(tmp_path))
    cases = _cases(app, world)
    token = world.token("off1")
    answers = _at_once(
        lambda i: _post(f"{server}/documents/announcement", token, {"case_id": cases[i]})
    )
    assert [status for status, _body in answers] == [200] * THREADS * EACH
    with app.app_context():
        numbers = db.session.execute(select(GeneratedDocument.number)).scalars().all()
        assert sorted(numbers) == sorted(
            f"本县矫宣〔2026〕{n}号" for n in range(1, THREADS * EACH + 1)
        )
