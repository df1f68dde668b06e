"""Resident ID numbers for the tests: see tests/helpers.py (these names stay importable)."""

from tests.helpers import valid_id, valid_id_ending_in_x  # noqa: F401
