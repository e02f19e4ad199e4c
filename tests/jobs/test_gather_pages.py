"""Gather streams Salesforce's changes: each query page is queued before the next one is read,
so no read holds every changed record of a company (issue 16, memory that does not grow with
the data); the gateway's pages hold what its whole read holds."""

from __future__ import annotations

import random
from collections.abc import Collection, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from sfqb.connectors.salesforce import ExistingSession, SalesforceConnector
from sfqb.jobs.gateway import Page, PagedSource, SalesforceGateway
from sfqb.jobs.gather import EPOCH, Gather
from sfqb.mapping.soql import Condition
from sfqb.sandbox.salesforce import seed
from sfqb.store import Store

from .conftest import World
from .test_settled_streams import ChangesOnly

T1 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class PagedAccounts(ChangesOnly):
    """Salesforce's Account stream in pages of two; each page handed out is checked to be
    queued before the next one is read. A whole read (`read`) is refused."""

    def __init__(self, store: Store, accounts: int) -> None:
        self.store = store
        self.accounts = [
            {"Id": f"001{n:015d}", "Name": f"Account {n}", "SystemModstamp": T1 + timedelta(n)}
            for n in range(accounts)
        ]
        self.handed: list[int] = []  # records handed out so far, per page
        self.queued_before: list[int] = []  # rows queued when each next page was asked for

    def streams(self, sobject: str) -> tuple[str, ...]:
        return (sobject,)

    def read(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("gather read every change at once")

    def read_pages(
        self,
        sobject: str,
        since: Mapping[str, datetime],
        where: Condition | None = None,
        *,
        settled: Collection[str] = (),
    ) -> Iterator[Page]:
        if sobject != "Account":
            yield [], dict(since)
            return
        high = since[sobject]
        for start in range(0, len(self.accounts), 2):
            self.queued_before.append(len(self.store.queue.of_company("acme")))
            page = self.accounts[start : start + 2]
            high = max(high, page[-1]["SystemModstamp"])
            self.handed.append(len(page))
            yield page, {sobject: high}


def test_gather_queues_each_salesforce_page_before_it_reads_the_next(db: Store) -> None:
    db.create_company("acme", "acme", "pw")
    source = PagedAccounts(db, 7)
    assert isinstance(source, PagedSource)
    gather = Gather(db, source, clock=lambda: T1 + timedelta(days=30))

    assert gather.changes("acme", ["account_to_customer"]) == 7

    assert source.handed == [2, 2, 2, 1]
    # when page n+1 was asked for, pages 1..n were in the queue: one page held at a time
    assert source.queued_before == [0, 2, 4, 6]
    assert db.checkpoints.get("acme", "salesforce:Account") == T1 + timedelta(6)


def test_the_gateways_pages_hold_what_its_whole_read_holds(world: World) -> None:
    seed(world.sf.org, 7, random.Random(2), products=5, opportunities=6)
    world.sf.api.page_size = 3  # the sandbox's query pages (Salesforce's batchSize)
    connector = SalesforceConnector(
        ExistingSession(world.sf.instance, world.sf.session_id), world.sf.requests_session(),
        world.catalog, clock=world.clock,
    )  # fmt: skip
    gateway = SalesforceGateway(connector)
    for sobject, records in (("Account", 7), ("Product2", 5), ("Opportunity", 6)):
        since = dict.fromkeys(gateway.streams(sobject), EPOCH)
        whole, highs = gateway.read(sobject, since)
        pages = gateway.read_pages(sobject, since)
        world.sf.clear_calls()
        first, _ = next(pages)
        calls_for_first = len(world.sf.calls)
        rest = list(pages)
        assert len(first) <= 3 and len(rest) >= 1
        assert len(world.sf.calls) > calls_for_first  # later pages read only when taken
        paged = first + [p for page, _ in rest for p in page]
        by_id = {p["Id"]: p for p in paged}
        assert len(paged) == len(by_id) == records
        assert by_id == {p["Id"]: p for p in whole}
        assert rest[-1][1] == highs
