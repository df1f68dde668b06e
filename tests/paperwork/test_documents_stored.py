"""Generated documents are kept: downloaded again as the same file with the same number,
scoped, checksum-verified; regenerating takes a new number; a sanction's PDF carries the
sanction's own number and takes none of its own."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from corrections.audit.models import AuditEvent
from corrections.errors import NotFound
from corrections.extensions import db
from corrections.numbering import NumberSequence
from corrections.paperwork import attachments as storage
from corrections.paperwork import documents
from corrections.paperwork.models import GeneratedDocument
from corrections.supervision.models import Sanction
from tests.helpers import user
from tests.paperwork.test_documents import _case, _flat, _rs_case, _sanction, pdf_text


@pytest.fixture
def store_dir(app, tmp_path, monkeypatch):
    path = tmp_path / "store"
    monkeypatch.setitem(app.config, "ATTACHMENT_DIR", str(path))
    return path


def _counter_total() -> int:
    return db.session.scalar(select(func.coalesce(func.sum(NumberSequence.last_serial), 0)))


def test_generation_stores_the_pdf_and_download_returns_it(
    app, client, world, person_id, store_dir
):
    with app.app_context():
        case_id = _case(person_id).id
        db.session.commit()
    world.login(client, "off1")
    issued = client.post("/documents/announcement", data={"case_id": case_id})
    assert issued.status_code == 303
    first = client.get(issued.headers["Location"])
    assert first.status_code == 200
    document_id = int(re.search(r"/documents/file/(\d+)$", issued.headers["Location"])[1])
    with app.app_context():
        document = db.session.get(GeneratedDocument, document_id)
        assert document.number == "本县矫宣〔2026〕1号"
        assert document.size == len(first.data)
        assert (store_dir / document.storage_key).read_bytes() == first.data
        event = db.session.execute(
            select(AuditEvent).where(AuditEvent.action == "document.generate")
        ).scalar_one()
        assert event.after["sha256"] == document.sha256
    again = client.get(f"/documents/file/{document_id}")
    twice = client.get(f"/documents/file/{document_id}")
    assert again.status_code == twice.status_code == 200
    assert again.mimetype == "application/pdf"
    assert again.data == twice.data == first.data
    assert "本县矫宣〔2026〕1号" in _flat(pdf_text(again.data))
    with app.app_context():  # downloading took no number
        assert db.session.scalar(select(func.count(GeneratedDocument.id))) == 1
    # the API returns the same file
    api = world.api("off1").get(f"/generated-documents/{document_id}")
    assert api.status_code == 200 and api.data == first.data
    assert world.api("viewer").get(f"/generated-documents/{document_id}").status_code == 200


def test_out_of_scope_download_is_404(app, client, world, person_id, store_dir):
    with app.app_context():
        case = _case(person_id)
        db.session.commit()
        document, _pdf = documents.generate(user("off1"), "announcement", case.id)
        db.session.commit()
        document_id = document.id
        with pytest.raises(NotFound):
            documents.open_for_download(user("off2"), document_id)
    world.login(client, "off2")
    assert client.get(f"/documents/file/{document_id}").status_code == 404
    assert client.get("/documents/file/999999").status_code == 404
    assert world.api("farboss").get(f"/generated-documents/{document_id}").status_code == 404


def test_tampered_file_is_refused(app, client, world, person_id, store_dir):
    with app.app_context():
        case = _case(person_id)
        db.session.commit()
        document, pdf = documents.generate(user("off1"), "announcement", case.id)
        db.session.commit()
        document_id = document.id
        (store_dir / document.storage_key).write_bytes(pdf.replace(b"%PDF", b"%PDF ", 1))
        with pytest.raises(storage.ChecksumMismatch):
            documents.open_for_download(user("off1"), document_id)
    world.login(client, "off1")
    response = client.get(f"/documents/file/{document_id}")
    assert response.status_code == 410  # a clear page, never a 500
    assert response.mimetype != "application/pdf"
    assert "文书文件缺失或已损坏" in response.get_data(as_text=True)
    assert world.api("off1").get(f"/generated-documents/{document_id}").status_code == 410


def test_regenerating_takes_a_new_number_and_keeps_the_old_file(ctx, person_id, store_dir):
    case = _case(person_id)
    db.session.commit()
    first, first_pdf = documents.generate(user("off1"), "announcement", case.id)
    db.session.commit()
    second, second_pdf = documents.generate(user("off1"), "announcement", case.id)
    db.session.commit()
    assert (first.number, second.number) == ("本县矫宣〔2026〕1号", "本县矫宣〔2026〕2号")
    _doc, handle = documents.open_for_download(user("off1"), first.id)
    assert handle.read() == first_pdf
    _doc, handle = documents.open_for_download(user("off1"), second.id)
    assert handle.read() == second_pdf


def test_sanction_pdf_carries_the_sanctions_number(ctx, person_id, store_dir):
    case = _case(person_id)
    warning = _sanction(case, "warning")
    db.session.commit()
    number = warning.document_number
    assert number == "本县矫警〔2026〕1号"
    counters = _counter_total()
    document, pdf = documents.generate(user("boss"), "warning_decision", case.id, warning.id)
    db.session.commit()
    assert document.number == number and document.serial is None
    text = _flat(pdf_text(pdf))
    assert number in text
    assert "本县矫警〔2026〕2号" not in text  # no second number
    again, again_pdf = documents.generate(user("boss"), "warning_decision", case.id, warning.id)
    db.session.commit()
    assert again.id != document.id and again.number == number
    assert number in _flat(pdf_text(again_pdf))
    assert _counter_total() == counters  # no counter value consumed
    assert db.session.get(Sanction, warning.id).document_number == number
    # the next sanction still takes the next decision number
    assert _sanction(case, "warning").document_number == "本县矫警〔2026〕2号"
    # and the other kinds' sequences are untouched
    assert documents.generate(user("off1"), "announcement", case.id)[0].serial == 1


def test_case_pages_list_documents_with_download_and_regenerate(
    app, client, world, person_id, female_id, store_dir
):
    with app.app_context():
        case = _case(person_id)
        rs_case = _rs_case(female_id)  # not under correction (docs/domain.md §7.2)
        db.session.commit()
        case_id, rs_id = case.id, rs_case.id
    world.login(client, "off1")
    page = client.get(f"/corrections/{case_id}").get_data(as_text=True)
    assert 'id="generated-documents"' not in page and ">重新生成</button>" not in page
    assert ">制作</button>" in page
    client.post("/documents/announcement", data={"case_id": case_id})
    client.post("/documents/assistance_agreement", data={"case_id": rs_id})
    with app.app_context():
        ids = dict(db.session.execute(select(GeneratedDocument.kind, GeneratedDocument.id)).all())
    for url, kind, number in (
        (f"/corrections/{case_id}", "announcement", "本县矫宣〔2026〕1号"),
        (
            f"/documents/?programme=correction&case_id={case_id}",
            "announcement",
            "本县矫宣〔2026〕1号",
        ),
        (f"/resettlement/{rs_id}", "assistance_agreement", "本县帮协〔2026〕1号"),
        (
            f"/documents/?programme=resettlement&case_id={rs_id}",
            "assistance_agreement",
            "本县帮协〔2026〕1号",
        ),
    ):
        page = client.get(url).get_data(as_text=True)
        assert number in page, url
        assert f"/documents/file/{ids[kind]}" in page, url
        assert "off1" in page  # who generated it
        assert ">重新生成</button>" in page, url
    viewer = app.test_client()
    world.login(viewer, "viewer")
    page = viewer.get(f"/corrections/{case_id}").get_data(as_text=True)
    assert f"/documents/file/{ids['announcement']}" in page
    assert "/documents/announcement" not in page and ">重新生成</button>" not in page
    other = app.test_client()
    world.login(other, "off2")
    assert other.get(f"/documents/?programme=correction&case_id={case_id}").status_code == 404
