"""调查评估 pages: the list with days left, registration, extension, completion, scope."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import func, select

from corrections import clock
from corrections.assessments import services as av
from corrections.assessments.models import Assessment, AssessmentExtension
from corrections.extensions import db
from tests.helpers import MALE_ID, user
from tests.supervision.webhelpers import count, get, text


def register(app, actor="off1", **overrides) -> int:
    data = {
        "station": "S1",
        "name": "赵六",
        "commissioned_by": "court",
        "commissioning_body": "示范县人民法院",
        "received_on": "2026-11-18",
        "crime": "危险驾驶罪",
        "proposed_type": "probation",
    }
    data.update(overrides)
    with app.app_context():
        assessment = av.register_assessment(user(actor), data)
        db.session.commit()
        return assessment.id


def complete(app, assessment_id: int, opinion="suitable", actor="off1"):
    with app.app_context():
        a = db.session.get(Assessment, assessment_id)
        av.complete_assessment(user(actor), a, {"completed_on": "2026-11-24", "opinion": opinion})
        db.session.commit()


@pytest.fixture
def three(app, county):
    """Overdue (due 2026-10-20), due soon (2026-12-02), and one at S2."""
    return {
        "late": register(app, name="逾期甲", received_on="2026-09-30"),
        "soon": register(app, name="未到乙", received_on="2026-11-18"),
        "other": register(app, "off2", name="东山丙", station="S2"),
    }


def test_list_shows_days_left_overdue_first(client, world, three):
    world.login(client, "off1")
    r = client.get("/assessments/")
    assert r.status_code == 200
    page = text(r)
    assert page.index("逾期甲") < page.index("未到乙")
    assert "逾期36天" in page  # due 2026-10-20 (the National Day week skipped)
    assert "剩7天" in page
    assert "东山丙" not in page  # another station


def test_open_ended_due_date_shows_its_note(app, client, world, county):
    clock.set_today(date(2026, 12, 28))
    register(app, name="跨年丁", received_on="2026-12-28")
    world.login(client, "off1")
    page = text(client.get("/assessments/"))
    assert "期限待定" in page and "2027年的节假日安排尚未录入" in page


@pytest.mark.parametrize(
    "who,seen",
    [("off1", {"逾期甲", "未到乙"}), ("boss", {"逾期甲", "未到乙", "东山丙"}), ("far", set())],
)
def test_list_is_scoped(client, world, three, who, seen):
    world.login(client, who)
    page = text(client.get("/assessments/"))
    for name in ("逾期甲", "未到乙", "东山丙"):
        assert (name in page) == (name in seen), name


def test_completed_tab(app, client, world, three):
    complete(app, three["soon"])
    world.login(client, "off1")
    assert "未到乙" not in text(client.get("/assessments/"))
    page = text(client.get("/assessments/?tab=completed"))
    assert "未到乙" in page and "适宜社区矫正" in page and "逾期甲" not in page


def test_page_out_of_scope_is_404(client, world, three):
    world.login(client, "off2")
    assert client.get(f"/assessments/{three['late']}").status_code == 404
    r = client.post(f"/assessments/{three['late']}/extend", data={"extend-working_days": "3"})
    assert r.status_code == 404


def test_page_explains_due_date(client, world, three):
    world.login(client, "viewer")
    page = text(client.get(f"/assessments/{three['soon']}"))
    assert "2026-12-02" in page and "收到委托次日起第10个工作日" in page
    assert 'id="extend-form"' not in page and 'id="complete-form"' not in page


# --------------------------------------------------------------------------- register


def _form(**overrides):
    data = {
        "station": "S1",
        "name": "钱七",
        "id_number": "",
        "commissioned_by": "procuratorate",
        "commissioning_body": "示范县人民检察院",
        "crime": "盗窃罪",
        "proposed_type": "probation",
        "received_on": "2026-11-20",
    }
    data.update(overrides)
    return data


def test_register(app, client, world, county):
    world.login(client, "off1")
    assert client.get("/assessments/new").status_code == 200
    r = client.post("/assessments/new", data=_form(fast_track="y"))
    assert r.status_code == 302
    with app.app_context():
        a = db.session.execute(select(Assessment)).scalar_one()
        assert a.name == "钱七" and a.fast_track and a.due_on == date(2026, 11, 27)
        assert r.headers["Location"].endswith(f"/assessments/{a.id}")


def test_register_links_the_person_file(app, client, world, person_id):
    world.login(client, "off1")
    r = client.post("/assessments/new", data=_form(id_number=MALE_ID))
    assert r.status_code == 302
    page = text(client.get(r.headers["Location"]))
    assert 'id="person-link"' in page


def test_invalid_id_number_is_refused_and_nothing_written(app, client, world, county):
    world.login(client, "off1")
    r = client.post("/assessments/new", data=_form(id_number="330106199001011234"))
    assert r.status_code == 422
    page = text(r)
    assert "信息不完整或格式不对" in page and "校验位不正确" in page
    assert count(app, Assessment) == 0


def test_missing_fields_are_explained(app, client, world, county):
    world.login(client, "off1")
    r = client.post(
        "/assessments/new", data=_form(name="", commissioned_by="", received_on="2026-12-01")
    )
    assert r.status_code == 422
    page = text(r)
    assert "必填" in page and "请选择" in page and "不能晚于今天" in page
    assert count(app, Assessment) == 0


def test_viewer_cannot_register(app, client, world, county):
    world.login(client, "viewer")
    assert client.get("/assessments/new").status_code == 403
    r = client.post("/assessments/new", data=_form())
    assert r.status_code == 403 and "只读账号" in text(r)
    assert count(app, Assessment) == 0


# --------------------------------------------------------------------------- extend and complete


def test_extend_moves_the_due_date(app, client, world, three):
    world.login(client, "off1")
    r = client.post(
        f"/assessments/{three['soon']}/extend",
        data={"extend-working_days": "5", "extend-reason": "需补充走访"},
    )
    assert r.status_code == 302
    assert get(app, Assessment, three["soon"]).due_on == date(2026, 12, 9)
    page = text(client.get(f"/assessments/{three['soon']}"))
    assert "需补充走访" in page and "第15个工作日" in page


def test_bad_extension_is_refused(app, client, world, three):
    world.login(client, "off1")
    r = client.post(
        f"/assessments/{three['soon']}/extend",
        data={"extend-working_days": "0", "extend-reason": ""},
    )
    assert r.status_code == 422
    page = text(r)
    assert "不能小于1" in page and "必填" in page
    assert count(app, AssessmentExtension) == 0
    assert get(app, Assessment, three["soon"]).due_on == date(2026, 12, 2)


def test_viewer_cannot_extend(app, client, world, three):
    world.login(client, "viewer")
    r = client.post(
        f"/assessments/{three['soon']}/extend",
        data={"extend-working_days": "5", "extend-reason": "x"},
    )
    assert r.status_code == 403
    assert count(app, AssessmentExtension) == 0


def test_complete_suitable_offers_the_intake(app, client, world, three):
    world.login(client, "off1")
    r = client.post(
        f"/assessments/{three['soon']}/complete",
        data={
            "complete-completed_on": "2026-11-24",
            "complete-opinion": "suitable",
            "complete-opinion_note": "家庭同意接收",
        },
    )
    assert r.status_code == 302
    a = get(app, Assessment, three["soon"])
    assert a.completed_on == date(2026, 11, 24) and a.opinion == "suitable"
    page = text(client.get(f"/assessments/{three['soon']}"))
    assert "据此建立矫正案件" in page and "家庭同意接收" in page
    assert 'id="complete-form"' not in page and 'id="extend-form"' not in page
    href = page.split('id="start-case" href="')[1].split('"')[0].replace("&amp;", "&")
    url = urlparse(href)
    args = parse_qs(url.query)
    assert url.path == "/corrections/new"
    assert args["assessment"] == [str(a.id)] and args["station"] == ["S1"]
    assert args["crime"] == ["危险驾驶罪"] and args["correction_type"] == ["probation"]
    assert client.get(href).status_code == 200


def test_complete_unsuitable_offers_no_intake(app, client, world, three):
    complete(app, three["soon"], opinion="unsuitable")
    world.login(client, "off1")
    page = text(client.get(f"/assessments/{three['soon']}"))
    assert "不适宜社区矫正" in page and "据此建立矫正案件" not in page


def test_completion_needs_an_opinion_and_a_sane_date(app, client, world, three):
    world.login(client, "off1")
    r = client.post(
        f"/assessments/{three['soon']}/complete",
        data={"complete-completed_on": "2026-11-01"},
    )
    assert r.status_code == 422
    page = text(r)
    assert "请选择" in page and "完成日期不能早于收到委托的日期" in page
    assert get(app, Assessment, three["soon"]).completed_on is None


def test_second_completion_is_refused(app, client, world, three):
    complete(app, three["soon"])
    world.login(client, "off1")
    r = client.post(
        f"/assessments/{three['soon']}/complete",
        data={"complete-completed_on": "2026-11-25", "complete-opinion": "unsuitable"},
    )
    assert r.status_code == 422 and "调查评估已完成" in text(r)
    assert get(app, Assessment, three["soon"]).opinion == "suitable"


def test_overdue_count_on_the_tab(client, world, three):
    world.login(client, "boss")
    page = text(client.get("/assessments/"))
    assert 'title="逾期">1</span>' in page


def test_unknown_assessment_is_404(client, world, county):
    world.login(client, "admin")
    assert client.get("/assessments/999").status_code == 404


def test_open_assessments_count_matches_service(app, three):
    with app.app_context():
        query = av.open_assessments(user("boss"), overdue_on=clock.today())
        n = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    assert n == 1
