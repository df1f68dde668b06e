"""The generator test builds its own database and app: skip the session database fixtures."""

import pytest


@pytest.fixture(autouse=True)
def _fresh_state():
    yield
