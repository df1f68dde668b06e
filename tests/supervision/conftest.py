"""Fixtures for correction cases: a county with a registered person and a helper to open cases."""

from datetime import date

import pytest
from sqlalchemy import select

from corrections.auth.models import User
from corrections.extensions import db
from corrections.supervision import services
from corrections.supervision.models import CorrectionCase

FEMALE_ID = "11010519491231002X"
MALE_ID = "33010619900101123X"


def user(name: str) -> User:
    return db.session.execute(select(User).where(User.username == name)).scalar_one()


@pytest.fixture
def person_id(county, world):
    return world.person("off1", MALE_ID, name="张三", station="S1")


@pytest.fixture
def female_id(county, world):
    return world.person("off1", FEMALE_ID, name="李梅", station="S1")


def open_case(person_id: int, actor: str = "off1", **overrides) -> CorrectionCase:
    data = {
        "person_id": person_id,
        "station": "S1",
        "correction_type": "probation",
        "crime": "盗窃罪",
        "crime_category": "property",
        "judgment_effective_on": "2026-01-05",
        "term_start": "2026-01-05",
        "term_end": "2027-01-04",
        "received_on": "2026-01-10",
    }
    data.update(overrides)
    data = {k: v for k, v in data.items() if v is not None}
    case = services.create_case(user(actor), data)
    db.session.commit()
    return case


def d(text: str) -> date:
    return date.fromisoformat(text)
