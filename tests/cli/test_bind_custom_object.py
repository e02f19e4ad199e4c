"""`sfqb bind` with a custom object's record (`--object Supplier__c`): its records are the
vendors of the flow that reads it (config file `source:`), bound in the vendor role, unless the
object is the refund flow's source (credit memos, the main role); a name that is no custom
object's is one line."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.cli.cli_helpers import fails, ok
from tests.cli.test_sync_cli import Env, env

from sfqb.domain.entities import QbKind, Role, SfObject, SfRef

__all__ = ["env"]


def test_a_supplier_record_is_bound_by_hand_as_a_vendor(env: Env) -> None:
    made = str(env.sf.org.create("Supplier__c", {"Name": "Harbor Freight Supply"}))
    output = ok("bind", made, "80000001-1", "--company", "demo", "--object", "Supplier__c")
    assert f"Supplier__c {made} (as vendor)" in output and "Vendor 80000001-1" in output
    binding = env.store().bindings.by_sf("demo", SfRef(SfObject("Supplier__c"), made, Role.VENDOR))
    assert binding is not None and binding.qb.kind is QbKind.VENDOR
    assert "cannot be bound" in fails(
        "bind", made, "80000002-1", "--company", "demo", "--object", "Supplier__c",
        "--kind", "Customer",
    )  # fmt: skip
    line = fails("bind", made, "80000002-1", "--company", "demo", "--object", "Supplier")
    assert "unknown --object 'Supplier'" in line and "e.g. Supplier__c" in line
    assert "give --object (a custom object's API name" in fails(
        "bind", made, "80000002-1", "--company", "demo"
    )


def test_a_refund_record_is_bound_by_hand_as_a_credit_memo(
    env: Env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "sfqb.yaml"
    config.write_text(
        "companies:\n  demo:\n    flows:\n      refund_to_credit_memo:\n"
        "        source: Refund__c\n        map:\n"
        "          CustomerRef: {source: Account__c, ref: Account}\n"
        "          lines:\n            Amount: {source: Amount__c, type: amount}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("SFQB_CONFIG", str(config))
    made = str(env.sf.org.create("Refund__c", {"Name": "R-1", "Amount__c": 15}))
    output = ok("bind", made, "ABC-1", "--company", "demo", "--object", "Refund__c")
    assert "CreditMemo ABC-1" in output and "(as vendor)" not in output
    binding = env.store().bindings.by_sf("demo", SfRef(SfObject("Refund__c"), made))
    assert binding is not None and binding.qb.kind is QbKind.CREDIT_MEMO
