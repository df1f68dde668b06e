"""Official documents: every kind renders from the records, numbers never repeat, refusals."""

from __future__ import annotations

import os
import subprocess
from datetime import date

import pytest
from sqlalchemy import select
from stdnum.cn import ric

from corrections import clock
from corrections.assessments import services as av
from corrections.audit.models import AuditEvent
from corrections.errors import Forbidden, NotFound, RuleViolation
from corrections.extensions import db
from corrections.paperwork import documents
from corrections.paperwork.models import GeneratedDocument
from corrections.resettlement import services as rs
from corrections.supervision import services as sv
from tests.helpers import open_case, user

PDF_OUT = os.environ.get("DOCUMENTS_PDF_OUT")  # set to keep the PDFs for looking at


def pdf_text(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF")
    out = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return out.stdout.decode()


def _flat(text: str) -> str:
    return "".join(text.split())


def _leave(case, approve=True, starts_on="2026-11-27", ends_on="2026-11-30"):
    leave = sv.apply_leave(
        user("off1"),
        case,
        {
            "starts_on": starts_on,
            "ends_on": ends_on,
            "destination": "浙江省杭州市西湖区",
            "reason": "medical",
            "reason_detail": "到省人民医院复查",
            "applied_on": "2026-11-24",
        },
    )
    if approve:
        sv.decide_leave(
            user("off1"), case, leave.id, {"approved": True, "decided_on": "2026-11-25"}
        )
    return leave


def _sanction(case, kind):
    return sv.record_sanction(
        user("boss"),
        case,
        {
            "kind": kind,
            "decided_on": "2026-11-20",
            "reason": "2026年11月10日未经批准离开居住地县。",
            "investigation": "经电话核实，其本人承认上述事实。",
        },
    )


def _case(person_id, **kw):
    case = open_case(person_id, **kw)
    sv.add_team_member(
        user("off1"), case, {"name": "王芳", "role": "社区工作者", "sex": "female", "phone": "139"}
    )
    return case


def _released(person_id):
    case = _case(person_id, term_end="2026-11-01")
    sv.release_case(user("boss"), case, {"released_on": "2026-11-02", "reason": "expiry"})
    return case


def _assessment():
    a = av.register_assessment(
        user("off1"),
        {
            "station": "S1",
            "name": "赵六",
            "commissioned_by": "court",
            "commissioning_body": "示范县人民法院",
            "received_on": "2026-11-18",
            "crime": "危险驾驶罪",
            "proposed_type": "probation",
        },
    )
    av.complete_assessment(user("off1"), a, {"completed_on": "2026-11-24", "opinion": "suitable"})
    return a


def _rs_case(person_id, handed_over=True):
    case = rs.create_case(
        user("off1"),
        {
            "person_id": person_id,
            "station": "S1",
            "source": "prison",
            "facility": "省第一监狱",
            "released_on": "2026-11-20",
            "crime": "盗窃罪",
            "sentence": "有期徒刑二年",
        },
    )
    if handed_over:
        rs.handover(user("off1"), case, {"handed_over_on": "2026-11-21", "method": "family"})
    return case


def _setup(kind: str, person_id: int):
    """(case_id, record_id, name) for a kind, in the state it needs."""
    if kind in ("announcement", "notice"):
        return _case(person_id).id, None, "张三"
    if kind in ("leave_approval", "leave_certificate"):
        case = _case(person_id)
        return case.id, _leave(case).id, "张三"
    sanction_kinds = {
        "admonition_decision": ("admonition", "probation"),
        "warning_decision": ("warning", "probation"),
        "police_penalty_request": ("police_penalty_request", "probation"),
        "revocation_probation": ("revocation_request", "probation"),
        "revocation_parole": ("revocation_request", "parole"),
        "custody_request": ("custody_request", "temporary_release"),
    }
    if kind in sanction_kinds:
        sanction_kind, ctype = sanction_kinds[kind]
        extra = {"grounds": "medical"} if ctype == "temporary_release" else {}
        case = _case(person_id, correction_type=ctype, **extra)
        return case.id, _sanction(case, sanction_kind).id, "张三"
    if kind.startswith("release_"):
        return _released(person_id).id, None, "张三"
    if kind == "assessment_opinion":
        return _assessment().id, None, "赵六"
    if kind in ("handover_register", "assistance_agreement"):
        return _rs_case(person_id).id, None, "张三"
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", list(documents.KINDS))
def test_every_kind_renders_title_name_and_number(ctx, person_id, kind):
    case_id, record_id, name = _setup(kind, person_id)
    db.session.commit()
    document, pdf = documents.generate(user("off1"), kind, case_id, record_id)
    db.session.commit()
    text = _flat(pdf_text(pdf))
    title = documents.KINDS[kind].heading or documents.KINDS[kind].title  # as printed
    assert _flat(title) in text
    assert name in text
    assert document.number in text
    if documents.KINDS[kind].record is sv.Sanction:  # the sanction's own number
        sanction = db.session.get(sv.Sanction, record_id)
        assert document.number == sanction.document_number
        assert document.serial is None and document.record_id == sanction.id
    else:
        assert document.number.startswith("本县") and document.number.endswith("〔2026〕1号")
    if PDF_OUT:
        os.makedirs(PDF_OUT, exist_ok=True)
        with open(os.path.join(PDF_OUT, f"{kind}.pdf"), "wb") as fh:
            fh.write(pdf)


def test_documents_hold_the_case_facts(ctx, person_id):
    case = _case(person_id)
    leave = _leave(case)
    db.session.commit()
    _doc, pdf = documents.generate(user("off1"), "leave_certificate", case.id, leave.id)
    text = _flat(pdf_text(pdf))
    assert "浙江省杭州市西湖区" in text
    assert "2026年11月27日至2026年11月30日" in text
    _doc, pdf = documents.generate(user("off1"), "notice", case.id)
    text = _flat(pdf_text(pdf))
    assert "王芳" in text and "盗窃罪" in text and "2027年1月4日" in text


def test_numbers_increase_per_kind_and_restart_each_year(ctx, person_id, female_id):
    case = _case(person_id)
    other = _case(female_id)
    db.session.commit()
    numbers = [
        documents.generate(user("off1"), "announcement", c.id)[0].number
        for c in (case, other, case)
    ]
    assert numbers == ["本县矫宣〔2026〕1号", "本县矫宣〔2026〕2号", "本县矫宣〔2026〕3号"]
    # another kind has its own sequence
    assert documents.generate(user("off1"), "notice", case.id)[0].serial == 1
    clock.set_today(date(2027, 1, 4))
    try:
        assert documents.generate(user("off1"), "announcement", case.id)[0].number == (
            "本县矫宣〔2027〕1号"
        )
    finally:
        clock.set_today(date(2026, 11, 25))
    db.session.commit()
    serials = db.session.execute(
        select(GeneratedDocument.year, GeneratedDocument.serial)
        .where(GeneratedDocument.kind == "announcement")
        .order_by(GeneratedDocument.id)
    ).all()
    assert [tuple(r) for r in serials] == [(2026, 1), (2026, 2), (2026, 3), (2027, 1)]


def test_units_have_their_own_sequences(ctx, world, person_id):
    case = _case(person_id)
    db.session.commit()
    body = "33010619850312005"
    far_id = body + ric.calc_check_digit(body + "0")
    far_person = world.person("far", far_id, name="王五", station="T1")
    far_case = open_case(far_person, actor="far", station="T1")
    a = documents.generate(user("off1"), "announcement", case.id)[0]
    b = documents.generate(user("far"), "announcement", far_case.id)[0]
    assert (a.serial, b.serial) == (1, 1)
    assert b.number == "邻县矫宣〔2026〕1号"


def test_generation_is_audited_and_recorded(ctx, person_id):
    case = _case(person_id)
    db.session.commit()
    document, _pdf = documents.generate(user("off1"), "announcement", case.id)
    db.session.commit()
    event = db.session.execute(
        select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)
    ).scalar_one()
    assert event.action == "document.generate"
    assert event.entity_id == document.id
    assert event.after["number"] == document.number
    assert document.generated_by_id == user("off1").id
    assert [d.id for d in documents.documents_of(user("off1"), "correction", case.id)] == [
        document.id
    ]


