"""Resident ID numbers for the API tests."""

from __future__ import annotations

from stdnum.cn import ric


def valid_id(area: str = "110101", birth: str = "19900101", serial: str = "123") -> str:
    """An 18-character resident ID with a correct check digit."""
    body = f"{area}{birth}{serial}"
    assert len(body) == 17
    # calc_check_digit() takes the full number and ignores its last character.
    return body + ric.calc_check_digit(body + "0")


def valid_id_ending_in_x(birth: str = "19700101") -> str:
    """A valid ID number whose check character is X."""
    return next(
        n for s in range(100, 1000) if (n := valid_id("110101", birth, f"{s:03d}")).endswith("X")
    )
