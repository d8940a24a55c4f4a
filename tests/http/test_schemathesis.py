"""Property-based run of schemathesis against the live OpenAPI document.

Every operation gets a bounded number of generated requests (fixed seed, so CI is
repeatable), sent as an admin so that every route is reachable. The run fails on any
5xx and on any response the document does not describe: status code, content type,
headers and body schema.

Each operation's Hypothesis strategy is driven here directly rather than through
`schemathesis.pytest.from_fixture`, which reads a pytest attribute that pytest 9 removed.
"""

from __future__ import annotations

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, seed, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.apiclient import ApiClient, Caller

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_OPERATION = 30

pytestmark = pytest.mark.slow


def test_api_conforms_to_its_openapi_document(
    app: Flask, api: ApiClient, callers: dict[str, Caller]
) -> None:
    # `api` binds the app to this test's rolled-back transaction and clock.
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = callers["admin"].headers
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25, "the document lost operations"
    failures: dict[str, str] = {}
    for operation in operations:

        @seed(20261122)
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        )
        @given(case=operation.as_strategy())
        def run(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        except Exception as exc:
            failures[operation.label] = f"{type(exc).__name__}: {exc}"
    assert not failures, "\n\n".join(f"{label}\n{text}" for label, text in failures.items())
