"""schemathesis over the settings, users and tokens endpoints (on a private copy of the demo
store, with an admin's token): no 5xx, every answer matches its declared schema."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from tests.web.console.admin_world import AdminWorld, admin_world, bearer
from tests.web.console.conftest import COMPANY, ConsoleWorld

# A request the schema allows may still be refused with a 4xx that says why (a policy value out
# of range, a user that exists): positive_data_acceptance is left out.
_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
_MINE = r"^/api/v1/(users|tokens|companies/\{company\}/(policy|connections|qwc))"


@pytest.fixture(scope="module")
def world(
    console_world: ConsoleWorld, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AdminWorld]:
    with admin_world(console_world, tmp_path_factory.mktemp("schema")) as found:
        yield found


def test_settings_users_and_tokens_api_match_their_schema(world: AdminWorld) -> None:
    headers = bearer(world.store, "demo")
    loaded = schemathesis.openapi.from_asgi("/api/v1/openapi.json", world.app)
    operations = [r.ok() for r in loaded.include(path_regex=_MINE).get_all_operations()]
    assert len(operations) == 10
    for operation in operations:

        @given(case=operation.as_strategy(), real=st.booleans())
        @settings(
            max_examples=25,
            suppress_health_check=list(HealthCheck),
            deadline=None,
            derandomize=True,
            database=None,
        )
        def check(case: schemathesis.Case, real: bool) -> None:
            if real and "company" in (case.path_parameters or {}):
                case.path_parameters["company"] = COMPANY  # the store's company, not a random one
            case.call_and_validate(headers=headers, checks=_CHECKS)

        check()
