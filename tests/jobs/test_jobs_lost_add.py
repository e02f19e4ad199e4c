"""QuickBooks Desktop: the look-up after an unanswered add of a job. A job's name is unique
only under its parent, so QuickBooks reads it by its full name ("Parent:Job"): sfqb reads the
parent's full name first, then the job, and binds it; no second job, no 3100."""

from __future__ import annotations

from typing import Any

from tests.jobs.conftest import World

from sfqb.domain.entities import SfObject, SfRef
from sfqb.store import QueueStatus


def test_a_job_whose_add_reply_was_lost_is_found_by_its_full_name(world: World) -> None:
    org, qb = world.sf.org, world.qb
    parent = org.create("Account", {"Name": "Harbor Group", "Phone": "010 555 0100"})
    world.cycle()
    west = org.create("Account", {"Name": "West Yard", "ParentId": parent, "Phone": "010 555 0999"})
    count = len(qb.customers())

    def lose(request: Any) -> None:
        if request.findtext("CustomerAdd/Name") == "West Yard":
            qb.faults.lose_next_reply()
            qb.faults.remove_hook("CustomerAdd", lose)

    qb.faults.before("CustomerAdd", lose)
    world.cycle()  # the add goes through; its reply is lost
    row = world.store.queue.get("demo", "account_to_customer", SfRef(SfObject.ACCOUNT, west))
    assert row is not None and row.status is QueueStatus.INFLIGHT
    assert len(qb.customers()) == count + 1
    assert world.store.bindings.by_sf("demo", SfRef(SfObject.ACCOUNT, west)) is None
    world.advance(60)
    world.cycle()
    binding = world.store.bindings.by_sf("demo", SfRef(SfObject.ACCOUNT, west))
    assert binding is not None
    assert len(qb.customers()) == count + 1
    assert qb.full_name(binding.qb.id) == "Harbor Group:West Yard"
    assert "qbxml:3100" not in world.store.journal.attempts_by_code("demo")
    assert not world.cycle().synced
