"""A Salesforce stream whose read found nothing newer than its checkpoint is settled: the next
read starts at the checkpoint, without the overlap before it, so quiet cycles do not read the
last burst's seconds again; anything newer unsettles it."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sfqb.connectors.salesforce import ExistingSession, SalesforceConnector
from sfqb.jobs.gateway import SalesforceGateway
from sfqb.jobs.gather import EPOCH, Gather
from sfqb.mapping.mapper import FlowRead
from sfqb.mapping.soql import Condition, parse_text
from sfqb.store import Store
from sfqb.sync.records import SfWrite, SfWriteResult

from .conftest import World

T1 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class ChangesOnly:
    """A Salesforce that answers reads of changes only: no record by Id, no write."""

    def read_ids(
        self, sobject: str, ids: Sequence[str], where: Condition | None = None
    ) -> list[dict[str, Any]]:
        return []

    def write(self, writes: Sequence[SfWrite]) -> list[SfWriteResult]:
        return []


class Products(ChangesOnly):
    """Salesforce's product streams, answering each read with the records given next."""

    def __init__(self) -> None:
        self.next: list[dict[str, Any]] = []
        self.asked: list[tuple[dict[str, datetime], frozenset[str]]] = []

    def streams(self, sobject: str) -> tuple[str, ...]:
        return ("Product2", "PricebookEntry")

    def read(
        self,
        sobject: str,
        since: Mapping[str, datetime],
        where: Condition | None = None,
        *,
        settled: Collection[str] = (),
    ) -> tuple[list[dict[str, Any]], dict[str, datetime]]:
        self.asked.append((dict(since), frozenset(settled)))
        found, self.next = self.next, []
        newest = max((r["SystemModstamp"] for r in found), default=None)
        highs = dict(since)  # the price book entries never change here
        if newest is not None:
            highs["Product2"] = max(since["Product2"], newest)
        return found, highs


def product(number: int, at: datetime) -> dict[str, Any]:
    return {"Id": f"01t{number:015d}", "Name": f"Widget {number}", "SystemModstamp": at}


def test_a_stream_read_again_with_nothing_newer_is_settled_until_something_changes(
    db: Store,
) -> None:
    db.create_company("acme", "acme", "pw")
    source = Products()
    gather = Gather(db, source, clock=lambda: T1 + timedelta(hours=1))
    both = frozenset({"Product2", "PricebookEntry"})
    source.next = [product(1, T1)]
    assert gather.changes("acme", ["product_to_item"]) == 1  # the first read: from the start
    gather.changes("acme", ["product_to_item"])  # nothing newer than T1 (Product2): settled
    gather.changes("acme", ["product_to_item"])
    source.next = [product(2, T1 + timedelta(minutes=5))]  # a change: unsettled
    gather.changes("acme", ["product_to_item"])
    gather.changes("acme", ["product_to_item"])
    asked = [(since["Product2"], settled) for since, settled in source.asked]
    assert asked == [
        (EPOCH, frozenset()),
        (T1, frozenset({"PricebookEntry"})),  # the entries' stream found nothing the first time
        (T1, both),
        (T1, both),  # this read finds product 2
        (T1 + timedelta(minutes=5), frozenset({"PricebookEntry"})),
    ]


def test_the_gateway_reads_a_settled_stream_without_the_overlap(world: World) -> None:
    org = world.sf.org
    first = org.create("Account", {"Name": "Overlap One"})
    world.advance(2)
    last = org.create("Account", {"Name": "Overlap Two"})
    high = org.get("Account", last)["SystemModstamp"]
    connector = SalesforceConnector(
        ExistingSession(world.sf.instance, world.sf.session_id), world.sf.requests_session(),
        world.catalog, clock=world.clock,
    )  # fmt: skip
    gateway = SalesforceGateway(connector)
    since = dict.fromkeys(gateway.streams("Account"), high)
    overlapped, _ = gateway.read("Account", since)
    settled, highs = gateway.read("Account", since, settled={"Account"})
    assert [p["Id"] for p in overlapped] == [first, last]  # in the connector's 5 s overlap
    assert settled == [] and highs["Account"] == high


class Accounts(ChangesOnly):
    """Salesforce's Account stream under two read conditions: customers find what is given
    next, vendors find nothing (a company with no vendor yet)."""

    def __init__(self, vendors: Condition) -> None:
        self.vendors = vendors
        self.next: list[dict[str, Any]] = []
        self.asked: list[datetime] = []

    def streams(self, sobject: str) -> tuple[str, ...]:
        return ("Account",)

    def read(
        self,
        sobject: str,
        since: Mapping[str, datetime],
        where: Condition | None = None,
        *,
        settled: Collection[str] = (),
    ) -> tuple[list[dict[str, Any]], dict[str, datetime]]:
        self.asked.append(since["Account"])
        if where == self.vendors:
            return [], dict(since)
        found, self.next = self.next, []
        newest = max((r["SystemModstamp"] for r in found), default=since["Account"])
        return found, {"Account": max(since["Account"], newest)}


def test_a_read_that_found_nothing_does_not_hold_the_stream_back(db: Store) -> None:
    """Customers and vendors read Account under two conditions; with no vendor ever changed,
    the stream still moves on with the customers (it stayed at its first checkpoint, so every
    quiet cycle read every account again: 26 Salesforce calls at 4x in the benchmark)."""
    db.create_company("acme", "acme", "pw")
    vendors = parse_text("Type = 'Vendor'")
    customers = parse_text("NOT (Type = 'Vendor')")
    source = Accounts(vendors)
    conditions = {"account_to_customer": customers, "account_to_vendor": vendors}
    gather = Gather(
        db, source, clock=lambda: T1 + timedelta(hours=1),
        reads=lambda flow: (FlowRead(conditions[flow]),),
    )  # fmt: skip
    flows = ["account_to_customer", "account_to_vendor"]
    source.next = [{"Id": "001000000000001AAA", "Name": "Acme", "SystemModstamp": T1}]
    gather.changes("acme", flows)
    gather.changes("acme", flows)
    assert source.asked == [EPOCH, EPOCH, T1, T1]
    assert db.checkpoints.get("acme", "salesforce:Account") == T1
