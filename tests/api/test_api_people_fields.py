"""POST /people refuses unknown fields like PATCH does; the derived 未成年 flag is returned."""

from sqlalchemy import func, select

from corrections.extensions import db
from corrections.people.models import Person
from tests.helpers import valid_id


def test_unknown_field_is_refused_and_nothing_written(app, county, world):
    api = world.api("off1")
    response = api.post("/people", json={"name": "甲", "id_number": valid_id(), "phnoe": "139"})
    assert response.status_code == 422
    assert "phnoe" in response.get_json()["error"]["fields"]
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(Person)).scalar_one() == 0


def test_minor_is_derived_in_json(app, county, world):
    from stdnum.cn import ric

    body = "33010620100315002"  # born 2010-03-15: 16 on 2026-11-25
    response = world.api("off1").post(
        "/people", json={"name": "少年", "id_number": body + ric.calc_check_digit(body + "0")}
    )
    assert response.status_code == 201 and response.get_json()["minor"] is True
    adult = world.api("off1").post("/people", json={"name": "成人", "id_number": valid_id()})
    assert adult.get_json()["minor"] is False
