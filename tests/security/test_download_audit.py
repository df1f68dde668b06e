"""Issuing and downloading (docs/security.md, "Downloads"): an official number is issued
only by a POST carrying the CSRF token; a GET (a link, a browser's prefetch) only
downloads a document already issued; every download of a document or an attachment is
an audit event naming who read what."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from corrections.audit.models import AuditEvent
from corrections.audit.services import verify_chain
from corrections.extensions import db
from corrections.numbering import OfficialNumber
from corrections.paperwork.models import Attachment, GeneratedDocument
from tests.helpers import open_case
from tests.paperwork.test_attachments import PDF


@pytest.fixture
def store_dir(app, tmp_path, monkeypatch):
    path = tmp_path / "store"
    monkeypatch.setitem(app.config, "ATTACHMENT_DIR", str(path))
    return path


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _events(action: str) -> list[AuditEvent]:
    return list(
        db.session.execute(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        ).scalars()
    )


def _case_id(app, person_id) -> int:
    with app.app_context():
        return open_case(person_id).id


def test_given_a_link_or_prefetch_when_it_gets_the_generate_url_then_no_number_is_taken(
    app, client, world, person_id, store_dir
):
    case_id = _case_id(app, person_id)
    world.login(client, "off1")
    response = client.get(f"/documents/announcement?case_id={case_id}")
    assert response.status_code == 405
    api = world.api("off1").get(f"/documents/announcement?case_id={case_id}")
    assert api.status_code == 405
    with app.app_context():
        assert _count(GeneratedDocument) == 0 and _count(OfficialNumber) == 0


def test_given_csrf_protection_when_the_form_lacks_the_token_then_nothing_is_issued(
    app, client, world, person_id, store_dir, monkeypatch
):
    case_id = _case_id(app, person_id)
    world.login(client, "off1")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = client.post("/documents/announcement", data={"case_id": case_id})
    assert response.status_code == 400
    with app.app_context():
        assert _count(GeneratedDocument) == 0 and _count(OfficialNumber) == 0
    # with the token from the case page the same form issues the number
    page = client.get(f"/corrections/{case_id}").get_data(as_text=True)
    form = re.search(r'<form method="post" action="/documents/announcement".*?</form>', page, re.S)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form[0])[1]
    issued = client.post("/documents/announcement", data={"case_id": case_id, "csrf_token": token})
    assert issued.status_code == 303
    assert re.search(r"/documents/file/\d+$", issued.headers["Location"])
    with app.app_context():
        assert _count(GeneratedDocument) == 1


def test_every_document_download_is_audited_with_who_and_which(
    app, client, world, person_id, store_dir
):
    case_id = _case_id(app, person_id)
    world.login(client, "off1")
    issued = client.post("/documents/announcement", data={"case_id": case_id})
    document_id = int(issued.headers["Location"].rsplit("/", 1)[1])
    assert client.get(f"/documents/file/{document_id}").status_code == 200
    assert client.get(f"/documents/file/{document_id}").status_code == 200
    assert world.api("viewer").get(f"/generated-documents/{document_id}").status_code == 200
    # out of scope: no file and no event
    other = world.login(app.test_client(), "off2")
    assert other.get(f"/documents/file/{document_id}").status_code == 404
    with app.app_context():
        events = _events("document.download")
        assert [e.username for e in events] == ["off1", "off1", "viewer"]
        assert {e.entity_type for e in events} == {"generated_document"}
        assert {e.entity_id for e in events} == {document_id}
        assert events[0].after["number"] == "本县矫宣〔2026〕1号"
        assert events[0].after["case_id"] == case_id
        assert verify_chain().ok


def test_every_attachment_download_is_audited_with_who_and_which(
    app, client, world, person_id, store_dir
):
    case_id = _case_id(app, person_id)
    world.login(client, "off1")
    client.post(
        "/attachments/upload",
        data={
            "programme": "correction",
            "case_id": str(case_id),
            "kind": "judgment",
            "file": (io.BytesIO(PDF), "刑事判决书.pdf"),
        },
        content_type="multipart/form-data",
    )
    with app.app_context():
        attachment_id = db.session.execute(select(Attachment.id)).scalar_one()
    assert client.get(f"/attachments/{attachment_id}").status_code == 200
    assert client.get(f"/attachments/{attachment_id}?inline=1").status_code == 200
    viewer = world.login(app.test_client(), "viewer")
    assert viewer.get(f"/attachments/{attachment_id}").status_code == 200
    other = world.login(app.test_client(), "off2")
    assert other.get(f"/attachments/{attachment_id}").status_code == 404
    with app.app_context():
        events = _events("attachment.download")
        assert [e.username for e in events] == ["off1", "off1", "viewer"]
        assert {e.entity_id for e in events} == {attachment_id}
        assert events[0].after["filename"] == "刑事判决书.pdf"
        assert events[0].after["case_id"] == case_id
