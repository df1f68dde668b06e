"""The correction-case fixtures and helpers live in tests/helpers.py (a plugin every test
gets); these names stay importable from here."""

from tests.helpers import FEMALE_ID, MALE_ID, d, open_case, user  # noqa: F401
