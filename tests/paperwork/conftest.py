"""Fixtures for official documents: the people of the supervision tests."""

from tests.supervision.conftest import female_id, person_id  # noqa: F401
