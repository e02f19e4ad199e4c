"""A bound transaction a person deletes in QuickBooks, while its Salesforce record does not
change, is noticed and put on the review list once (the usability test: a deleted invoice
stayed bound and nothing said so). Both targets: QuickBooks Desktop's TxnDeletedQuery,
QuickBooks Online's Change Data Capture ("Deleted")."""

from __future__ import annotations

import random

from sfqb.domain.entities import SfObject
from sfqb.sandbox.salesforce import seed
from sfqb.store import ReviewStatus

from .worlds import TargetWorld


def test_a_deleted_invoice_goes_on_the_review_list_once(target_world: TargetWorld) -> None:
    world = target_world
    seed(world.sf.org, 3, random.Random(5))
    world.cycle()
    world.cycle()  # a checkpoint of QuickBooks' changes exists from here on
    invoices = [
        b for b in world.store.bindings.for_company("demo") if b.sf.sobject is SfObject.OPPORTUNITY
    ]
    gone = invoices[0]
    world.qb_delete_as_user(gone.qb)
    world.cycle()
    items = [i for i in world.store.review.items("demo") if i.source_id == gone.sf.id]
    assert len(items) == 1, items
    assert f"{gone.qb.id} was deleted in QuickBooks" in items[0].reason
    assert items[0].status is ReviewStatus.OPEN
    world.cycle()  # read again from an overlap: still one item
    assert [i.id for i in world.store.review.items("demo") if i.source_id == gone.sf.id] == [
        items[0].id
    ]
    others = {b.sf for b in invoices[1:]}
    assert not [
        i for i in world.store.review.items("demo") if i.source_id in {s.id for s in others}
    ]
