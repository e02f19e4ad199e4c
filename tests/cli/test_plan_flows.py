"""`sfqb plan` shows what a company's flow settings do before anything is sent, and
`sfqb sync` then does exactly that: a filter, a target kind, a flow off in the config file."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.cli.cli_helpers import fails, ok
from tests.cli.test_sync_cli import Env, env, plan_json

__all__ = ["env"]  # the sandboxes and connections of tests/cli/test_sync_cli.py

CONFIG = """\
companies:
  demo:
    flows:
      account_to_customer:
        filter: "Type != 'Competitor'"
      opportunity_to_invoice: {target: Estimate}
      customer_to_account: {enabled: false}
"""


@pytest.fixture
def configured(env: Env, monkeypatch: pytest.MonkeyPatch) -> Env:
    path = env.tmp / "sfqb.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    monkeypatch.setenv("SFQB_CONFIG", str(path))
    return env


def test_plan_shows_the_flow_settings_and_what_they_leave_out(configured: Env) -> None:
    env = configured
    competitor = env.seeded.accounts[0]
    env.sf.org.update("Account", competitor, {"Type": "Competitor"})
    competitor_name = str(env.sf.org.peek("Account", competitor)["Name"])

    table = ok("plan")
    assert "account_to_customer" in table and "Account where Type != 'Competitor'" in table
    # The vendor rule is the vendor flow's filter, shown as sfqb sends it.
    assert "Account where Type = 'Vendor'" in table
    assert "Estimate (default Invoice)" in table
    assert "off (config file)" in table
    assert "1 outside filter" in table

    items = plan_json()
    outside = [i for i in items if i["action"] == "outside filter"]
    assert [i["id"] for i in outside] == [competitor]
    assert outside[0]["reason"] == "outside the flow's filter: Type != 'Competitor'"
    assert [i for i in items if i["flow"] == "product_to_item"]
    created = {i["id"] for i in items if i["action"] == "create"}
    assert competitor not in created and len(created) >= len(env.seeded.accounts) - 1

    ok("sync")
    books = env.quickbooks()
    names = {c.name() for c in books.customers()}
    assert competitor_name not in names and len(names) == len(env.seeded.accounts) - 1
    assert books.invoices() == []
    assert books.records("Estimate")  # the opportunities of the customers sfqb synced


def test_a_bad_filter_stops_plan_with_the_line(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    path = env.tmp / "sfqb.yaml"
    path.write_text(CONFIG.replace("Type != 'Competitor'", "Type = 'x'; DROP"), encoding="utf-8")
    monkeypatch.setenv("SFQB_CONFIG", str(path))
    line = fails("plan", "--company", "demo")
    assert f"{path}:5: companies.demo.flows.account_to_customer.filter:" in line
    assert "column 11" in line


def test_docs_example_is_a_config_sfqb_loads(tmp_path: Path) -> None:
    """docs/flows.md's worked example, loaded as it is written (so the page cannot rot)."""
    from sfqb.cli.settings import load_config
    from sfqb.mapping import load_flows

    doc = Path(__file__).parents[2] / "docs" / "flows.md"
    text = doc.read_text(encoding="utf-8").split("## A worked example", 1)[1]
    example = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "sfqb.yaml"
    path.write_text(example, encoding="utf-8")
    (tmp_path / "acme-mapping.yaml").write_text("flows: {}\n", encoding="utf-8")
    company = load_config(path).company("acme")
    flows = load_flows(company.mapping, company=company.flows)
    assert flows["account_to_customer"].where is not None
    assert flows["opportunity_to_invoice"].kind == "SalesReceipt"
    assert not flows["customer_to_account"].enabled


def test_docs_custom_source_example_is_a_config_sfqb_loads(tmp_path: Path) -> None:
    """docs/flows.md's `source:` example, loaded as it is written."""
    from sfqb.cli.settings import load_config
    from sfqb.mapping import load_flows

    doc = Path(__file__).parents[2] / "docs" / "flows.md"
    text = doc.read_text(encoding="utf-8").split("### A custom object as the source", 1)[1]
    example = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "sfqb.yaml"
    path.write_text(example, encoding="utf-8")
    flows = load_flows(company=load_config(path).company("acme").flows)
    assert flows["account_to_vendor"].source == "Supplier__c"
    assert [s.target for s in flows["account_to_vendor"].fields] == [
        "Name",
        "Phone",
        "VendorAddress/City",
    ]


def test_docs_refund_example_is_a_config_sfqb_loads(tmp_path: Path) -> None:
    """docs/flows.md's refund flow example, loaded as it is written."""
    from sfqb.cli.settings import load_config
    from sfqb.mapping import load_flows

    doc = Path(__file__).parents[2] / "docs" / "flows.md"
    text = doc.read_text(encoding="utf-8").split("### Credit memos from a custom object", 1)[1]
    example = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "sfqb.yaml"
    path.write_text(example, encoding="utf-8")
    flows = load_flows(company=load_config(path).company("acme").flows)
    refund = flows["refund_to_credit_memo"]
    assert refund.source == "Refund__c" and refund.lines is not None
    assert [s.target for s in refund.fields][-3:] == ["CustomerRef", "TxnDate", "Memo"]
    assert flows["credit_to_refund"].kind == "Refund__c"


def test_plan_shows_a_custom_source_and_the_suppliers_it_would_send(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = env.tmp / "sfqb.yaml"
    path.write_text(
        "companies:\n  demo:\n    flows:\n      account_to_vendor:\n"
        '        source: Supplier__c\n        filter: "Active__c = true"\n'
        "        map: {Name: {source: Name}, Phone: {source: Phone__c}}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("SFQB_CONFIG", str(path))
    kept = env.sf.org.create("Supplier__c", {"Name": "Harbor Freight Supply", "Active__c": True})
    env.sf.org.create("Supplier__c", {"Name": "Old Mill Supply", "Active__c": False})
    table = ok("plan")
    assert "Supplier__c where Active__c = TRUE" in table
    vendors = [i for i in plan_json() if i["flow"] == "account_to_vendor"]
    created = [(i["sobject"], i["id"]) for i in vendors if i["action"] == "create"]
    assert created == [("Supplier__c", kept)]
    assert [i["action"] for i in vendors if i["id"] != kept] == ["outside filter"]
