"""Attachments: type by content, size limit, checksum, scope, void, API."""

from __future__ import annotations

import hashlib
import io
import os
import struct
import zlib
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from corrections.audit.models import AuditEvent
from corrections.extensions import db
from corrections.paperwork import attachments as service
from corrections.paperwork.models import Attachment
from corrections.resettlement import services as rs
from corrections.supervision import services as supervision
from tests.helpers import open_case, user

# --------------------------------------------------------------------------- tiny files

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x80"))
        + chunk(b"IEND", b"")
    )


def _jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (2, 2), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


PNG = _png()
JPEG = _jpeg()
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64


class Upload:
    """Stands in for a werkzeug FileStorage in service tests."""

    def __init__(self, data: bytes, filename: str):
        self.stream = io.BytesIO(data)
        self.filename = filename


@pytest.fixture
def store_dir(app, tmp_path, monkeypatch):
    path = tmp_path / "attachments"
    monkeypatch.setitem(app.config, "ATTACHMENT_DIR", str(path))
    return path


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def _case_id(person_id) -> int:
    return open_case(person_id).id


def _visit(case_id: int) -> int:
    case = db.session.get(supervision.CorrectionCase, case_id)
    contact = supervision.record_contact(
        user("off1"), case, {"kind": "field_visit", "occurred_on": "2026-11-20", "note": "走访"}
    )
    db.session.commit()
    return contact.id


# --------------------------------------------------------------------------- sniffing


def test_type_is_told_by_content_not_name():
    assert service.sniff(PDF) == "application/pdf"
    assert service.sniff(JPEG) == "image/jpeg"
    assert service.sniff(PNG) == "image/png"
    assert service.sniff(HEIC) == "image/heic"
    assert service.sniff(EXE) is None
    assert service.sniff(b"\x00\x00\x00\x18ftypisom\x00\x00\x00\x00isomiso2") is None  # MP4


# --------------------------------------------------------------------------- service


@pytest.mark.parametrize(
    ("data", "name", "content_type"),
    [
        (PDF, "判决书.pdf", "application/pdf"),
        (JPEG, "照片.jpg", "image/jpeg"),
        (PNG, "a.png", "image/png"),
    ],
)
def test_store_pdf_jpeg_png_content_addressed_with_checksum(
    ctx, person_id, store_dir, data, name, content_type
):
    case = db.session.get(supervision.CorrectionCase, _case_id(person_id))
    a = service.store(user("off1"), case, "judgment", Upload(data, name), "  扫描件 ")
    db.session.commit()
    digest = hashlib.sha256(data).hexdigest()
    assert (a.content_type, a.size, a.sha256, a.filename) == (content_type, len(data), digest, name)
    assert (a.person_id, a.programme, a.case_id, a.note) == (
        person_id,
        "correction",
        case.id,
        "扫描件",
    )
    assert a.storage_key == f"{digest[:2]}/{digest[2:4]}/{digest}"
    assert _files(store_dir) == [store_dir / digest[:2] / digest[2:4] / digest]
    assert (store_dir / a.storage_key).read_bytes() == data
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "attachment.upload")
    ).scalar_one()
    assert event.entity_id == a.id and event.after["sha256"] == digest
    found, handle = service.open_for_download(user("off1"), a.id)
    assert found.id == a.id and handle.read() == data


def test_same_content_twice_keeps_one_file_two_rows(ctx, person_id, store_dir):
    person = db.session.get(service.Person, person_id)
    service.store(user("off1"), person, "other", Upload(PDF, "a.pdf"))
    service.store(user("off1"), person, "notice", Upload(PDF, "b.pdf"))
    db.session.commit()
    assert _count(Attachment) == 2
    assert len(_files(store_dir)) == 1


@pytest.mark.parametrize(
    ("data", "name", "code", "text"),
    [
        (EXE, "判决书.pdf", "unsupported_type", "只能上传PDF、JPEG或PNG"),
        (HEIC, "IMG_0001.HEIC", "heic_not_supported", "iPhone照片为HEIC格式"),
        (b"", "empty.pdf", "validation_failed", "文件是空的"),
    ],
)
def test_refused_files_leave_no_row_and_no_file(ctx, person_id, store_dir, data, name, code, text):
    person = db.session.get(service.Person, person_id)
    with pytest.raises(service.ValidationFailed) as refused:
        service.store(user("off1"), person, "judgment", Upload(data, name))
    assert refused.value.code == code
    assert text in refused.value.message
    db.session.rollback()
    assert _count(Attachment) == 0
    assert _files(store_dir) == []