def test_wrong_record_state_is_refused(ctx, person_id, female_id):
    case = _case(person_id)
    applied = _leave(case, approve=False)
    admonition = _sanction(case, "admonition")
    db.session.commit()
    with pytest.raises(RuleViolation):
        documents.generate(user("off1"), "leave_certificate", case.id, applied.id)
    with pytest.raises(RuleViolation):
        documents.generate(user("off1"), "warning_decision", case.id, admonition.id)
    with pytest.raises(RuleViolation):
        documents.generate(user("off1"), "release_certificate", case.id)
    with pytest.raises(RuleViolation):  # a probation case has no parole to revoke
        documents.generate(user("off1"), "revocation_parole", case.id, admonition.id)
    proposal = sv.record_sanction(
        user("off1"),
        case,
        {"kind": "warning", "proposed_on": "2026-11-20", "reason": "x"},
        propose=True,
    )
    with pytest.raises(RuleViolation):
        documents.generate(user("off1"), "warning_decision", case.id, proposal.id)
    # a record of another case looks missing
    other = _case(female_id)
    with pytest.raises(NotFound):
        documents.generate(user("off1"), "admonition_decision", other.id, admonition.id)
    assert db.session.scalar(select(GeneratedDocument.id)) is None


def test_scope_and_role(ctx, person_id):
    case = _case(person_id)
    db.session.commit()
    with pytest.raises(NotFound):
        documents.generate(user("off2"), "announcement", case.id)
    with pytest.raises(NotFound):
        documents.generate(user("farboss"), "announcement", case.id)
    with pytest.raises(Forbidden):
        documents.generate(user("viewer"), "announcement", case.id)
    with pytest.raises(NotFound):
        documents.generate(user("off1"), "no_such_kind", case.id)


