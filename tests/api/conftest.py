"""Helpers shared by the API tests."""

from __future__ import annotations

import pytest
from stdnum.cn import ric


def valid_id(area: str = "110101", birth: str = "19900101", serial: str = "123") -> str:
    """An 18-character resident ID with a correct check digit."""
    body = f"{area}{birth}{serial}"
    assert len(body) == 17
    # calc_check_digit() takes the full number and ignores its last character.
    return body + ric.calc_check_digit(body + "0")


@pytest.fixture
def make_id():
    return valid_id
