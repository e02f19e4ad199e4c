"""Deletions read in DeletedDateRangeFilter windows: ListDeletedQuery and TxnDeletedQuery have
no iterator (qbxmlops120.xsd), so sfqb bounds each read by a window, from when it last synced
the record to now, newest first, and stops at the window that names the record."""

from __future__ import annotations

from itertools import pairwise

import pytest

from sfqb.domain.entities import SfObject, SfRef
from sfqb.sync.deletions import DELETED_WINDOW
from sfqb.sync.inbound import WALL_CLOCK_SPREAD
from sfqb.sync.ops import QbAction

from .conftest import World

pytestmark = pytest.mark.desktop_only(
    "qbXML's ListDeletedQuery/TxnDeletedQuery have no iterator, so sfqb reads "
    "DeletedDateRangeFilter windows; QuickBooks Online reports deletions by Change Data Capture"
    " (its 30-day window is tested in tests/connectors/qbo and "
    "tests/jobs/test_transactions_deleted.py)"
)


def test_a_customer_deleted_weeks_ago_is_found_window_by_window_from_its_last_sync(
    world: World,
) -> None:
    long_gone = world.qb.add_as_user("Customer", "Gone Before sfqb")
    world.qb.delete_as_user(long_gone.id)  # a deletion from before the binding: never read
    world.clock.advance(40 * 86400)
    account = world.sf.org.create("Account", {"Name": "Lone Co", "Phone": "(512) 555-0101"})
    world.cycle()
    binding = world.store.bindings.by_sf("demo", SfRef(SfObject.ACCOUNT, account))
    assert binding is not None
    world.clock.advance(86400)
    world.qb.delete_as_user(binding.qb.id)
    world.clock.advance(20 * 86400)  # three weeks later Salesforce changes the account
    world.sf.org.update("Account", account, {"Phone": "(512) 555-0199"})
    _, ops = world.recorded_cycle()
    # The reads looking for this record (the cycle's read of deleted transactions names none).
    reads = [op for op in ops if op.action is QbAction.READ_DELETED and op.sf is not None]
    assert len(reads) == 3  # the newest window, the one before, and the one naming it
    assert reads[0].until is None and all(op.since is not None for op in reads)
    for newer, older in pairwise(reads):
        assert older.until == newer.since and older.since is not None
        assert older.until - older.since <= DELETED_WINDOW
    lowest = binding.synced_at.replace(tzinfo=None) - WALL_CLOCK_SPREAD
    assert min(op.since for op in reads if op.since) >= lowest
    (item,) = world.store.review.items("demo")  # found: the on_deleted policy (hold) decides
    assert "was deleted in QuickBooks" in item.reason and item.code == "3120"
