"""Uploads (docs/security.md, "Uploads"): the stored download name takes the extension of
the type detected from the file's bytes, whatever the uploaded name says."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from corrections.extensions import db
from corrections.paperwork import attachments as service
from corrections.paperwork.models import Attachment
from corrections.supervision.models import CorrectionCase
from tests.helpers import open_case, user
from tests.paperwork.test_attachments import JPEG, PDF, PNG, Upload


@pytest.fixture
def store_dir(app, tmp_path, monkeypatch):
    path = tmp_path / "attachments"
    monkeypatch.setitem(app.config, "ATTACHMENT_DIR", str(path))
    return path


@pytest.mark.parametrize(
    ("data", "uploaded", "stored"),
    [
        (PNG, "d.html", "d.png"),
        (PNG, "照片.PNG", "照片.PNG"),
        (PNG, "报告.png.html", "报告.png"),
        (PNG, "run.exe", "run.png"),
        (PNG, "no-extension", "no-extension.png"),
        (JPEG, "visit.jpeg", "visit.jpeg"),
        (JPEG, "visit.JPG", "visit.JPG"),
        (JPEG, "visit.svg", "visit.jpg"),
        (PDF, "判决书.pdf", "判决书.pdf"),
        (PDF, "判决书.htm", "判决书.pdf"),
        (PDF, "判决书.pdf.js", "判决书.pdf"),
        (PDF, ".html", "attachment.pdf"),
    ],
)
def test_given_an_upload_when_its_name_lies_about_its_type_then_the_name_is_corrected(
    ctx, person_id, store_dir, data, uploaded, stored
):
    case = open_case(person_id)
    a = service.store(user("off1"), case, "other", Upload(data, uploaded))
    db.session.commit()
    assert a.filename == stored


def test_a_png_named_html_downloads_as_png_with_its_type(app, client, world, person_id, store_dir):
    with app.app_context():
        case_id = open_case(person_id).id
    world.login(client, "off1")
    response = client.post(
        "/attachments/upload",
        data={
            "programme": "correction",
            "case_id": str(case_id),
            "kind": "other",
            "file": (io.BytesIO(PNG), "d.html"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    with app.app_context():
        attachment = db.session.execute(select(Attachment)).scalar_one()
        assert db.session.get(CorrectionCase, case_id) is not None
    download = client.get(f"/attachments/{attachment.id}")
    assert download.status_code == 200
    assert download.mimetype == "image/png"
    disposition = download.headers["Content-Disposition"]
    assert "d.png" in disposition and ".html" not in disposition
    assert download.headers["X-Content-Type-Options"] == "nosniff"
