"""A company's flow settings from its config file, end to end through the Web Connector
stand-in: the source filter (run by the Salesforce sandbox, AND-ed to sfqb's own condition),
the target kind, a field-map override and the default switch.

The filter is SOQL's WHERE condition (Salesforce: Condition Expression Syntax); the sandbox
evaluates the text sfqb renders from the parse tree, never the text the company wrote.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Iterator, Mapping
from datetime import datetime
from typing import Any

import pytest

from sfqb.connectors.qbd.profile import QBD_PROFILE
from sfqb.connectors.salesforce import ExistingSession, SalesforceConnector
from sfqb.domain.entities import Role, SfObject, SfRef
from sfqb.jobs.gateway import Page, SalesforceGateway
from sfqb.jobs.runner import SyncRunner
from sfqb.mapping import Mapper, load_flows
from sfqb.mapping.company import read_fields
from sfqb.mapping.flowconfig import FlowConfig
from sfqb.mapping.soql import Condition, render

from .conftest import CATALOG, WebConnector, World, web_connector
from .worlds import won_deal

pytestmark = pytest.mark.desktop_only(
    "the Web Connector's pull is QuickBooks Desktop's; the filter is applied to the Salesforce "
    "read, the same for both targets"
)


class RecordingGateway(SalesforceGateway):
    """The gateway, keeping the condition of each read of changes it is asked for."""

    def __init__(self, connector: SalesforceConnector) -> None:
        super().__init__(connector)
        self.conditions: list[tuple[str, str | None]] = []

    def read(
        self,
        sobject: str,
        since: Mapping[str, datetime],
        where: Condition | None = None,
        *,
        settled: Collection[str] = (),
    ) -> tuple[list[dict[str, Any]], dict[str, datetime]]:
        self.conditions.append((sobject, render(where) if where is not None else None))
        return super().read(sobject, since, where, settled=settled)

    def read_pages(
        self,
        sobject: str,
        since: Mapping[str, datetime],
        where: Condition | None = None,
        *,
        settled: Collection[str] = (),
    ) -> Iterator[Page]:
        self.conditions.append((sobject, render(where) if where is not None else None))
        yield from super().read_pages(sobject, since, where, settled=settled)


def configure(world: World, *configs: FlowConfig) -> RecordingGateway:
    """The world's runner with the company's config file `flows:` section."""
    flows = load_flows(company={c.flow: c for c in configs})
    connector = SalesforceConnector(
        ExistingSession(world.sf.instance, world.sf.session_id), world.sf.requests_session(),
        CATALOG, clock=world.clock, extra_fields=read_fields(flows.flows),
    )  # fmt: skip
    gateway = RecordingGateway(connector)
    world.runner = SyncRunner(
        world.store, gateway, Mapper(flows), CATALOG,
        clock=world.clock, rng=random.Random(3), profile=QBD_PROFILE,
    )  # fmt: skip
    return gateway


@pytest.fixture
def session(world: World) -> Iterator[WebConnector]:
    with web_connector(world) as run:
        yield run


def account(world: World, name: str, kind: str, **more: str) -> str:
    return world.sf.org.create("Account", {"Name": name, "Type": kind, **more})


def customer_names(world: World) -> set[str]:
    return {c.name() for c in world.qb.customers()}


def deal(world: World, account_id: str) -> str:
    return won_deal(world.sf.org, account_id)


def test_an_account_outside_the_filter_never_reaches_quickbooks(
    world: World, session: WebConnector
) -> None:
    hostile = "Type = 'Customer' OR Name = 'x\\') OR (Name != \\'y'"  # one literal, escaped
    configure(world, FlowConfig("account_to_customer", filter=hostile))
    kept = account(world, "Kept Customer Ltd", "Customer")
    left = account(world, "Left Vendor Ltd", "Partner")
    # The literal's own value matches (Type Partner: a Vendor would be the vendor flow's).
    quoted = account(world, "x') OR (Name != 'y", "Partner")

    session()

    assert customer_names(world) == {"Kept Customer Ltd", "x') OR (Name != 'y"}
    assert world.store.bindings.by_sf("demo", SfRef(SfObject.ACCOUNT, kept)) is not None
    assert world.store.bindings.by_sf("demo", SfRef(SfObject.ACCOUNT, quoted)) is not None
    out = SfRef(SfObject.ACCOUNT, left)
    assert world.store.bindings.by_sf("demo", out) is None
    assert world.store.queue.get("demo", "account_to_customer", out) is None

    world.sf.org.update("Account", left, {"Type": "Customer"})  # now inside the filter
    session()
    assert "Left Vendor Ltd" in customer_names(world)


def test_an_order_of_an_account_outside_the_filter_waits_for_it(
    world: World, session: WebConnector
) -> None:
    configure(world, FlowConfig("account_to_customer", filter="Type = 'Customer'"))
    vendor = account(world, "Supplier Only Inc", "Vendor")
    opp = deal(world, vendor)

    report = session()

    assert customer_names(world) == set()
    assert world.qb.invoices() == []
    assert report.states.get("waiting", 0) >= 1
    assert world.store.bindings.by_sf("demo", SfRef(SfObject.OPPORTUNITY, opp)) is None


def test_the_target_kind_makes_sales_receipts(world: World, session: WebConnector) -> None:
    configure(world, FlowConfig("opportunity_to_invoice", target="SalesReceipt"))
    opp = deal(world, account(world, "Cash Buyer Ltd", "Customer"))

    session()

    receipts = world.qb.records("SalesReceipt")
    assert len(receipts) == 1 and world.qb.invoices() == []
    binding = world.store.bindings.by_sf("demo", SfRef(SfObject.OPPORTUNITY, opp))
    assert binding is not None and binding.qb.kind.value == "SalesReceipt"


def test_a_map_override_reads_a_field_sfqb_did_not_read_before(
    world: World, session: WebConnector
) -> None:
    configure(world, FlowConfig("account_to_customer", fields={"Notes": {"source": "Industry"}}))
    account(world, "Mapped Ltd", "Customer", Industry="Agriculture")

    session()

    (customer,) = world.qb.customers()
    assert customer.text("Notes") == "Agriculture"


def test_off_in_the_config_file_until_switched_on_in_the_console(
    world: World, session: WebConnector
) -> None:
    configure(world, FlowConfig("account_to_customer", enabled=False))
    account(world, "Waiting Ltd", "Customer")

    session()
    assert customer_names(world) == set()

    world.store.flow_settings.set("demo", "account_to_customer", True, by="pat")
    session()
    assert customer_names(world) == {"Waiting Ltd"}


def test_the_vendor_rule_is_the_vendor_flows_filter_sent_in_the_read(
    world: World, session: WebConnector
) -> None:
    gateway = configure(world, FlowConfig("account_to_vendor", filter="Industry = 'Wholesale'"))
    supplier = account(world, "Tidewater Wholesale", "Other", Industry="Wholesale")
    typed = account(world, "Birch Studio", "Vendor")  # the default rule's, not this company's

    session()

    assert {v.name() for v in world.qb.vendors()} == {"Tidewater Wholesale"}
    assert customer_names(world) == {"Birch Studio"}
    vendor = SfRef(SfObject.ACCOUNT, supplier, Role.VENDOR)
    assert world.store.bindings.by_sf("demo", vendor) is not None
    assert world.store.bindings.by_sf("demo", SfRef(SfObject.ACCOUNT, typed)) is not None
    # The rule went to Salesforce: the vendor flow's read, and the customer flow's reads of
    # what it leaves (its own Accounts kept as customers come from the vendor read).
    accounts = {where for sobject, where in gateway.conditions if sobject == "Account"}
    assert accounts == {"Industry = 'Wholesale'", "NOT (Industry = 'Wholesale')"}