def test_heic_message_names_the_iphone_setting(ctx, person_id, store_dir):
    person = db.session.get(service.Person, person_id)
    with pytest.raises(service.ValidationFailed) as refused:
        service.store(user("off1"), person, "other", Upload(HEIC, "IMG.heic"))
    assert "兼容性最佳" in refused.value.message and "JPEG" in refused.value.message


def test_too_large_refused_from_config(ctx, app, person_id, store_dir, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_ATTACHMENT_MB", 1)
    person = db.session.get(service.Person, person_id)
    big = PDF + b"0" * (1024 * 1024)
    with pytest.raises(service.ValidationFailed) as refused:
        service.store(user("off1"), person, "judgment", Upload(big, "big.pdf"))
    assert refused.value.code == "too_large" and "1 MB" in refused.value.message
    db.session.rollback()
    assert _count(Attachment) == 0 and _files(store_dir) == []
    just_fits = PDF + b"0" * (1024 * 1024 - len(PDF))
    a = service.store(user("off1"), person, "judgment", Upload(just_fits, "fits.pdf"))
    assert a.size == 1024 * 1024


def test_visit_photo_attaches_to_a_contact_of_the_case(ctx, person_id, female_id, store_dir):
    case_id = _case_id(person_id)
    contact_id = _visit(case_id)
    other_contact = _visit(_case_id(female_id))
    case = db.session.get(supervision.CorrectionCase, case_id)
    with pytest.raises(service.ValidationFailed) as refused:
        service.store(user("off1"), case, "visit_photo", Upload(JPEG, "v.jpg"))
    assert "contact_id" in refused.value.fields
    with pytest.raises(service.ValidationFailed) as refused:
        service.store(user("off1"), case, "visit_photo", Upload(JPEG, "v.jpg"), "", other_contact)
    assert "contact_id" in refused.value.fields
    assert _files(store_dir) == []
    a = service.store(user("off1"), case, "visit_photo", Upload(JPEG, "v.jpg"), "", contact_id)
    db.session.commit()
    assert a.contact_id == contact_id


def test_resettlement_contact_photo(ctx, person_id, store_dir):
    case = rs.create_case(
        user("off1"),
        {
            "person_id": person_id,
            "station": "S1",
            "source": "prison",
            "facility": "省第一监狱",
            "released_on": "2026-10-01",
            "crime": "盗窃罪",
        },
    )
    db.session.commit()
    contact = rs.record_contact(
        user("off1"), case, {"kind": "field_visit", "occurred_on": "2026-11-20", "note": "走访"}
    )
    db.session.commit()
    a = service.store(user("off1"), case, "visit_photo", Upload(PNG, "p.png"), "", contact.id)
    db.session.commit()
    assert (a.programme, a.case_id, a.contact_id) == ("resettlement", case.id, contact.id)


def test_checksum_verified_on_read(ctx, person_id, store_dir):
    person = db.session.get(service.Person, person_id)
    a = service.store(user("off1"), person, "other", Upload(PNG, "a.png"))
    db.session.commit()
    (store_dir / a.storage_key).write_bytes(PNG + b"tampered")
    with pytest.raises(service.ChecksumMismatch):
        service.open_for_download(user("off1"), a.id)


def test_viewer_may_not_upload(ctx, person_id, store_dir):
    person = db.session.get(service.Person, person_id)
    with pytest.raises(service.Forbidden):
        service.store(user("viewer"), person, "other", Upload(PDF, "a.pdf"))
    assert _files(store_dir) == []


def test_void_keeps_the_row_and_the_file(ctx, person_id, store_dir):
    person = db.session.get(service.Person, person_id)
    a = service.store(user("off1"), person, "other", Upload(PDF, "a.pdf"))
    db.session.commit()
    with pytest.raises(service.ValidationFailed):
        service.void(user("off1"), a, " ")
    service.void(user("off1"), a, "传错了")
    db.session.commit()
    assert a.voided_at is not None and a.void_reason == "传错了"
    assert _count(Attachment) == 1 and len(_files(store_dir)) == 1
    with pytest.raises(service.RuleViolation):
        service.void(user("off1"), a, "再作废")
    db.session.rollback()
    assert db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "attachment.void")
    ).scalar_one()


