"""Scope on the person file: a person in scope through one case never shows another case's
attachments, generated documents or timeline entries to a user who may not open that case."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from corrections.extensions import db
from corrections.paperwork import attachments as service
from corrections.paperwork import documents
from corrections.people.models import Person
from corrections.resettlement.models import ResettlementCase
from corrections.supervision import services as sv
from tests.helpers import MALE_ID, open_case, user
from tests.paperwork.test_attachments import PDF, Upload
from tests.resettlement.rshelpers import make_rs_case

SECRET = ("S1机密判决书.pdf", "S1机密备注", "S1走访照片说明")
OTHER = ("S2安置通知.pdf", "S2备注")


@pytest.fixture
def store_dir(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "ATTACHMENT_DIR", str(tmp_path / "store"))


@pytest.fixture
def two_station_person(app, county, world, store_dir):
    """Given a person with a correction case at S1 (files, a generated document, contacts),
    transferred out, and then a resettlement case at S2 (one file) — one programme at a
    time (docs/domain.md §7.2)."""
    person_id = world.person("off1", MALE_ID, name="张三", station="S1")
    with app.app_context():
        case = open_case(person_id)
        service.store(user("off1"), case, "judgment", Upload(PDF, SECRET[0]), SECRET[1])
        document, _pdf = documents.generate(user("off1"), "announcement", case.id)
        sv.transfer_out(user("boss"), case, {"transferred_on": "2026-11-25", "destination": "外县"})
        db.session.commit()
        document_id, number, case_id = document.id, document.number, case.id
    rs_id = make_rs_case(app, person_id, actor="admin", station="S2")
    with app.app_context():
        rs_case = db.session.get(ResettlementCase, rs_id)
        service.store(user("off2"), rs_case, "notice", Upload(PDF, OTHER[0]), OTHER[1])
        person = db.session.get(Person, person_id)
        service.store(user("off1"), person, "id_card", Upload(PDF, "身份证.pdf"), "人员档案")
        db.session.commit()
        return {
            "person": person_id,
            "case": case_id,
            "rs_case": rs_id,
            "document": document_id,
            "number": number,
        }


def _person_pages(client, person_id: int) -> str:
    pages = [client.get(f"/people/{person_id}"), client.get(f"/people/{person_id}?all=1")]
    assert all(p.status_code == 200 for p in pages)
    return "".join(p.get_data(as_text=True) for p in pages)


def test_an_officer_of_the_other_station_sees_nothing_of_the_case_out_of_scope(
    app, client, world, two_station_person
):
    """Given the person above, when the S2 officer walks every page of the person's file,
    then nothing of the S1 case appears: no file name, note, void button, document, link."""
    ids = two_station_person
    world.login(client, "off2")
    html = _person_pages(client, ids["person"])
    for text in SECRET:
        assert text not in html
    assert f"/corrections/{ids['case']}" not in html
    assert ids["number"] not in html
    voids = re.findall(r"/attachments/(\d+)/void", html)
    with app.app_context():
        from corrections.paperwork.models import Attachment

        visible = {a.id for a in db.session.execute(select(Attachment)).scalars()}
        secret = db.session.execute(
            select(Attachment.id).where(Attachment.filename == SECRET[0])
        ).scalar_one()
    assert str(secret) not in voids and f"attachment-{secret}" not in html
    # what is in scope still shows: the S2 case's file and the person's own file
    assert OTHER[0] in html and OTHER[1] in html and "身份证.pdf" in html
    assert len(set(voids)) == len(visible) - 1
    # and the out-of-scope records are 404 when named directly
    assert client.get(f"/attachments/{secret}").status_code == 404
    assert client.post(f"/attachments/{secret}/void", data={"reason": "x"}).status_code == 404
    assert client.get(f"/documents/file/{ids['document']}").status_code == 404


def test_an_officer_of_each_station_sees_their_own_case_and_not_the_other(
    app, client, world, two_station_person
):
    """Given the same person, when the S1 officer opens the file, then the S1 case's files
    show and the S2 case's do not; an officer of both stations and the admin see all."""
    ids = two_station_person
    world.login(client, "off1")
    html = _person_pages(client, ids["person"])
    assert SECRET[0] in html and SECRET[1] in html
    assert OTHER[0] not in html and OTHER[1] not in html
    assert f"/resettlement/{ids['rs_case']}" not in html
    for name in ("both", "admin"):
        other = app.test_client()
        world.login(other, name)
        html = _person_pages(other, ids["person"])
        assert SECRET[0] in html and OTHER[0] in html


def test_every_person_page_as_an_officer_of_another_unit_is_404(
    app, client, world, two_station_person
):
    """Given the person, when an officer of another unit walks the person's pages,
    then each answers 404 and names nothing of the person."""
    world.login(client, "far")
    for path in (f"/people/{two_station_person['person']}", "/people/?q=张三"):
        response = client.get(path)
        html = response.get_data(as_text=True)
        assert response.status_code in (200, 404)
        for text in (*SECRET, *OTHER, "身份证.pdf"):
            assert text not in html
