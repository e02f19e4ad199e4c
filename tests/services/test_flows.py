"""A company's flows: the five of them, each switch stored, each last run from the journal."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sfqb.domain.entities import SfObject, SfRef
from sfqb.domain.status import System
from sfqb.jobs.gather import UnknownFlow
from sfqb.mapping import load_flows
from sfqb.mapping.flowconfig import FlowConfig
from sfqb.services.flows import (
    FlowNotSetUp,
    company_flows,
    flow_ids,
    flow_setups,
    switch_flow,
)
from sfqb.store import Direction, RunStatus, Store

from .conftest import CATALOG, T0

# The refund flow with the custom object it reads named (`source:`) and its map filled.
REFUNDS = FlowConfig(
    "refund_to_credit_memo", sobject="Refund__c",
    fields={"CustomerRef": {"source": "Account__c", "ref": "Account"}},
    lines={"Amount": {"source": "Amount__c", "type": "amount"}},
)  # fmt: skip


def test_the_eleven_flows_in_order_on_but_refunds_with_no_run_yet(db: Store) -> None:
    flows = company_flows(db, "acme")
    assert [f.name for f in flows] == [
        "Accounts → Customers",
        "Products → Items",
        "Opportunities → Invoices",
        "Orders → Sales orders, invoices or estimates",
        "Accounts → Vendors",
        "Refunds (a custom object) → Credit memos",
        "Customers → Accounts",
        "Payments → Opportunities",
        "Vendors → Accounts",
        "Credit memos → Opportunities",
        "Credit memos → Refunds (a custom object)",
    ]
    assert [f.direction for f in flows] == ["sf_to_qb"] * 6 + ["qb_to_sf"] * 5
    assert all(f.last_run is None for f in flows)
    # The refund flows read a custom object the config file names (source:): off without one.
    off = {f.flow for f in flows if not f.enabled}
    assert off == {"refund_to_credit_memo", "credit_to_refund"}


def test_each_flow_shows_its_last_run_and_what_it_did(db: Store) -> None:
    older = db.journal.start_run("acme", ["account_to_customer", "product_to_item"], at=T0)
    db.journal.finish_run(older.id, RunStatus.SUCCEEDED, {"synced:product_to_item": 4}, at=T0)
    later = T0 + timedelta(minutes=10)
    run = db.journal.start_run("acme", ["account_to_customer"], at=later)
    failure = CATALOG.decode(System.QBXML, "3100", "The name of the list element is in use.")
    db.journal.record_attempt(
        company="acme", flow="account_to_customer", direction=Direction.SF_TO_QB,
        operation="add", status=failure, sf=SfRef(SfObject.ACCOUNT, "001A"),
        action_taken="held for review", run_id=run.id, at=later,
    )  # fmt: skip
    counts = {"synced:account_to_customer": 2, "synced:customer_to_account": 1}
    db.journal.finish_run(run.id, RunStatus.PARTIAL, counts, at=later)
    flows = {f.flow: f for f in company_flows(db, "acme")}
    account = flows["account_to_customer"].last_run
    assert account is not None and (account.id, account.synced, account.errors) == (run.id, 2, 1)
    product = flows["product_to_item"].last_run  # not in the later run: its own last one
    assert product is not None and (product.id, product.synced, product.errors) == (older.id, 4, 0)
    assert flows["opportunity_to_invoice"].last_run is None
    inbound = flows["customer_to_account"].last_run  # every cycle reads QuickBooks' changes
    assert inbound is not None and (inbound.id, inbound.synced) == (run.id, 1)


def test_the_credit_memos_counted_apart_are_still_what_the_opportunity_flow_synced(
    db: Store,
) -> None:
    run = db.journal.start_run("acme", ["opportunity_to_invoice"], at=T0)
    counts = {"synced:opportunity_to_invoice": 3, "synced:opportunity_to_credit_memo": 1}
    db.journal.finish_run(run.id, RunStatus.SUCCEEDED, counts, at=T0)
    flows = {f.flow: f for f in company_flows(db, "acme")}
    deals = flows["opportunity_to_invoice"].last_run
    assert deals is not None and deals.synced == 4


def test_a_switch_is_stored_with_who_and_an_unknown_flow_is_refused(db: Store) -> None:
    state = switch_flow(db, "acme", "payment_to_opportunity", False, by="ops")
    assert not state.enabled and state.changed_by == "ops"
    assert db.flow_settings.disabled("acme") == {"payment_to_opportunity"}
    assert all(f.enabled for f in company_flows(db, "beta") if "refund" not in f.flow)
    with pytest.raises(UnknownFlow, match="flows are account_to_customer"):
        switch_flow(db, "acme", "invoice_to_opportunity", False)
    assert set(flow_ids()) >= set(db.flow_settings.for_company("acme"))


def test_the_refund_flows_say_they_need_a_source_until_the_config_names_one() -> None:
    bundled = load_flows()
    setups = flow_setups(bundled, bundled)
    unnamed = {name for name, setup in setups.items() if setup.needs_source}
    assert unnamed == {"refund_to_credit_memo", "credit_to_refund"}
    named = flow_setups(load_flows(company={REFUNDS.flow: REFUNDS}), bundled)
    assert not named["refund_to_credit_memo"].needs_source
    assert named["refund_to_credit_memo"].source == "Refund__c"
    assert not named["credit_to_refund"].needs_source


def test_a_flow_not_set_up_is_not_switched_on_and_the_refusal_says_what_to_do(
    db: Store,
) -> None:
    bundled = load_flows()
    setups = flow_setups(bundled, bundled)  # no `source:` for the refund flows
    for flow in ("refund_to_credit_memo", "credit_to_refund"):
        with pytest.raises(FlowNotSetUp) as refused:
            switch_flow(db, "acme", flow, True, by="ops", setups=setups)
        assert "is not set up, so it stays off" in str(refused.value)
        # Both read the object the refund flow's `source:` names.
        assert "companies.acme.flows.refund_to_credit_memo.source: Refund__c" in str(refused.value)
    assert db.flow_settings.for_company("acme") == {}
    # Off is always allowed (a flow switched on before it could be refused), and a flow set up
    # is switched on as before.
    assert not switch_flow(db, "acme", "credit_to_refund", False, setups=setups).enabled
    named = flow_setups(load_flows(company={REFUNDS.flow: REFUNDS}), bundled)
    assert switch_flow(db, "acme", "credit_to_refund", True, setups=named).enabled
