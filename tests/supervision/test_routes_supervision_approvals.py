"""Supervisor pages: the pending approvals list and the caseload handover."""

from __future__ import annotations

import pytest

from corrections.supervision.models import CorrectionCase, OfficerAssignment, Sanction
from tests.helpers import FEMALE_ID  # noqa: F401
from tests.supervision.webhelpers import count, form, get, make_case, text


@pytest.mark.parametrize(
    "who,status",
    [
        ("boss", 200),
        ("admin", 200),
        ("off1", 403),
        ("viewer", 403),
    ],
)
def test_pages_are_for_supervisors(client, world, county, who, status):
    world.login(client, who)
    assert client.get("/corrections/approvals").status_code == status
    assert client.get("/corrections/caseload").status_code == status


def test_approvals_are_scoped_to_the_unit(app, client, world, person_id):
    cid = make_case(app, person_id)
    world.login(client, "off1")
    client.post(
        f"/corrections/{cid}/sanctions",
        data=form("sanction", kind="commendation", decided_on="2026-11-20", reason="见义勇为"),
    )
    client.post(
        f"/corrections/{cid}/leaves",
        data=form(
            "leave",
            kind="leave",
            starts_on="2026-11-26",
            ends_on="2026-11-28",
            destination="宁波",
            reason="work",
        ),
    )
    client.post("/logout")
    world.login(client, "farboss")
    assert "见义勇为" not in text(client.get("/corrections/approvals"))
    client.post("/logout")
    world.login(client, "boss")
    page = text(client.get("/corrections/approvals"))
    assert "见义勇为" in page
    assert "宁波" not in page  # 3 days: the station decides, not the county
    with app.app_context():
        from corrections.extensions import db

        sid = db.session.query(Sanction.id).scalar()
    r = client.post(
        f"/corrections/{cid}/sanctions/{sid}/decision",
        data={
            **form(f"sanction_decide{sid}", decided_on="2026-11-19", approve="1"),
            "next": "approvals",
        },
    )
    # the approvals page again: an error summary linking to the field, the error beside it
    assert r.status_code == 422
    page = text(r)
    assert 'id="error-summary"' in page and f'href="#sanction_decide{sid}-decided_on"' in page
    assert page.count("决定日期不能早于提出日期") == 2
    assert get(app, Sanction, sid).status == "proposed"


def test_caseload_handover(app, client, world, person_id, female_id):
    a = make_case(app, person_id)
    b = make_case(app, female_id)
    world.login(client, "boss")
    page = text(client.get("/corrections/caseload"))
    assert "off1" in page and 'id="caseload-form"' in page
    r = client.post(
        "/corrections/caseload",
        data={"from_officer": "off1", "to_officer": "off2", "changed_on": "2026-11-25"},
    )
    assert r.status_code == 422 and "不在这些司法所工作" in text(r)
    assert get(app, CorrectionCase, a).officer_id == get(app, CorrectionCase, b).officer_id
    assignments = count(app, OfficerAssignment)
    r = client.post(
        "/corrections/caseload",
        data={"from_officer": "off1", "to_officer": "both", "changed_on": "2026-11-26"},
    )
    assert r.status_code == 422 and "不能晚于今天" in text(r)
    r = client.post(
        "/corrections/caseload",
        data={"from_officer": "off1", "to_officer": "both", "changed_on": ""},
    )
    assert r.status_code == 302
    assert "已将 off1 的 2 件在册案件移交给 both" in text(client.get(r.headers["Location"]))
    assert count(app, OfficerAssignment) == assignments + 2
    for cid in (a, b):
        with app.app_context():
            from corrections.extensions import db

            assert db.session.get(CorrectionCase, cid).officer.username == "both"


def test_deactivated_officers_caseload_can_still_be_handed_over(app, client, world, person_id):
    cid = make_case(app, person_id)
    with app.app_context():
        from corrections.extensions import db
        from tests.helpers import user

        user("off1").active = False
        db.session.commit()
    world.login(client, "boss")
    page = text(client.get("/corrections/caseload"))
    assert "已停用" in page
    r = client.post(
        "/corrections/caseload",
        data={"from_officer": "off1", "to_officer": "both", "changed_on": ""},
    )
    assert r.status_code == 302
    with app.app_context():
        from corrections.extensions import db

        assert db.session.get(CorrectionCase, cid).officer.username == "both"
    r = client.post(
        "/corrections/caseload",
        data={"from_officer": "nobody", "to_officer": "both", "changed_on": ""},
    )
    assert r.status_code == 422 and "不是司法所工作人员" in text(r)
