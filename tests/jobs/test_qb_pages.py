"""QuickBooks' changes read in pages within one Web Connector session, and items' changes read.

Paging follows Intuit's QBSDK Programmer's Guide ("Using iterators"): iterator="Start" with
MaxReturned, then "Continue" with the iteratorID QuickBooks answered, until its
iteratorRemainingCount is 0; an iterator lives only as long as the session that opened it.
"""

from __future__ import annotations

import random

import pytest
from lxml import etree

from sfqb.connectors.qbd.profile import QBD_PROFILE
from sfqb.domain.entities import SfObject, SfRef
from sfqb.jobs.runner import RunnerSettings
from sfqb.sandbox.qbd.webconnector_client import Outcome, RunResult
from sfqb.sandbox.salesforce import seed

from .conftest import World, web_connector

pytestmark = pytest.mark.desktop_only(
    "qbXML iterators within one Web Connector session; QuickBooks Online pages with "
    "STARTPOSITION/MAXRESULTS (tests/connectors/qbo/test_client.py)"
)


def _queries(run: RunResult, tag: str) -> list[etree._Element]:
    found = []
    for exchange in run.exchanges:
        root = etree.fromstring(exchange.request.encode())
        found += [e for e in root.iter(tag)]
    return found


def test_a_change_read_larger_than_a_page_comes_in_pages_within_one_session(
    world: World,
) -> None:
    summary = seed(world.sf.org, 12, random.Random(21))
    world.runner.settings = RunnerSettings(qb_page_size=3)
    with web_connector(world) as connector:
        client = connector.client
        assert client.run("demo", "demo").outcome is Outcome.DONE
        world.clock.advance(30)
        phones = {}
        for n, account in enumerate(summary.accounts[:7]):
            binding = world.store.bindings.by_sf("demo", SfRef(SfObject.ACCOUNT, account))
            assert binding is not None
            phones[account] = f"(512) 555-01{n:02d}"
            world.qb.modify_as_user(binding.qb.id, Phone=phones[account])
        world.clock.advance(30)
        run = client.run("demo", "demo")
    assert run.outcome is Outcome.DONE
    pages = _queries(run, "CustomerQueryRq")
    assert pages[0].get("iterator") == "Start" and pages[0].findtext("MaxReturned") == "3"
    continued = [p for p in pages if p.get("iterator") == "Continue"]
    assert len(continued) >= 2  # 7 changes or more at 3 a page
    assert {p.get("iteratorID") for p in continued} == {continued[0].get("iteratorID")}
    for account, phone in phones.items():
        assert world.sf.org.get("Account", account)["Phone"] == phone


def test_a_page_lost_with_its_session_leaves_the_checkpoint_where_it_was(world: World) -> None:
    summary = seed(world.sf.org, 6, random.Random(22))
    world.runner.settings = RunnerSettings(qb_page_size=2)
    world.cycle()
    before = world.store.checkpoints.get("demo", QBD_PROFILE.stream)
    world.clock.advance(30)
    for account in summary.accounts[:5]:
        binding = world.store.bindings.by_sf("demo", SfRef(SfObject.ACCOUNT, account))
        assert binding is not None
        world.qb.modify_as_user(binding.qb.id, Phone="(512) 555-0100")
    ended: list[str] = []

    def session_ends(request: etree._Element) -> int | None:
        if request.get("iterator") == "Continue" and not ended:
            ended.append(request.get("iteratorID") or "")
            world.qb.end_session()  # the Web Connector's session closed: the iterator is gone
        return None

    world.qb.faults.before("CustomerQuery", session_ends)
    world.cycle()
    world.qb.faults.remove_hook("CustomerQuery", session_ends)
    assert ended
    assert world.store.checkpoints.get("demo", QBD_PROFILE.stream) == before
    world.cycle()  # a whole read: every change arrives, the checkpoint moves on
    assert world.store.checkpoints.get("demo", QBD_PROFILE.stream) != before
    for account in summary.accounts[:5]:
        assert world.sf.org.get("Account", account)["Phone"] == "(512) 555-0100"


def test_an_item_edited_in_quickbooks_then_updated_from_salesforce_gets_no_3200(
    world: World,
) -> None:
    summary = seed(world.sf.org, 4, random.Random(23))
    world.cycle()
    product = summary.products[0]
    binding = world.store.bindings.by_sf("demo", SfRef(SfObject.PRODUCT2, product))
    assert binding is not None
    world.clock.advance(30)
    world.qb.modify_as_user(binding.qb.id, IsActive="true")  # a person saves the item
    world.clock.advance(30)
    world.sf.org.update("Product2", product, {"Description": "edited in Salesforce"})
    report = world.cycle()
    assert report.synced["product_to_item"] == 1  # type: ignore[attr-defined]
    assert "qbxml:3200" not in world.store.journal.attempts_by_code("demo")
    item = world.qb.get(binding.qb.id)
    assert item is not None
    assert item.fields["SalesOrPurchase"]["Desc"] == "edited in Salesforce"  # type: ignore[index]
