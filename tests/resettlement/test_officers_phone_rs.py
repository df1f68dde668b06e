"""The officer's phone on the 安置帮教 case page: the same return, photos, visit card and
error summary as the correction case page."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import select

from corrections.extensions import db
from corrections.paperwork.models import Attachment
from corrections.resettlement.models import ResettlementContact
from tests.resettlement.rshelpers import make_rs_case
from tests.supervision.webhelpers import count, form, text

HANDED_OVER = [("handover", {"handed_over_on": "2026-10-01", "method": "family"})]


@pytest.fixture
def case_id(app, person_id):
    return make_rs_case(app, person_id, steps=HANDED_OVER)


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (2400, 1800), (20, 120, 20)).save(out, "JPEG")
    return out.getvalue()


def test_a_visit_with_a_photo_returns_to_my_day(app, client, world, case_id):
    world.login(client, "off1")
    page = text(client.get(f"/resettlement/{case_id}?next=/"))
    assert f'action="/resettlement/{case_id}"' in page
    assert f'name="_do" value="/resettlement/{case_id}/contacts"' in page
    assert 'name="next" value="/"' in page and 'id="visit-card"' in page
    r = client.post(
        f"/resettlement/{case_id}",
        data={
            **form("contact", kind="field_visit", occurred_on="2026-11-25", note="在家"),
            "_do": f"/resettlement/{case_id}/contacts",
            "next": "/",
            "contact-photos": [(io.BytesIO(_jpeg()), "门口.jpg")],
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 302 and r.headers["Location"] == "/"
    home = text(client.get("/"))
    assert "已记录 张三 的实地查访（2026-11-25）" in home and "附照片1张" in home
    with app.app_context():
        contact = db.session.execute(select(ResettlementContact)).scalar_one()
        photo = db.session.execute(select(Attachment)).scalar_one()
        assert (photo.programme, photo.contact_id, photo.kind) == (
            "resettlement",
            contact.id,
            "visit_photo",
        )
        assert photo.display_key  # 2400 px: a display copy
        photo_id = photo.id
    page = text(client.get(f"/resettlement/{case_id}"))
    assert f"/attachments/{photo_id}/display" in page


def test_a_refusal_shows_the_summary_here_and_writes_nothing(app, client, world, case_id):
    world.login(client, "off1")
    r = client.post(
        f"/resettlement/{case_id}",
        data={
            **form("contact", kind="field_visit", occurred_on="2026-09-01"),
            "_do": f"/resettlement/{case_id}/contacts",
            "contact-photos": [(io.BytesIO(_jpeg()), "a.jpg")],
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 422
    page = text(r)
    assert "存在以下问题" in page and 'href="#contact-occurred_on"' in page
    assert 'aria-describedby="contact-occurred_on-error"' in page
    assert count(app, ResettlementContact) == 0 and count(app, Attachment) == 0


def test_another_case_action_is_not_run_here(app, client, world, case_id):
    world.login(client, "off1")
    r = client.post(
        f"/resettlement/{case_id}",
        data={
            **form("contact", kind="field_visit", occurred_on="2026-11-25"),
            "_do": f"/corrections/{case_id}/contacts",
        },
    )
    assert r.status_code == 404 and count(app, ResettlementContact) == 0


def test_quick_visit_page_uses_the_one_name_and_returns(app, client, world, case_id):
    world.login(client, "off1")
    page = text(client.get("/resettlement/"))
    assert "记录联系" in page and "登记走访" not in page and "btn-tap record-contact" in page
    page = text(client.get(f"/resettlement/{case_id}/contact?next=/resettlement/"))
    assert "<h1" in page and "记录联系" in page and 'name="next" value="/resettlement/"' in page
    r = client.post(
        f"/resettlement/{case_id}/contact",
        data={
            **form("contact", kind="field_visit", occurred_on="2026-11-25"),
            "next": "/resettlement/",
        },
    )
    assert r.status_code == 302 and r.headers["Location"] == "/resettlement/"
