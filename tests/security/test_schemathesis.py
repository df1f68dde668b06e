"""The API against its own OpenAPI, by generated requests (schemathesis): as an admin and as
an officer, a bounded number of examples per operation. No answer is a 500, every answer
matches the schema of its operation and status, and no error answer leaves an audit event."""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import func, select

from corrections.audit.models import AuditEvent
from corrections.extensions import db
from tests.helpers import MALE_ID, open_case

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "8"))
CHECKS = (
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
)


def _events(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(AuditEvent.id)))


@pytest.mark.parametrize("username", ["admin", "off1"])
def test_the_api_answers_as_its_openapi_says(app, county, world, username):
    """Given a county with a person and a case, when schemathesis sends generated requests to
    every operation as ``username``, then none is a 500, each answer matches the OpenAPI,
    and an error answer writes no audit event."""
    person_id = world.person("off1", MALE_ID, name="张三", station="S1")
    with app.app_context():
        open_case(person_id)
    headers = {"Authorization": f"Bearer {world.token(username)}"}
    schema = schemathesis.from_wsgi("/api/v1/openapi.json", app)
    failures = []
    operations = 0
    for result in schema.get_all_operations():
        operations += 1
        _probe(app, result.ok(), headers, failures)
    assert operations > 30
    assert not failures, "\n".join(dict.fromkeys(failures))


def _probe(app, operation, headers, failures) -> None:
    """Up to EXAMPLES generated requests to one operation; problems go to ``failures``."""

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def probe(case):
        before = _events(app)
        response = case.call_wsgi(headers=headers)
        try:
            case.validate_response(response, checks=CHECKS)
        except Exception as error:  # noqa: BLE001 — collected and reported together
            failures.append(f"{operation.verbose_name}: {str(error)[:600]}")
            return
        if response.status_code >= 400:
            after = _events(app)
            if after != before:
                failures.append(
                    f"{operation.verbose_name}: {response.status_code} left "
                    f"{after - before} audit event(s)"
                )

    probe()
