"""A quiet cycle (nothing changed on either side) costs the same at any data size: the same
Salesforce requests, QuickBooks round trips and store statements with 6 bound accounts as with
30, and it reads no record again (counts, never timings; `make bench` measures the time).

Before: a version sfqb had seen did not move QuickBooks' checkpoint, so every quiet cycle read
sfqb's own last writes again, and the minutes before the checkpoint on every cycle after that.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import unquote_plus

from sqlalchemy import event

from sfqb.domain.entities import SfObject, SfRef
from sfqb.jobs.runner import Driver
from sfqb.store import QueueStatus, Store
from sfqb.sync.ops import QbAction, QbOp, QbResult

from .conftest import World
from .worlds import TargetWorld, won_deal

HOUR = 3600.0
VARIANTS = 21  # the name, then " (2)" to " (21)": `ExistingRecords.variants` tries 20


@dataclass(frozen=True)
class Cost:
    """What a cycle cost: requests, round trips, records read, statements by kind."""

    salesforce_requests: int
    round_trips: int
    records_read: int
    statements: Counter[str]


@dataclass
class Reads:
    """Passes batches on and counts the records QuickBooks' change reads brought."""

    inner: Driver
    records: int = 0
    batches: int = 0
    kinds: list[str] = field(default_factory=list)

    def execute(self, ops: Sequence[QbOp]) -> list[QbResult]:
        results = self.inner.execute(ops)
        self.batches += 1
        for op, result in zip(ops, results, strict=False):
            if op.action in (QbAction.READ_CHANGED, QbAction.READ_DELETED):
                self.records += len(result.records)
        return results


