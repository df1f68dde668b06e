"""The person file shows every case, correction and resettlement, in one timeline; a released
correction case offers the move into resettlement; intake can start from an investigation."""

from sqlalchemy import select

from corrections.assessments import services as av
from corrections.assessments.models import Assessment
from corrections.extensions import db
from corrections.resettlement import services as rs
from corrections.supervision import services as sv
from corrections.supervision.models import CorrectionCase
from tests.helpers import MALE_ID, open_case, user


def test_person_page_lists_both_programmes_in_one_timeline(app, client, world, county):
    pid = world.person("off1", MALE_ID, name="张三", station="S1")
    with app.app_context():
        case = open_case(pid, term_end="2026-10-31")
        sv.release_case(user("boss"), case, {"released_on": "2026-10-31", "reason": "expiry"})
        rcase = rs.from_correction(user("boss"), case, {})
        db.session.commit()
        case_id, rcase_id = case.id, rcase.id
    world.login(client, "off1")
    page = client.get(f"/people/{pid}").get_data(as_text=True)
    assert f"/corrections/{case_id}" in page and f"/resettlement/{rcase_id}" in page
    timeline = page.split('id="person-timeline"')[1]
    assert "社区矫正" in timeline and "安置帮教" in timeline
    assert timeline.index("2026-10-31") < timeline.index("2026-01-10")  # newest first
    case_page = client.get(f"/corrections/{case_id}").get_data(as_text=True)
    assert 'id="to-resettlement"' in case_page
    assert f"/resettlement/from-correction/{case_id}" in case_page


def test_intake_from_a_completed_investigation(app, client, world, county):
    with app.app_context():
        a = av.register_assessment(
            user("off1"),
            {
                "station": "S1",
                "name": "赵六",
                "id_number": MALE_ID,
                "commissioned_by": "court",
                "commissioning_body": "示范县人民法院",
                "crime": "危险驾驶罪",
                "proposed_type": "probation",
                "received_on": "2026-11-02",
            },
        )
        av.complete_assessment(
            user("off1"), a, {"completed_on": "2026-11-10", "opinion": "suitable"}
        )
        db.session.commit()
        assessment_id = a.id
    world.login(client, "off1")
    form = client.get(f"/corrections/new?assessment={assessment_id}").get_data(as_text=True)
    assert "危险驾驶罪" in form and "示范县人民法院" in form and "赵六" in form
    response = client.post(
        f"/corrections/new?assessment={assessment_id}",
        data={
            "person_mode": "new",
            "name": "赵六",
            "id_number": MALE_ID,
            "station": "S1",
            "correction_type": "probation",
            "crime": "危险驾驶罪",
            "judgment_effective_on": "2026-11-20",
            "term_start": "2026-11-20",
            "term_end": "2027-05-19",
            "source": "self_report",
            "level": "strict",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.app_context():
        case = db.session.execute(select(CorrectionCase)).scalar_one()
        assert db.session.get(Assessment, assessment_id).correction_case_id == case.id
