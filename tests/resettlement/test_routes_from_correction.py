"""转入安置帮教: a released correction case becomes a resettlement case in one step."""

from __future__ import annotations

import pytest

from corrections.extensions import db
from corrections.resettlement.models import ResettlementCase
from corrections.supervision import services as sv
from tests.helpers import open_case, user
from tests.supervision.webhelpers import count, text


def _correction(app, person_id, released=True) -> int:
    with app.app_context():
        correction = open_case(person_id, correction_type="parole", term_end="2026-11-20")
        if released:
            sv.complete_checklist_item(
                user("off1"),
                correction,
                {"item": "appraisal", "done_on": "2026-11-01", "note": "建议列为重点帮教对象"},
            )
            sv.release_case(
                user("boss"), correction, {"released_on": "2026-11-20", "reason": "expiry"}
            )
        db.session.commit()
        return correction.id


@pytest.fixture
def released_id(app, person_id):
    return _correction(app, person_id)


def test_confirmation_page(client, world, released_id):
    world.login(client, "off1")
    r = client.get(f"/resettlement/from-correction/{released_id}")
    page = text(r)
    assert r.status_code == 200 and 'id="from-correction-form"' in page
    assert "建议列为重点帮教对象" in page and "假释" in page and "2026-11-20" in page


def test_move_into_resettlement(app, client, world, released_id):
    world.login(client, "off1")
    r = client.post(
        f"/resettlement/from-correction/{released_id}",
        data={"is_key": "y", "key_reason": "假释，鉴定建议重点"},
    )
    assert r.status_code == 302
    with app.app_context():
        case = db.session.query(ResettlementCase).one()
        assert r.headers["Location"].endswith(f"/resettlement/{case.id}")
        assert case.source == "correction" and case.correction_type == "parole"
        assert case.correction_case_id == released_id and case.is_key
        assert case.period_ends_on.isoformat() == "2031-11-20"
        assert case.recommendation == "建议列为重点帮教对象"
        case_id = case.id
    page = text(client.get(r.headers["Location"]))
    assert "已转入安置帮教：张三" in page and "社区矫正期满" in page and "原矫正案件" in page
    # again: the page points at the case made, and a second post creates nothing
    page = text(client.get(f"/resettlement/from-correction/{released_id}"))
    assert 'id="already-moved"' in page and f"/resettlement/{case_id}" in page
    assert 'id="from-correction-form"' not in page
    r = client.post(f"/resettlement/from-correction/{released_id}", data={})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/resettlement/{case_id}")
    assert count(app, ResettlementCase) == 1


def test_not_released_is_refused_in_chinese(app, client, world, person_id):
    correction_id = _correction(app, person_id, released=False)
    world.login(client, "off1")
    page = text(client.get(f"/resettlement/from-correction/{correction_id}"))
    assert 'id="not-released"' in page and 'id="from-correction-form"' not in page
    r = client.post(f"/resettlement/from-correction/{correction_id}", data={})
    assert r.status_code == 422 and "只有已解除矫正的案件可以转入安置帮教" in text(r)
    assert count(app, ResettlementCase) == 0


def test_open_resettlement_case_is_a_conflict(app, client, world, person_id, released_id):
    from tests.resettlement.rshelpers import make_rs_case

    existing = make_rs_case(app, person_id)
    world.login(client, "off1")
    r = client.post(f"/resettlement/from-correction/{released_id}", data={})
    assert r.status_code == 409 and 'id="existing-case"' in text(r)
    assert f"/resettlement/{existing}" in text(r)
    assert count(app, ResettlementCase) == 1


def test_viewer_is_403_and_out_of_scope_is_404(app, client, world, released_id):
    world.login(client, "viewer")
    assert client.get(f"/resettlement/from-correction/{released_id}").status_code == 403
    assert client.post(f"/resettlement/from-correction/{released_id}").status_code == 403
    client.post("/logout")
    world.login(client, "off2")
    assert client.get(f"/resettlement/from-correction/{released_id}").status_code == 404
    assert client.post(f"/resettlement/from-correction/{released_id}").status_code == 404
    assert client.get("/resettlement/from-correction/999").status_code == 404
    assert count(app, ResettlementCase) == 0


def test_new_form_offers_the_move(client, world, person_id, released_id):
    world.login(client, "off1")
    page = text(client.get(f"/resettlement/new?person_id={person_id}"))
    assert 'id="from-correction-hint"' in page
    assert f"/resettlement/from-correction/{released_id}" in page
