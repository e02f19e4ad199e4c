"""schemathesis over the log, records and codes endpoints: no 5xx, every answer matches its
declared schema, schema-valid input is accepted (a viewer's Bearer token; half the cases on the
store's own company)."""

from __future__ import annotations

import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import COMPANY

_MINE = r"^/api/v1/(codes|companies/\{company\}/(log|records))"


def test_log_and_codes_api_match_their_schema(
    console_app: FastAPI, api_tokens: dict[str, str]
) -> None:
    token = api_tokens["viewer"]
    loaded = schemathesis.openapi.from_asgi("/api/v1/openapi.json", console_app)
    operations = [r.ok() for r in loaded.include(path_regex=_MINE).get_all_operations()]
    assert len(operations) == 6
    headers = {"Authorization": f"Bearer {token}"}
    for operation in operations:

        @given(case=operation.as_strategy(), real=st.booleans())
        @settings(max_examples=30, suppress_health_check=list(HealthCheck), deadline=None)
        def check(case: schemathesis.Case, real: bool) -> None:
            if real and "company" in (case.path_parameters or {}):
                case.path_parameters["company"] = COMPANY  # the store's company, not a random one
            case.call_and_validate(headers=headers)

        check()
