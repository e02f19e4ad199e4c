"""Real Salesforce orgs, end to end through cycles against the Salesforce sandbox over HTTPS:
field-level security, the org's automation on write-back, smaller batches, no API access, and
a connection that reaches another org."""

from __future__ import annotations

import random
from dataclasses import dataclass

import pytest
from tests.jobs.conftest import CATALOG, World

from sfqb.connectors.qbd.profile import QBD_PROFILE
from sfqb.connectors.salesforce import ExistingSession, SalesforceConnector, load_settings
from sfqb.domain.entities import SfObject, SfRef
from sfqb.jobs.gateway import SalesforceGateway
from sfqb.jobs.runner import CycleReport, SyncRunner
from sfqb.jobs.salesforce_org import OrgCheck
from sfqb.mapping import Mapper, load_flows
from sfqb.sandbox.salesforce import seed
from sfqb.sandbox.salesforce.faults import RecordFault
from sfqb.store import ConnectionSystem
from sfqb.sync.records import Direction, SfWrite

COMPANY = "demo"


@dataclass
class Org:
    """The world with a runner that checks the org and writes `batch` records a call."""

    world: World
    runner: SyncRunner
    gateway: SalesforceGateway

    def cycle(self) -> CycleReport:
        self.world.clock.advance(5)
        return self.runner.run_direct(COMPANY, self.world.driver)

    def company_messages(self) -> list[str]:
        return [i.reason for i in self.world.store.review.items(COMPANY) if i.flow == "company"]


def _org(world: World, batch: int = 200) -> Org:
    settings = load_settings().__class__(collection_size=batch)
    session = ExistingSession(world.sf.instance, world.sf.session_id)
    connector = SalesforceConnector(
        session, world.sf.requests_session(), CATALOG, clock=world.clock, settings=settings
    )
    gateway = SalesforceGateway(connector)
    mapper = Mapper(load_flows())
    check = OrgCheck(world.store, CATALOG, gateway, mapper, clock=world.clock)
    runner = SyncRunner(
        world.store, gateway, mapper, CATALOG, clock=world.clock, rng=random.Random(3),
        profile=QBD_PROFILE, org_check=check,
    )  # fmt: skip
    return Org(world, runner, gateway)


def _accounts(world: World, count: int) -> list[str]:
    return [world.sf.org.create("Account", {"Name": f"Account {n}"}) for n in range(count)]


def _describes(world: World) -> list[str]:
    return [c.path for c in world.sf.calls if c.path.endswith("/describe")]


def test_a_hidden_field_holds_the_company_with_one_message_naming_it(world: World) -> None:
    seed(world.sf.org, 3, random.Random(1))
    org = _org(world)
    world.sf.org.schema.set_field_access("Account", "Phone", visible=False)
    world.sf.org.schema.set_field_access("Opportunity", "QuickBooks_ID__c", editable=False)
    world.sf.clear_calls()
    report = org.cycle()
    assert "cannot see Account.Phone" in report.held
    assert "cannot edit Opportunity.QuickBooks_ID__c" in report.held
    assert len(org.company_messages()) == 1
    assert world.qb.customers() == [] and report.qb_batches == 0
    described = _describes(world)
    assert len(described) == len(set(described)) == 8  # one per object and cycle (Contact too)
    org.cycle()
    assert len(org.company_messages()) == 1  # the same message, not one per cycle

    world.sf.org.schema.set_field_access("Account", "Phone")
    world.sf.org.schema.set_field_access("Opportunity", "QuickBooks_ID__c")
    report = org.cycle()
    assert not report.held and report.synced["account_to_customer"] == 3
    assert org.company_messages() == []


def test_api_disabled_for_org_is_one_company_message(world: World) -> None:
    seed(world.sf.org, 2, random.Random(1))
    org = _org(world)
    world.sf.faults.api_disabled = True
    report = org.cycle()
    assert "API_DISABLED_FOR_ORG" in report.held
    (message,) = org.company_messages()
    assert "API Enabled" in message
    (attempt,) = world.store.journal.log(COMPANY)
    assert attempt.code == "API_DISABLED_FOR_ORG"
    world.sf.faults.api_disabled = False
    assert org.cycle().synced["account_to_customer"] == 2
    assert org.company_messages() == []


def test_a_connection_that_reaches_another_org_is_refused(world: World) -> None:
    seed(world.sf.org, 2, random.Random(1))
    world.store.connections.save(COMPANY, ConnectionSystem.SALESFORCE, {"instance": "x"})
    org = _org(world)
    assert org.cycle().synced["account_to_customer"] == 2
    info = world.store.connections.get(COMPANY, ConnectionSystem.SALESFORCE)
    assert info is not None and info.settings["org_id"] == world.sf.org.org_id
    before = info.settings["org_id"]

    world.sf.org.refresh()  # a sandbox refresh: same login, a new org
    account = world.sf.org.records("Account")[0]["Id"]
    world.sf.org.update("Account", account, {"Phone": "555-0100"})
    report = org.cycle()
    assert before in report.held and world.sf.org.org_id in report.held
    assert report.sf_writes == 0 and report.qb_batches == 0
    (message,) = org.company_messages()
    assert "Salesforce org changed" in message


@pytest.mark.parametrize("fault", list(RecordFault))
def test_the_orgs_refusal_on_write_back_is_held_per_record_in_its_own_words(
    world: World, fault: RecordFault
) -> None:
    refused, *others = _accounts(world, 3)
    message = f"Acme rule {fault.name}: Phone must have ten digits"
    world.sf.faults.refuse(fault, message, refused)
    org = _org(world)
    report = org.cycle()
    assert report.failed_writes == 1
    log = world.store.journal.log(COMPANY, record=SfRef(SfObject.ACCOUNT, refused))
    held = [a for a in log if a.operation == "writeback"]
    assert [a.code for a in held] == [fault.value]
    assert message in held[0].action_taken and "held" in held[0].action_taken
    assert world.sf.org.get("Account", refused)["QuickBooks_ID__c"] is None
    assert all(world.sf.org.get("Account", i)["QuickBooks_ID__c"] for i in others)


def test_a_cpu_limit_and_row_locks_are_retried_in_smaller_batches_in_the_same_cycle(
    world: World,
) -> None:
    accounts = _accounts(world, 8)
    org = _org(world, batch=8)
    world.sf.faults.limit_cpu(3)  # the org's triggers cope with at most 3 records a save
    world.sf.faults.lock_next(2)
    world.sf.clear_calls()
    report = org.cycle()
    assert report.failed_writes == 0 and report.sf_writes == 8
    assert all(world.sf.org.get("Account", i)["QuickBooks_ID__c"] for i in accounts)
    patches = [c for c in world.sf.calls if c.method == "PATCH"]
    assert len(patches) > 1  # 8, then halves: 4 (over the limit again), then 2s


def test_mixed_types_are_sorted_so_a_call_never_exceeds_ten_chunks(world: World) -> None:
    accounts = _accounts(world, 6)
    products = [world.sf.org.create("Product2", {"Name": f"P{n}"}) for n in range(6)]
    gateway = _org(world).gateway
    writes = []
    for account, product in zip(accounts, products, strict=True):
        writes.append(SfWrite("Account", account, {"Phone": "1"}, "f", Direction.QB_TO_SF))
        writes.append(SfWrite("Product2", product, {"Family": "X"}, "f", Direction.QB_TO_SF))
    results = gateway.write(writes)
    assert all(r.ok for r in results)
    assert [r.record_id for r in results] == [w.record_id for w in writes]
