"""Shares the correction-case fixtures."""

from tests.supervision.conftest import female_id, person_id  # noqa: F401
