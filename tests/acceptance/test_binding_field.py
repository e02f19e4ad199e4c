"""The visible binding field, end to end: Web Connector stand-in over SOAP, Salesforce sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from sfqb.codes import load_catalog
from sfqb.connectors.qbd.qbxml import SFQB_OWNER_ID
from sfqb.domain.entities import SfObject
from sfqb.domain.policy import CompanyPolicy
from sfqb.jobs.qbwc import CycleWorkSource
from sfqb.jobs.runner import CycleReport
from sfqb.sandbox.demo import LOGIN, DemoOptions, DemoWorld, WorldSetup, demo_world
from sfqb.sandbox.qbd import SandboxSettings
from sfqb.sandbox.qbd.webconnector_client import Outcome, WebConnectorClient

CATALOG = load_catalog()
LISTS = (SfObject.ACCOUNT, SfObject.PRODUCT2)


@contextmanager
def _world(
    tmp_path: Path, url: str, quickbooks: SandboxSettings | None = None, policy=None
) -> Iterator[tuple[DemoWorld, CycleWorkSource, list[CycleReport], WebConnectorClient]]:
    options = DemoOptions(
        accounts=3, products=2, opportunities=2, workdir=tmp_path, database_url=url
    )
    setup = WorldSetup(quickbooks=quickbooks or SandboxSettings(), policy=policy)
    with demo_world(options, CATALOG, lambda: datetime.now(UTC), setup) as (world, source, reports):
        yield world, source, reports, WebConnectorClient(f"{world.endpoint}?wsdl", world.quickbooks)


def _session(client: WebConnectorClient) -> None:
    assert client.run(*LOGIN).outcome is Outcome.DONE


def _field_messages(world: DemoWorld) -> list[str]:
    return [
        a.action_taken
        for a in world.store.journal.log("demo", limit=1000)
        if a.operation == "binding field"
    ]


def _bound(world: DemoWorld, *sobjects: SfObject):
    return [b for b in world.store.bindings if b.sf.sobject in sobjects]


def test_sfqb_defines_salesforce_id_and_records_show_it(isolated_url: str, tmp_path: Path) -> None:
    with _world(tmp_path, isolated_url) as (world, _source, _reports, client):
        _session(client)
        qb = world.quickbooks
        lists = _bound(world, *LISTS)
        assert len(lists) == 5
        for binding in lists:
            assert qb.custom_field(binding.qb.id, "SalesforceID") == binding.sf.id
            record = world.salesforce.org.get(binding.sf.sobject.value, binding.sf.id)
            assert record["QuickBooks_ID__c"] == binding.qb.id
        for binding in _bound(world, SfObject.OPPORTUNITY):  # transactions: the private field
            assert qb.custom_field(binding.qb.id, "SalesforceID", SFQB_OWNER_ID) == binding.sf.id
        (message,) = _field_messages(world)
        assert "defined the custom field SalesforceID" in message
        _session(client)
        assert len(_field_messages(world)) == 1  # said once, not every cycle


def test_an_existing_account_id_field_is_used(isolated_url: str, tmp_path: Path) -> None:
    policy = CompanyPolicy(binding_field="AccountID")
    with _world(tmp_path, isolated_url, policy=policy) as (world, _source, _reports, client):
        world.quickbooks.define_custom_field_as_user("AccountID", "Customer", "Item")
        _session(client)
        for binding in _bound(world, *LISTS):
            assert world.quickbooks.custom_field(binding.qb.id, "AccountID") == binding.sf.id
            assert world.quickbooks.custom_field(binding.qb.id, "SalesforceID") is None
        (message,) = _field_messages(world)
        assert "uses the existing custom field AccountID" in message


def test_no_free_slot_falls_back_to_the_private_field(isolated_url: str, tmp_path: Path) -> None:
    settings = SandboxSettings(edition="Pro")
    with _world(tmp_path, isolated_url, settings) as (world, _source, _reports, client):
        for n in range(5):  # QuickBooks Pro: 5 item custom fields, all taken
            world.quickbooks.define_custom_field_as_user(f"Item field {n}", "Item")
        _session(client)
        _session(client)
        (message,) = _field_messages(world)
        assert "no free custom-field slot on Item" in message and "private" in message
        for binding in _bound(world, *LISTS):
            assert world.quickbooks.custom_field(binding.qb.id, "SalesforceID") is None
            private = world.quickbooks.custom_field(binding.qb.id, "SalesforceID", SFQB_OWNER_ID)
            assert private == binding.sf.id


def test_an_inherited_value_on_an_invoice_is_not_its_binding(
    isolated_url: str, tmp_path: Path
) -> None:
    with _world(tmp_path, isolated_url) as (world, _source, _reports, client):
        _session(client)
        qb, org = world.quickbooks, world.salesforce.org
        (invoice_binding, *_) = _bound(world, SfObject.OPPORTUNITY)
        invoice = qb.get(invoice_binding.qb.id)
        customer_id = invoice.fields["CustomerRef"]["ListID"]
        account_id = qb.custom_field(customer_id, "SalesforceID")
        # QuickBooks shows the customer's SalesforceID on the invoice (inherited) ...
        shown = qb.books.data_ext_shown(qb.books.state.records[invoice.id])
        assert account_id in {v["DataExtValue"] for v in shown.values()}
        # ... and a payment makes the invoice a change sfqb reads next cycle.
        qb.receive_payment(customer_id, "1.00", invoice.id)
        _session(client)
        account_ref = next(b.sf for b in world.store.bindings if b.sf.id == account_id)
        assert world.store.bindings.by_sf("demo", account_ref).qb.id == customer_id
        assert world.store.bindings.by_sf("demo", invoice_binding.sf).qb.id == invoice.id
        assert org.get("Opportunity", invoice_binding.sf.id)["QuickBooks_ID__c"] == invoice.id
        assert qb.custom_field(invoice.id, "SalesforceID", SFQB_OWNER_ID) == invoice_binding.sf.id


def _versions(world: DemoWorld) -> dict[str, str]:
    return {r.id: r.edit_sequence for r in world.quickbooks.customers() + world.quickbooks.items()}


def test_private_markers_migrate_to_the_visible_field(isolated_url: str, tmp_path: Path) -> None:
    policy = CompanyPolicy(binding_field="")
    with _world(tmp_path, isolated_url, policy=policy) as (world, source, _reports, client):
        _session(client)
        qb = world.quickbooks
        lists = _bound(world, *LISTS)
        assert all(qb.custom_field(b.qb.id, "SalesforceID") is None for b in lists)
        (message,) = _field_messages(world)
        assert "binding_field is empty" in message
        source._runner_for("demo").policy = CompanyPolicy()
        held = lists[0].qb.id
        qb.open_record_by_user(held)  # the first migration session cannot mark this one
        _session(client)
        assert qb.custom_field(held, "SalesforceID") is None
        assert qb.custom_field(lists[1].qb.id, "SalesforceID") == lists[1].sf.id
        qb.close_record_by_user(held)
        _session(client)  # not finished last time: the sweep runs again
        for binding in lists:
            assert qb.custom_field(binding.qb.id, "SalesforceID") == binding.sf.id
            assert qb.custom_field(binding.qb.id, "SalesforceID", SFQB_OWNER_ID) == binding.sf.id
        assert (
            sum("defined the custom field SalesforceID" in m for m in _field_messages(world)) >= 1
        )
        before = _versions(world)
        _session(client)
        assert _versions(world) == before  # migrated: nothing written again


def test_a_marker_write_then_a_mod_gives_no_3200(isolated_url: str, tmp_path: Path) -> None:
    with _world(tmp_path, isolated_url) as (world, _source, _reports, client):
        _session(client)  # adds, then the markers change every EditSequence
        org = world.salesforce.org
        for binding in _bound(world, *LISTS):
            if binding.sf.sobject is SfObject.ACCOUNT:
                org.update("Account", binding.sf.id, {"Phone": "555-0199"})
            else:
                org.update("Product2", binding.sf.id, {"Description": "changed"})
        _session(client)
        assert world.store.journal.log("demo", code="3200") == []
        for binding in _bound(world, SfObject.ACCOUNT):
            assert world.quickbooks.get(binding.qb.id).fields["Phone"] == "555-0199"


def test_re_marking_a_record_with_a_value_uses_data_ext_mod(
    isolated_url: str, tmp_path: Path
) -> None:
    policy = CompanyPolicy(binding_field="")
    with _world(tmp_path, isolated_url, policy=policy) as (world, _source, _reports, client):
        _session(client)
        store, org = world.store, world.salesforce.org
        first, second = _bound(world, SfObject.ACCOUNT)[:2]
        # A person re-binds the first customer to the second account (`sfqb bind`).
        store.bindings.unbind("demo", first.sf)
        store.bindings.unbind("demo", second.sf)
        store.bindings.bind(replace(first, sf=second.sf, fingerprint="", qb_fingerprint=""))
        org.update("Account", second.sf.id, {"Phone": "555-0123"})
        run = client.run(*LOGIN)
        assert run.outcome is Outcome.DONE
        sent = "".join(e.request for e in run.exchanges)
        assert "<DataExtModRq" in sent
        assert "3180" not in "".join(e.response or "" for e in run.exchanges)
        value = world.quickbooks.custom_field(first.qb.id, "SalesforceID", SFQB_OWNER_ID)
        assert value == second.sf.id


def test_an_id_pasted_into_an_existing_account_id_field_binds_after_a_3100(
    isolated_url: str, tmp_path: Path
) -> None:
    policy = CompanyPolicy(binding_field="AccountID")
    with _world(tmp_path, isolated_url, policy=policy) as (world, _source, _reports, client):
        qb, org, store = world.quickbooks, world.salesforce.org, world.store
        qb.define_custom_field_as_user("AccountID", "Customer", "Item")
        _session(client)
        existing = qb.add_as_user("Customer", "Paste Co", Phone="(415) 555-0199")
        account = org.create("Account", {"Name": "Paste Co", "Phone": "(512) 555-0101"})
        _session(client)
        (item,) = [i for i in store.review.items("demo") if i.source_id == account]
        assert item.code == "3100"
        qb.set_custom_field_as_user(existing.id, "AccountID", account[:15])  # from the URL
        _session(client)
        bound = [b for b in store.bindings if b.sf.id == account]
        assert [b.qb.id for b in bound] == [existing.id]
        closed = store.review.get(item.id)
        assert closed is not None and closed.resolution is not None
        assert "bound by the AccountID field set in QuickBooks" in closed.resolution
        assert org.get("Account", account)["QuickBooks_ID__c"] == existing.id
        assert qb.custom_field(existing.id, "AccountID") == account
        assert qb.custom_field(existing.id, "SalesforceID") is None
