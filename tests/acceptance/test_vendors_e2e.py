"""Acceptance: the demo's vendors end to end, on QuickBooks Desktop through the Web Connector
(SOAP, the stand-in client) and on QuickBooks Online (HTTPS), with the Salesforce sandbox.

Two suppliers become vendors under their own names; a customer that supplies too keeps its
customer and gets its vendor under the second name (" (V)"): one name space in QuickBooks
(Intuit's "Duplicate name in QuickBooks" help: the Customer:Job, Vendor, Employee and Other
names lists; QuickBooks Online's DisplayName across customers, vendors and employees)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sfqb.codes import load_catalog
from sfqb.sandbox.demo import DemoOptions, run_demo
from sfqb.sandbox.qbo_demo import run_qbo_demo


@pytest.mark.parametrize("target", ["qbd", "qbo"])
def test_the_demo_seeds_vendors_one_also_a_customer(target: str, tmp_path: Path) -> None:
    options = DemoOptions(accounts="small", workdir=tmp_path, vendors=True, max_sessions=6)
    run = run_demo if target == "qbd" else run_qbo_demo
    result = run(options, load_catalog())
    summary = result.summary
    assert summary["synced"]["account_to_vendor"] == 3
    assert summary["quickbooks"]["vendors"] == 3
    assert summary["duplicates"] == 0 and summary["undecoded"] == 0
    assert summary["open_failures"] == 0
    assert not any(code.endswith((":3100", ":6240")) for code in summary["attempts_by_code"])
    from sfqb.store import Store

    store = Store.from_url(result.store_url)
    try:
        vendors = [b for b in store.bindings.for_company("demo") if b.qb.kind.value == "Vendor"]
        assert len(vendors) == 3
        names = sorted(
            str((b.sf_values or {}).get("Name") or (b.sf_values or {}).get("DisplayName"))
            for b in vendors
        )
        both = [n for n in names if n.endswith(" (V)")]
        assert len(both) == 1, names  # the customer that supplies too
        assert "Harbor Freight Supply" in names and "Cedar Lumber Co" in names
        customers = {
            b.sf.id for b in store.bindings.for_company("demo") if b.qb.kind.value == "Customer"
        }
        assert sum(1 for b in vendors if b.sf.id in customers) == 1  # bound in both roles
    finally:
        store.engine.dispose()
