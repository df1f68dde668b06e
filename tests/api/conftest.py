"""Every API answer in these tests is checked against the published OpenAPI (tests/openapi_check.py)."""

from tests.openapi_check import check_api_responses  # noqa: F401
