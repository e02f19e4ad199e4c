"""schemathesis against the review routes of the OpenAPI document: no 5xx, every answer
matches its declared schema (as an operator of the company, with a Bearer token)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from tests.web.console.conftest import ConsoleWorld
from tests.web.console.review_world import build_review_world

from sfqb.services.people import create_token


@pytest.fixture(scope="module")
def review_world() -> Iterator[ConsoleWorld]:
    """A store of this module's own (generated actions change it)."""
    yield from build_review_world()


def test_the_review_api_answers_within_its_schema(review_world: ConsoleWorld) -> None:
    token = create_token(review_world.store, "operator", "schemathesis").token
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", review_world.app)
    operations = [op.ok() for op in schema.get_all_operations() if "/review" in op.ok().path]
    assert len(operations) == 12
    headers = {"Authorization": f"Bearer {token}"}
    for operation in operations:

        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers)

        check()
