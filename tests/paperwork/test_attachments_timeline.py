"""Attachments listed in the case file's timeline."""

from __future__ import annotations

import io

from corrections.extensions import db
from corrections.paperwork import attachments as service
from corrections.supervision.models import CorrectionCase
from tests.helpers import open_case, user

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


class Upload:
    def __init__(self, data: bytes, filename: str):
        self.stream = io.BytesIO(data)
        self.filename = filename


def test_attachment_appears_in_case_timeline(app, client, world, person_id, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "ATTACHMENT_DIR", str(tmp_path / "attachments"))
    with app.app_context():
        case = open_case(person_id)
        case_id = case.id
        case = db.session.get(CorrectionCase, case_id)
        service.store(user("off1"), case, "judgment", Upload(PDF, "判决书扫描.pdf"))
        db.session.commit()
    world.login(client, "off1")
    page = client.get(f"/corrections/{case_id}").get_data(as_text=True)
    timeline = page[page.index('id="timeline-list"') :]
    assert "附件：判决书/裁定书 判决书扫描.pdf" in timeline
    assert 'class="tl-attachment"' in timeline
