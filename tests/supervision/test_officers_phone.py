"""The officer's phone: a saved contact returns where the officer came from, photos go with
the contact in one save, the case page starts with what a visit needs, and a refused form
is shown at the case page's own address with the error summary on top."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import select

from corrections import storage
from corrections.extensions import db
from corrections.paperwork.models import Attachment
from corrections.supervision.models import Contact, CorrectionCase
from tests.supervision.webhelpers import count, form, get, make_case, text


@pytest.fixture
def case_id(app, person_id):
    return make_case(app, person_id)


def jpeg(width: int = 40, height: int = 30, orientation: int | None = None) -> bytes:
    image = Image.new("RGB", (width, height), (200, 30, 30))
    for x in range(width // 2):  # a dark left half, to tell the rotation
        for y in range(height):
            image.putpixel((x, y), (10, 10, 10))
    out = io.BytesIO()
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    image.save(out, "JPEG", exif=exif.tobytes() if orientation else b"")
    return out.getvalue()


def photo(data: bytes, name: str):
    return (io.BytesIO(data), name)


# --------------------------------------------------------------------------- item 1: next


def test_quick_contact_from_my_day_returns_there_with_the_new_due_date(app, client, world, case_id):
    world.login(client, "off1")
    home = text(client.get("/"))
    assert f"/corrections/{case_id}/contact?next=/" in home  # 记录联系 carries the way back
    page = text(client.get(f"/corrections/{case_id}/contact?next=/"))
    assert 'name="next" value="/"' in page and 'class="back-link" href="/"' in page
    r = client.post(
        f"/corrections/{case_id}/contact?next=/",
        data={**form("contact", kind="field_visit", occurred_on="2026-11-25"), "next": "/"},
    )
    assert r.status_code == 302 and r.headers["Location"] == "/"
    home = text(client.get("/"))
    assert "已记录 张三 的实地查访（2026-11-25）" in home and "→ 2026-12-02" in home
    assert count(app, Contact) == 1


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"]
)
def test_an_off_site_next_is_ignored(app, client, world, case_id, target):
    world.login(client, "off1")
    r = client.post(
        f"/corrections/{case_id}/contact",
        data={**form("contact", kind="phone", occurred_on="2026-11-25"), "next": target},
    )
    assert r.status_code == 302 and r.headers["Location"] == f"/corrections/{case_id}"


def test_list_links_carry_the_filtered_list_back(app, client, world, case_id):
    world.login(client, "off1")
    page = text(client.get("/corrections/?level=strict"))
    assert f"/corrections/{case_id}/contact?next=/corrections/?level%3Dstrict" in page
    r = client.post(
        f"/corrections/{case_id}",
        data={
            **form("contact", kind="phone", occurred_on="2026-11-25"),
            "_do": f"/corrections/{case_id}/contacts",
            "next": "/corrections/?level=strict",
        },
    )
    assert r.status_code == 302 and r.headers["Location"] == "/corrections/?level=strict"


def test_case_page_save_without_next_says_saved_instead_of_an_empty_form(
    app, client, world, case_id
):
    world.login(client, "off1")
    r = client.post(
        f"/corrections/{case_id}",
        data={
            **form("contact", kind="field_visit", occurred_on="2026-11-25"),
            "_do": f"/corrections/{case_id}/contacts",
        },
    )
    contact_id = db_contact_ids(app)[0]
    assert r.headers["Location"].endswith(f"/corrections/{case_id}?saved={contact_id}#contact")
    page = text(client.get(r.headers["Location"]))
    assert 'id="contact-saved"' in page and "下次应于 2026-12-02 前联系" in page
    assert 'id="contact-form"' not in page and 'id="to-my-day"' in page
    assert 'id="contact-form"' in text(client.get(f"/corrections/{case_id}"))


def db_contact_ids(app) -> list[int]:
    with app.app_context():
        return list(db.session.execute(select(Contact.id).order_by(Contact.id)).scalars())


# --------------------------------------------------------------------------- item 7: errors


def test_a_refused_form_shows_the_summary_at_the_case_page_address(app, client, world, case_id):
    world.login(client, "off1")
    page = text(client.get(f"/corrections/{case_id}"))
    # every case-page form posts to the page itself and names its action
    assert f'action="/corrections/{case_id}"' in page
    assert f'name="_do" value="/corrections/{case_id}/contacts"' in page
    assert f'name="_do" value="/corrections/{case_id}/leaves"' in page
    r = client.post(
        f"/corrections/{case_id}",
        data={
            **form("contact", kind="phone", occurred_on="2026-11-26", note="明天的"),
            "_do": f"/corrections/{case_id}/contacts",
        },
    )
    assert r.status_code == 422
    page = text(r)
    summary = page[
        page.index('id="error-summary"') : page.index("</div>", page.index("error-summary"))
    ]
    assert "存在以下问题" in summary and 'tabindex="-1"' in page
    assert (
        'href="#contact-occurred_on"' in summary and "日期：不能晚于今天（2026-11-25）" in summary
    )
    assert page.index('id="error-summary"') < page.index('id="case-title"')  # on top
    assert 'aria-invalid="true"' in page and 'aria-describedby="contact-occurred_on-error"' in page
    assert 'id="contact-occurred_on-error"' in page
    assert "明天的" in page and "<title>错误：" in page
    assert count(app, Contact) == 0


def test_a_void_refusal_links_to_its_reason_on_the_right_history_page(app, client, world, case_id):
    world.login(client, "off1")
    client.post(
        f"/corrections/{case_id}/contacts",
        data=form("contact", kind="phone", occurred_on="2026-11-25"),
    )
    contact_id = db_contact_ids(app)[0]
    r = client.post(
        f"/corrections/{case_id}",
        data={
            **form(f"void{'contact'}{contact_id}", reason=""),
            "_do": f"/corrections/{case_id}/void/contact/{contact_id}",
        },
    )
    assert r.status_code == 422
    page = text(r)
    assert f'href="#voidcontact{contact_id}-reason"' in page
    assert f'id="voidcontact{contact_id}-reason"' in page  # the link has a field to go to
    assert count(app, Contact, Contact.voided_at.is_not(None)) == 0


@pytest.mark.parametrize(
    "target",
    [
        "",
        "/corrections/999/contacts",  # another case
        "/resettlement/1/contacts",  # another programme
        "/admin/audit/",
        "/corrections/{id}",  # the page itself
        "https://evil.example/corrections/{id}/contacts",
    ],
)
def test_the_named_action_must_be_one_of_this_case(app, client, world, case_id, target):
    world.login(client, "off1")
    r = client.post(
        f"/corrections/{case_id}",
        data={
            **form("contact", kind="phone", occurred_on="2026-11-25"),
            "_do": target.format(id=case_id),
        },
    )
    assert r.status_code == 404 and count(app, Contact) == 0


def test_the_quick_contact_page_shows_the_summary_too(app, client, world, case_id):
    world.login(client, "off1")
    r = client.post(
        f"/corrections/{case_id}/contact?next=/",
        data={**form("contact", kind="", occurred_on=""), "next": "/"},
    )
    assert r.status_code == 422
    page = text(r)
    assert "存在以下问题" in page and 'href="#contact-occurred_on"' in page
    assert 'name="next" value="/"' in page  # the way back survives the refusal


# --------------------------------------------------------------------------- item 2: photos


def test_two_photos_are_attached_to_the_contact_in_the_same_save(app, client, world, case_id):
    world.login(client, "off1")
    big = jpeg(3200, 2400, orientation=6)  # a phone photo taken sideways
    r = client.post(
        f"/corrections/{case_id}",
        data={
            **form("contact", kind="field_visit", occurred_on="2026-11-25", note="在家"),
            "_do": f"/corrections/{case_id}/contacts",
            "contact-photos": [photo(big, "IMG_0001.JPG"), photo(jpeg(), "IMG_0002.jpg")],
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 302, text(r)[:2000]
    page = text(client.get(r.headers["Location"]))
    assert "附照片2张" in page
    with app.app_context():
        contact = db.session.execute(select(Contact)).scalar_one()
        rows = db.session.execute(select(Attachment).order_by(Attachment.id)).scalars().all()
        assert [a.contact_id for a in rows] == [contact.id, contact.id]
        assert {a.kind for a in rows} == {"visit_photo"} and rows[0].programme == "correction"
        assert rows[0].size == len(big) and rows[0].display_key  # the original is kept
        assert rows[1].display_key is None  # small and upright: shown as it is
        with storage.store().open(rows[0].display_key) as handle:
            shown = Image.open(io.BytesIO(handle.read()))
            shown.load()
        assert shown.size == (1200, 1600)  # turned upright (EXIF 6), longer side 1600
        assert shown.getpixel((600, 100))[0] < 60  # the dark half is now on top
        keys = {key for key, _sha in storage.referenced_files()}
        assert rows[0].display_key in keys  # storage migrate copies display copies too
        ids = [a.id for a in rows]
    page = text(client.get(f"/corrections/{case_id}"))
    assert f"/attachments/{ids[0]}/display" in page and f'id="photo-{ids[1]}"' in page
    shown = client.get(f"/attachments/{ids[0]}/display")
    assert shown.status_code == 200 and shown.mimetype == "image/jpeg"
    assert Image.open(io.BytesIO(shown.data)).size == (1200, 1600)
    original = client.get(f"/attachments/{ids[0]}")
    assert original.data == big


def test_a_bad_photo_refuses_the_whole_save_and_writes_nothing(app, client, world, case_id):
    world.login(client, "off1")
    due_before = get(app, CorrectionCase, case_id).next_due_on
    broken = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + b"not really a photo" * 50
    r = client.post(
        f"/corrections/{case_id}",
        data={
            **form("contact", kind="field_visit", occurred_on="2026-11-25"),
            "_do": f"/corrections/{case_id}/contacts",
            "contact-photos": [photo(jpeg(), "a.jpg"), photo(broken, "b.jpg")],
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 422
    page = text(r)
    assert "第2张照片（b.jpg）无法读取" in page and 'href="#contact-photos"' in page
    assert count(app, Contact) == 0 and count(app, Attachment) == 0
    assert get(app, CorrectionCase, case_id).next_due_on == due_before


def test_a_pdf_is_not_a_visit_photo(app, client, world, case_id):
    world.login(client, "off1")
    r = client.post(
        f"/corrections/{case_id}/contact",
        data={
            **form("contact", kind="field_visit", occurred_on="2026-11-25"),
            "contact-photos": [photo(b"%PDF-1.4\n%%EOF\n", "scan.pdf")],
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 422 and "不是照片" in text(r)
    assert count(app, Contact) == 0 and count(app, Attachment) == 0


def test_a_refused_contact_leaves_no_photo(app, client, world, case_id):
    world.login(client, "off1")
    r = client.post(
        f"/corrections/{case_id}/contact",
        data={
            **form("contact", kind="field_visit", occurred_on="2026-11-26"),
            "contact-photos": [photo(jpeg(), "a.jpg")],
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 422 and count(app, Attachment) == 0


def test_the_photo_input_offers_camera_and_gallery(app, client, world, case_id):
    world.login(client, "off1")
    page = text(client.get(f"/corrections/{case_id}/contact"))
    tag = page[page.index('id="contact-photos"') - 200 : page.index('id="contact-photos"') + 200]
    assert "multiple" in tag and 'accept="image/jpeg,image/png"' in tag and "capture" not in tag
    assert 'enctype="multipart/form-data"' in page


# --------------------------------------------------------------------------- item 3: the page


def test_case_page_starts_with_what_a_visit_needs(app, client, world, county, case_id):
    with app.app_context():
        from corrections.people.models import Person

        person = db.session.get(Person, get(app, CorrectionCase, case_id).person_id)
        person.phone = "138 0000 1111"
        person.residence_address = "城关镇解放路12号"
        person.emergency_contact = "张父 13900002222"
        db.session.commit()
    world.login(client, "off1")
    page = text(client.get(f"/corrections/{case_id}?next=/"))
    assert 'href="tel:13800001111"' in page and 'href="tel:13900002222"' in page
    assert "城关镇解放路12号" in page
    order = [
        page.index(k) for k in ('id="visit-card"', 'id="due"', 'id="contact"', 'id="timeline"')
    ]
    assert order == sorted(order)
    assert 'id="back-link" href="/"' in page  # back to my day
    assert 'btn-tap" id="back-link"' in page  # 44 px


def test_tap_targets_on_my_day_and_the_list(app, client, world, case_id):
    world.login(client, "off1")
    home = text(client.get("/"))
    assert "btn-tap record-contact" in home and 'class="case-name"' in home
    page = text(client.get("/corrections/"))
    assert "btn-tap record-contact" in page and "case-name" in page
    assert "登记联系" not in page and "记录联系" in page
