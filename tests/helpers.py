"""Shared test helpers and fixtures, registered for every test as a pytest plugin
(``pytest_plugins`` in tests/conftest.py): API response checks, resident ID numbers, and a
county with a registered person plus a helper to open correction cases."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from stdnum.cn import ric

from corrections.auth.models import User
from corrections.extensions import db

# --- API responses ---------------------------------------------------------------------


def error_of(response, status: int, code: str | None = None) -> dict:
    """The error body of an API response with ``status`` (and ``code`` when given)."""
    assert response.status_code == status, response.get_data(as_text=True)[:800]
    assert response.is_json, response.content_type
    body = response.get_json()
    assert set(body) == {"error"}
    error = body["error"]
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    if code:
        assert error["code"] == code
    return error


def ok_json(response, status: int = 200) -> dict:
    """The JSON body of a successful API response with ``status``."""
    assert response.status_code == status, response.get_data(as_text=True)[:800]
    return response.get_json()


# --- resident ID numbers ---------------------------------------------------------------


def valid_id(area: str = "110101", birth: str = "19900101", serial: str = "123") -> str:
    """An 18-character resident ID with a correct check digit (serial odd: male)."""
    body = f"{area}{birth}{serial}"
    assert len(body) == 17
    # calc_check_digit() takes the full number and ignores its last character.
    return body + ric.calc_check_digit(body + "0")


def valid_id_ending_in_x(birth: str = "19700101") -> str:
    """A valid ID number whose check character is X."""
    return next(
        n for s in range(100, 1000) if (n := valid_id("110101", birth, f"{s:03d}")).endswith("X")
    )


def id_number(serial: int, birth: str = "19850312", area: str = "330106") -> str:
    """A valid ID number from a numeric serial (male for odd serials)."""
    return valid_id(area, birth, f"{serial:03d}")


# --- a county with people and correction cases -----------------------------------------

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


def open_case(person_id: int, actor: str = "off1", **overrides):
    """A correction case opened through the services (probation, received 2026-01-10)."""
    from corrections.supervision import services

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
