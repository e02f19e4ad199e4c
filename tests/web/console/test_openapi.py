"""The API's OpenAPI document lists only /api/v1, and every operation in it, fed generated
input by schemathesis with an admin's token, never fails with a 5xx and answers as declared."""

from __future__ import annotations

from typing import Any

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from tests.web.console.conftest import Scratch

OPENAPI = "/api/v1/openapi.json"


def test_the_document_lists_only_the_api(console_client: TestClient) -> None:
    answer = console_client.get(OPENAPI)
    assert answer.status_code == 200
    paths = answer.json()["paths"]
    assert "/api/v1/me" in paths
    assert all(path.startswith("/api/v1/") for path in paths), sorted(paths)
    assert "HTTPBearer" in answer.json()["components"]["securitySchemes"]


def test_every_operation_answers_as_declared(scratch: Scratch, api_tokens: dict[str, str]) -> None:
    """On a copy of the store: generated calls may change what they find."""
    schema = schemathesis.openapi.from_asgi(OPENAPI, scratch.app)
    headers = {"Authorization": f"Bearer {api_tokens['demo']}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert any(op.path == "/api/v1/me" for op in operations)
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=15,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def call(case: Any) -> None:
            case.call_and_validate(headers=headers)

        call()