# --------------------------------------------------------------------------- web


def test_web_upload_download_and_scope(app, client, world, person_id, store_dir):
    with app.app_context():
        case_id = _case_id(person_id)
    world.login(client, "off1")
    response = client.post(
        "/attachments/upload",
        data={
            "programme": "correction",
            "case_id": str(case_id),
            "kind": "judgment",
            "note": "判决书扫描件",
            "file": (io.BytesIO(PDF), "刑事判决书.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/corrections/{case_id}#attachments")
    with app.app_context():
        a = db.session.execute(select(Attachment)).scalar_one()
        attachment_id = a.id
    page = client.get(f"/corrections/{case_id}").get_data(as_text=True)
    assert "刑事判决书.pdf" in page and 'id="attachments"' in page
    # no `capture`: phones offer the camera and the gallery (photos taken earlier)
    assert 'accept="application/pdf,image/jpeg,image/png"' in page and "capture=" not in page
    assert "刑事判决书.pdf" in client.get(f"/people/{person_id}").get_data(as_text=True)

    response = client.get(f"/attachments/{attachment_id}")
    assert response.status_code == 200
    assert response.data == PDF
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert "attachment" in disposition
    assert "filename*=UTF-8''" + quote("刑事判决书.pdf") in disposition

    other = world.login(app.test_client(), "off2")  # another station's officer
    assert other.get(f"/attachments/{attachment_id}").status_code == 404
    far = world.login(app.test_client(), "far")  # another unit
    assert far.get(f"/attachments/{attachment_id}").status_code == 404
    assert (
        world.login(app.test_client(), "boss").get(f"/attachments/{attachment_id}").status_code
        == 200
    )
    response = other.post(
        "/attachments/upload",
        data={"person_id": str(person_id), "kind": "other", "file": (io.BytesIO(PDF), "x.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 404
    assert other.post(f"/attachments/{attachment_id}/void", data={"reason": "x"}).status_code == 404


def test_web_refusal_flashes_and_stores_nothing(app, client, world, person_id, store_dir):
    world.login(client, "off1")
    response = client.post(
        "/attachments/upload",
        data={"person_id": str(person_id), "kind": "other", "file": (io.BytesIO(HEIC), "IMG.HEIC")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "iPhone照片为HEIC格式" in response.get_data(as_text=True)
    with app.app_context():
        assert _count(Attachment) == 0
    assert _files(store_dir) == []


def test_web_void(app, client, world, person_id, store_dir):
    world.login(client, "off1")
    client.post(
        "/attachments/upload",
        data={
            "person_id": str(person_id),
            "kind": "id_card",
            "file": (io.BytesIO(PNG), "身份证.png"),
        },
        content_type="multipart/form-data",
    )
    with app.app_context():
        attachment_id = db.session.execute(select(Attachment.id)).scalar_one()
    response = client.post(
        f"/attachments/{attachment_id}/void",
        data={"reason": "重复上传", "next": f"/people/{person_id}#attachments"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "重复上传" in response.get_data(as_text=True)
    with app.app_context():
        a = db.session.get(Attachment, attachment_id)
        assert a.voided_at is not None
    assert len(_files(store_dir)) == 1
    assert client.get(f"/attachments/{attachment_id}").status_code == 200  # still readable


def test_oversized_body_is_413(app, client, world, person_id, store_dir, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 4096)
    world.login(client, "off1")
    response = client.post(
        "/attachments/upload",
        data={
            "person_id": str(person_id),
            "kind": "other",
            "file": (io.BytesIO(PDF * 200), "a.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert _files(store_dir) == []


# --------------------------------------------------------------------------- API


def _api_upload(api, case_id, data: bytes, name: str, **fields):
    form = {"file": (io.BytesIO(data), name), **fields}
    return api.client.post(
        f"/api/v1/corrections/{case_id}/attachments",
        headers=api.headers,
        data=form,
        content_type="multipart/form-data",
    )


def test_api_upload_and_list(app, world, person_id, store_dir):
    with app.app_context():
        case_id = _case_id(person_id)
        contact_id = _visit(case_id)
    api = world.api("off1")
    response = _api_upload(api, case_id, PDF, "判决书.pdf", kind="judgment", note="扫描")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert (body["case_id"], body["programme"], body["content_type"]) == (
        case_id,
        "correction",
        "application/pdf",
    )
    response = _api_upload(
        api, case_id, JPEG, "visit.jpg", kind="visit_photo", contact_id=str(contact_id)
    )
    assert response.status_code == 201 and response.get_json()["contact_id"] == contact_id

    listing = api.get(f"/corrections/{case_id}/attachments?per_page=1").get_json()
    assert listing["total"] == 2 and listing["per_page"] == 1
    assert [item["filename"] for item in listing["items"]] == ["visit.jpg"]
    assert api.get(f"/corrections/{case_id}/attachments?page=0").status_code == 422


def test_api_errors(app, client, world, person_id, store_dir):
    with app.app_context():
        case_id = _case_id(person_id)
    assert client.get(f"/api/v1/corrections/{case_id}/attachments").status_code == 401
    assert client.post(f"/api/v1/corrections/{case_id}/attachments").status_code == 401
    viewer = _api_upload(world.api("viewer"), case_id, PDF, "a.pdf", kind="other")
    assert viewer.status_code == 403
    off2 = world.api("off2")
    assert _api_upload(off2, case_id, PDF, "a.pdf", kind="other").status_code == 404
    assert off2.get(f"/corrections/{case_id}/attachments").status_code == 404
    api = world.api("off1")
    assert _api_upload(api, 99999, PDF, "a.pdf", kind="other").status_code == 404
    exe = _api_upload(api, case_id, EXE, "setup.pdf", kind="other")
    assert exe.status_code == 422 and exe.get_json()["error"]["code"] == "unsupported_type"
    heic = _api_upload(api, case_id, HEIC, "IMG_0001.HEIC", kind="other")
    assert heic.status_code == 422
    assert "兼容性最佳" in heic.get_json()["error"]["message"]
    bad_kind = _api_upload(api, case_id, PDF, "a.pdf", kind="selfie")
    assert bad_kind.status_code == 422 and "kind" in bad_kind.get_json()["error"]["fields"]
    no_file = api.client.post(
        f"/api/v1/corrections/{case_id}/attachments",
        headers=api.headers,
        data={"kind": "other"},
        content_type="multipart/form-data",
    )
    assert no_file.status_code == 422
    with app.app_context():
        assert _count(Attachment) == 0
    assert _files(store_dir) == []
    with app.app_context():  # refused uploads leave no spooled file behind either
        from corrections import storage

        assert not [p for p in os.listdir(storage.temp_dir()) if p.startswith(".upload-")]


def test_api_too_large_is_422(app, world, person_id, store_dir, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_ATTACHMENT_MB", 1)
    with app.app_context():
        case_id = _case_id(person_id)
    response = _api_upload(
        world.api("off1"), case_id, PDF + b"0" * (1024 * 1024), "big.pdf", kind="judgment"
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "too_large"
    assert _files(store_dir) == []


def test_resettlement_page_lists_attachments_and_offers_its_visits(
    app, client, world, person_id, store_dir
):
    with app.app_context():
        case = rs.create_case(
            user("off1"),
            {
                "person_id": person_id,
                "station": "S1",
                "source": "prison",
                "facility": "省第一监狱",
                "released_on": "2026-10-01",
                "crime": "盗窃罪",
            },
        )
        db.session.commit()
        contact = rs.record_contact(
            user("off1"), case, {"kind": "field_visit", "occurred_on": "2026-11-20"}
        )
        db.session.commit()
        case_id, contact_id = case.id, contact.id
    world.login(client, "off1")
    response = client.post(
        "/attachments/upload",
        data={
            "programme": "resettlement",
            "case_id": str(case_id),
            "kind": "visit_photo",
            "contact_id": str(contact_id),
            "file": (io.BytesIO(JPEG), "走访.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    page = client.get(f"/resettlement/{case_id}").get_data(as_text=True)
    assert "走访.jpg" in page and f'<option value="{contact_id}">' in page