@contextmanager
def statements(store: Store) -> Iterator[Counter[str]]:
    """Count the SQL statements run on the store meanwhile: SELECTs, and writes by table."""
    counted: Counter[str] = Counter()

    def count(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        words = sql.replace('"', "").split(None, 3)
        verb = words[0].upper()
        if verb in ("INSERT", "DELETE"):  # INSERT INTO table, DELETE FROM table
            verb = f"{verb} {words[2]}"
        elif verb == "UPDATE":
            verb = f"{verb} {words[1]}"
        counted[verb] += 1

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        yield counted
    finally:
        event.remove(store.engine, "before_cursor_execute", count)


def add_accounts(world: TargetWorld, count: int, start: int) -> None:
    """Accounts with names of their own, as a person would create them."""
    for number in range(start, start + count):
        world.sf.org.create("Account", {"Name": f"Quiet Co {number:03}", "Phone": "555-0100"})


def settle(world: TargetWorld) -> None:
    """Cycles until one writes nothing (the load, then the read of sfqb's own writes)."""
    for _ in range(6):
        if not world.cycle().wrote_anything:
            return
    raise AssertionError("the world never went quiet")


def quiet_cost(world: TargetWorld) -> Cost:
    """The cost of a cycle an hour after the last one, itself an hour after the last change."""
    world.advance(HOUR)
    world.cycle()
    world.advance(HOUR)
    world.qb_notify()  # QuickBooks Online's webhooks of the load are in before the count
    world.sf.clear_calls()
    reads: list[Reads] = []

    def wrap(driver: Driver) -> Driver:
        reads.append(Reads(driver))
        return reads[0]

    with statements(world.store) as counted:
        report = world.run_with(wrap)
    assert not report.wrote_anything and not report.states and report.read_clean
    return Cost(len(world.sf.calls), reads[0].batches, reads[0].records, counted)


def test_a_quiet_cycle_costs_the_same_with_five_times_the_bound_records(
    target_world: TargetWorld,
) -> None:
    world = target_world
    add_accounts(world, 6, 0)
    settle(world)
    small = quiet_cost(world)
    add_accounts(world, 24, 6)
    settle(world)
    assert len(list(world.store.bindings)) == 30
    large = quiet_cost(world)
    assert replace(large, records_read=0) == replace(small, records_read=0)
    # Nothing read again: the cycle before began an hour after the checkpoint's second, so
    # that second was over in QuickBooks and the read starts after it (before: what
    # QuickBooks stamped in that second, the newest change at least, on every quiet cycle).
    assert large.records_read == 0 and small.records_read == 0
    # Salesforce: one query per change stream and read condition: Account twice (customers:
    # not the vendor rule; vendors: the rule), Contact and AccountContactRole with each Account
    # read (three pairs today: one more than the two conditions need, left for later),
    # Product2, PricebookEntry, Opportunity, Order. The point is that it does not grow.
    assert large.salesforce_requests <= 12
    assert large.round_trips == 1  # QuickBooks: one batch of reads
    # Writes: the run's row, and company rows (QuickBooks Online's call counts, its token, the
    # circuit's last contact); no record's row (queue, bindings, log, review list)
    written = {key.split()[1] for key in large.statements if " " in key}
    assert written <= {"runs", "checkpoints", "circuits", "qbo_api_calls", "qbo_tokens"}


def test_a_parent_held_for_review_is_not_read_by_id_again_every_cycle(world: World) -> None:
    # More products of one name than sfqb tries variants of, a later one refused by QuickBooks
    # (3100 in QuickBooks Desktop, the duplicate name in QuickBooks Online; every variant it
    # tries is bound to another product): sfqb holds it for a person, and the deal that sells
    # it waits. The held product's changes come through its change stream: reading it by Id
    # on every cycle (as before: 60 held products cost 4 Salesforce queries a cycle in the 16x
    # benchmark) finds nothing new. (QuickBooks Desktop: in QuickBooks Online sfqb reads the
    # names taken in time to name the last one "Widget (23)", and nothing is held.)
    org = world.sf.org
    for number in range(VARIANTS + 1):
        org.create("Product2", {"Name": "Widget", "ProductCode": f"W-{number}", "IsActive": True})
    settle(world)  # Widget, Widget (2) ... Widget (22)
    won_deal(org, org.create("Account", {"Name": "Held Parent Co"}))  # one more Widget
    settle(world)
    held = world.store.review.items("demo")
    assert [i.flow for i in held] == ["product_to_item"]
    for _ in range(3):
        world.advance(HOUR)
        world.sf.clear_calls()
        world.cycle()
        queries = [unquote_plus(c.query) for c in world.sf.calls]
        assert not [q for q in queries if "WHERE Id IN" in q], queries


def test_a_deal_waiting_for_a_held_product_sleeps_until_the_product_is_bound(
    world: World,
) -> None:
    # A waiting record was due again at once, so every quiet cycle planned it again (709 deals
    # waiting on 60 held products in the 16x benchmark). Now it sleeps on the parent it waits
    # for, and binding that parent wakes it.
    org = world.sf.org
    for number in range(VARIANTS + 1):
        org.create("Product2", {"Name": "Widget", "ProductCode": f"W-{number}", "IsActive": True})
    settle(world)
    deal = won_deal(org, org.create("Account", {"Name": "Sleeping Parent Co"}))
    settle(world)
    [held] = world.store.review.items("demo")
    waiting = [i for i in world.store.queue.of_company("demo") if i.status is QueueStatus.WAITING]
    assert [i.source.id for i in waiting] == [deal]
    assert waiting[0].waits_for == SfRef(SfObject.PRODUCT2, held.source_id)
    cost = quiet_cost(world)  # asserts the cycle decided nothing and wrote no record's row
    assert not {k for k in cost.statements if k.startswith("UPDATE sync_queue")}
    # The person's fix: a name of its own in Salesforce. The product is bound, which wakes
    # the deal, and the deal follows it into QuickBooks.
    org.update("Product2", held.source_id, {"Name": "Widget Deluxe"})
    settle(world)
    assert world.store.bindings.by_sf("demo", SfRef(SfObject.OPPORTUNITY, deal)) is not None
    assert not [i for i in world.store.queue.of_company("demo") if i.status is QueueStatus.WAITING]


def test_a_new_deal_selling_a_held_product_builds_its_cycle_once(
    world: World, monkeypatch: Any
) -> None:
    # The cycle found the deal's product unsynced and looked for its queue row; the row is
    # held for review (not due), so it brought nothing to the cycle, which was built (every
    # record mapped) a second time all the same: each cycle of deals in the 16x benchmark.
    from sfqb.jobs.cycle_build import CycleBuilder

    org = world.sf.org
    for number in range(VARIANTS + 1):
        org.create("Product2", {"Name": "Widget", "ProductCode": f"W-{number}", "IsActive": True})
    settle(world)
    buyer = org.create("Account", {"Name": "Buyer Co"})
    won_deal(org, buyer)
    settle(world)
    [held] = world.store.review.items("demo")
    builds = Counter[str]()
    build = CycleBuilder.build

    def counted(self: CycleBuilder, company: str, *args: Any, **kwargs: Any) -> Any:
        builds[company] += 1
        return build(self, company, *args, **kwargs)

    monkeypatch.setattr(CycleBuilder, "build", counted)
    world.advance(HOUR)
    [entry] = [e["Id"] for e in org.records("PricebookEntry") if e["Product2Id"] == held.source_id]
    deal = won_deal(org, buyer, entry)  # sells the held product
    world.cycle()
    assert builds["demo"] == 1
    waiting = {i.source.id: i for i in world.store.queue.of_company("demo")}[deal]
    assert waiting.status is QueueStatus.WAITING  # it waits for the held product, as before
    assert waiting.waits_for == SfRef(SfObject.PRODUCT2, held.source_id)
