"""Fixtures for the security tests: the people of the supervision tests."""

from tests.supervision.conftest import female_id, person_id  # noqa: F401
