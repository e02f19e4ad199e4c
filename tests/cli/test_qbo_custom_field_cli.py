"""`sfqb sync` with a company policy naming a QuickBooks Online custom field for the Salesforce
Id (binding_definition_id), end to end against both sandboxes: the policy in force reaches the
QuickBooks Online connection (Services' target), and the customers carry the Id.

Intuit, "Develop using the Custom Fields API" (developer.intuit.com/app/developer/qbo/docs/
workflows/create-custom-fields/develop-custom-fields): customers take CustomField[].DefinitionId.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from tests.cli.cli_helpers import run
from tests.cli.qbo_helpers import COMPANY, qbo_env

from sfqb.sandbox.qbo_connect import connect_qbo


def test_the_policy_in_force_puts_the_salesforce_id_in_the_custom_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    premium = {"custom_fields_api": True, "custom_field_definitions": (("5", "Salesforce Id"),)}
    with qbo_env(tmp_path, monkeypatch, **premium) as env:
        connect_qbo(COMPANY, env.qbo.ca_path)
        store = env.store()
        at = datetime(2026, 12, 7, tzinfo=UTC)
        store.policies.save(COMPANY, {"binding_definition_id": "5"}, by="admin", at=at)
        code, output = run("sync", "--company", COMPANY)
        assert code == 0, output
        customers = env.qbo.records("Customer")
        assert len(customers) == len(env.seeded.accounts)
        by_id = {c["Id"]: c for c in customers}
        for account in env.seeded.accounts:
            qb_id = env.sf.org.get("Account", account)["QuickBooks_ID__c"]
            [value] = by_id[qb_id]["CustomField"]
            assert (value["DefinitionId"], value["StringValue"]) == ("5", account)