def test_web_download_and_list(app, client, world, person_id):
    with app.app_context():
        case_id = _case(person_id).id
        db.session.commit()
    world.login(client, "off1")
    response = client.post("/documents/announcement", data={"case_id": case_id})
    assert response.status_code == 303
    response = client.get(response.headers["Location"])
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    page = client.get(f"/documents/?programme=correction&case_id={case_id}")
    assert page.status_code == 200
    assert "本县矫宣〔2026〕1号" in page.get_data(as_text=True)
    refused = client.post("/documents/release_certificate", data={"case_id": case_id})
    assert refused.status_code == 422


def test_web_refusals(app, client, world, person_id):
    with app.app_context():
        case_id = _case(person_id).id
        db.session.commit()
    world.login(client, "off2")
    assert client.post("/documents/announcement", data={"case_id": case_id}).status_code == 404
    client.get("/logout")
    viewer = world.app.test_client()
    world.login(viewer, "viewer")
    assert viewer.post("/documents/announcement", data={"case_id": case_id}).status_code == 403


def test_api_returns_pdf(app, world, person_id):
    with app.app_context():
        case = _case(person_id)
        leave = _leave(case)
        db.session.commit()
        case_id, leave_id = case.id, leave.id
    api = world.api("off1")
    response = api.post(
        "/documents/leave_certificate", json={"case_id": case_id, "record_id": leave_id}
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert "本县矫外证〔2026〕1号" in _flat(pdf_text(response.data))
    body = {"case_id": case_id}
    assert api.post("/documents/leave_certificate", json=body).status_code == 422
    assert world.api("viewer").post("/documents/announcement", json=body).status_code == 403
    assert world.api("off2").post("/documents/announcement", json=body).status_code == 404
    assert world.api("off1").post("/documents/nope", json=body).status_code == 404


def test_concurrent_generation_never_repeats_a_number(app, world, person_id):
    import threading

    from corrections.audit.services import verify_chain

    with app.app_context():
        case_id = _case(person_id).id
        db.session.commit()
    errors = []

    def generate():
        try:
            with app.app_context():
                documents.generate(user("off1"), "announcement", case_id)
                db.session.commit()
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=generate) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with app.app_context():
        serials = db.session.execute(
            select(GeneratedDocument.serial).order_by(GeneratedDocument.serial)
        ).scalars()
        assert list(serials) == list(range(1, 9))
        assert verify_chain().ok


def _generate_forms(page: str) -> set[tuple[str, str, str | None]]:
    """(kind, case_id, record_id) of every 制作/重新生成 form (a POST with the CSRF field)."""
    import re

    found = set()
    for match in re.finditer(
        r'<form method="post" action="/documents/(\w+)"(.*?)</form>', page, re.S
    ):
        body = match[2]
        assert 'name="csrf_token"' in body
        case = re.search(r'name="case_id" value="(\d+)"', body)[1]
        record = re.search(r'name="record_id" value="(\d+)"', body)
        found.add((match[1], case, record[1] if record else None))
    return found


def test_case_pages_offer_the_documents_their_records_allow(
    app, client, world, person_id, female_id
):
    with app.app_context():
        case = _case(person_id)
        leave = _leave(case)
        pending = _leave(case, approve=False, starts_on="2026-12-05", ends_on="2026-12-06")
        rs_case = _rs_case(female_id)  # not under correction (docs/domain.md §7.2)
        db.session.commit()
        case_id, leave_id, pending_id, rs_id = case.id, leave.id, pending.id, rs_case.id
    world.login(client, "off1")
    page = client.get(f"/corrections/{case_id}").get_data(as_text=True)
    forms = _generate_forms(page)
    assert ("announcement", str(case_id), None) in forms
    assert ("leave_certificate", str(case_id), str(leave_id)) in forms
    assert ("leave_certificate", str(case_id), str(pending_id)) not in forms
    assert "release_certificate" not in page
    page = client.get(f"/resettlement/{rs_id}").get_data(as_text=True)
    assert ("assistance_agreement", str(rs_id), None) in _generate_forms(page)
    viewer = app.test_client()
    world.login(viewer, "viewer")
    assert "/documents/announcement" not in viewer.get(f"/corrections/{case_id}").get_data(
        as_text=True
    )
