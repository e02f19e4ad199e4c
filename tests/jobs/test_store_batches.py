"""A cycle writes down each batch in one transaction: when someone else changed a binding the
batch changes too, nothing of the batch is written, its records stay in flight, and the next
cycle looks them up instead of adding them again (both targets)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from sfqb.domain.bindings import Binding
from sfqb.domain.entities import QbKind, QbRef, SfObject, SfRef
from sfqb.jobs.runner import Driver
from sfqb.sandbox.salesforce import seed
from sfqb.store import QueueStatus, RunStatus
from sfqb.sync.ops import QbAction, QbOp, QbResult

from .worlds import TargetWorld


@dataclass
class PersonBindsMeanwhile:
    """While the first batch of account adds is out, a person binds one of its accounts to an
    existing QuickBooks customer (as `sfqb bindings` or the console would)."""

    inner: Driver
    world: TargetWorld
    batch: list[SfRef] = field(default_factory=list)

    def execute(self, ops: Sequence[QbOp]) -> list[QbResult]:
        adds = [
            op.sf
            for op in ops
            if op.action is QbAction.ADD and op.sf is not None and op.sf.sobject is SfObject.ACCOUNT
        ]
        if adds and not self.batch:
            self.batch = adds
            pick = self.world.qb_add_as_user("customer", "Picked by a person")
            self.world.store.bindings.bind(
                Binding("demo", adds[0], QbRef(QbKind.CUSTOMER, pick.id), "", self.world.clock())
            )
        return self.inner.execute(ops)


def test_a_binding_changed_meanwhile_drops_the_batch_and_nothing_is_added_twice(
    target_world: TargetWorld,
) -> None:
    world = target_world
    summary = seed(world.sf.org, 6, random.Random(3))
    meddling: list[PersonBindsMeanwhile] = []

    def wrap(driver: Driver) -> Driver:
        meddling.append(PersonBindsMeanwhile(driver, world))
        return meddling[0]

    report = world.run_with(wrap)
    batch = meddling[0].batch
    assert batch and "changed by someone else" in report.aborted
    run = world.store.journal.run(report.run_id)
    assert run is not None and run.status is RunStatus.FAILED
    for sf in batch:  # nothing of the batch written down: in flight, unbound
        row = world.store.queue.get("demo", "account_to_customer", sf)
        assert row is not None and row.status is QueueStatus.INFLIGHT
    assert [b.sf for b in world.store.bindings] == [batch[0]]  # the person's, alone
    for _ in range(4):
        world.cycle()
    # every account's add went out once (the dropped batch's were looked up, not re-sent):
    # the accounts' customers, and the one the person picked
    assert world.qb_count("customer") == len(summary.accounts) + 1
    bound = {b.sf for b in world.store.bindings if b.sf.sobject is SfObject.ACCOUNT}
    assert bound == {SfRef(SfObject.ACCOUNT, i) for i in summary.accounts}
