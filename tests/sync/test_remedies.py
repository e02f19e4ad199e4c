"""The remedies of issue 6 (and their QuickBooks Online counterparts of issue 11), one by one,
on the engine alone (no store, no network). Each test runs on both targets through the `h`
fixture; codes and the way a person changes QuickBooks come from the harness's `Target` table.

QuickBooks Online's side follows Intuit's pages: Customer entity reference (DisplayName unique,
6240 "Duplicate Name Exists"); SyncToken notes on the entity pages (a stale SyncToken answers
5010 "Stale Object Error"); error codes page (610 "Object Not Found", 2500 "Invalid Reference
Id"), developer.intuit.com/app/developer/qbo/docs/develop/troubleshooting/error-codes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import pytest

from sfqb.domain.entities import SfObject, SfRef
from sfqb.domain.policy import CompanyPolicy, OnConflict, OnDeleted
from sfqb.sandbox.qbd import SandboxSettings
from sfqb.sync.cycle import Cycle
from sfqb.sync.ops import QbAction
from sfqb.sync.records import Block, ItemState, PendingChange

from .harness import Harness
from .test_cycle import account, opportunity, product


def run(
    h: Harness,
    changes: Sequence[PendingChange],
    policy: CompanyPolicy | None = None,
    blocks: Mapping[str, Block] | None = None,
    lose_batch: int | None = None,
) -> Cycle:
    """One cycle with a policy and the company's open blocks."""
    return h.run(changes, lose_batch=lose_batch, policy=policy, blocks=blocks)


def state(cycle: Cycle, payload: Mapping[str, object], sobject: SfObject) -> ItemState:
    """The state a record ended the cycle in."""
    return cycle.outcomes[SfRef(sobject, str(payload["Id"]))].state


def test_a_duplicate_name_binds_the_existing_customer_when_the_match_rule_holds(
    h: Harness,
) -> None:
    existing = h.books.add_as_user("customer", "Globex", phone="(555) 0100")  # same digits
    cycle = run(h, [h.change(account(1, name="Globex", Phone="555-0100"))])
    assert state(cycle, account(1), SfObject.ACCOUNT) is ItemState.DONE
    assert len(h.books.records("customer")) == 1
    assert h.bound(account(1)["Id"]).id == existing.id
    assert any(a.status.code == h.target.duplicate_name for a in cycle.attempts)
    actions = [a.action for a in cycle.attempts]
    assert any(a.startswith("bound the existing QuickBooks record") for a in actions)
    assert bool(h.sent_ops(QbAction.SET_MARKER)) is h.target.marks


def test_a_duplicate_name_goes_to_review_with_candidates_when_the_rule_fails(h: Harness) -> None:
    h.books.add_as_user("customer", "Globex", phone="555-0999")
    cycle = run(h, [h.change(account(1, name="Globex"))])
    outcome = cycle.outcomes[SfRef(SfObject.ACCOUNT, account(1)["Id"])]
    assert outcome.state is ItemState.REVIEW
    assert outcome.status is not None and outcome.status.code == h.target.duplicate_name
    (candidate,) = outcome.details["candidates"]
    assert candidate["name"] == "Globex" and candidate["matches_rule"] is False
    assert len(h.books.records("customer")) == 1 and len(h.bindings) == 0


def test_an_item_whose_add_reply_was_lost_is_found_by_its_name(h: Harness) -> None:
    cycle = h.run([h.change(product(1))], lose_add=1)
    assert state(cycle, product(1), SfObject.PRODUCT2) is ItemState.INFLIGHT
    assert len(h.books.records("item")) == 1
    since = h.clock.now
    cycle = h.run([h.change(product(1), unknown_since=since.replace(year=2025))])
    assert len(h.books.records("item")) == 1
    assert h.bound(product(1)["Id"]).id == h.books.records("item")[0].id
    assert not h.sent_ops(QbAction.ADD)


def _gone_customer(h: Harness) -> None:
    run(h, [h.change(account(1))])
    h.books.remove_as_user(h.bound(account(1)["Id"]))


def test_a_gone_record_is_recreated_by_policy(h: Harness) -> None:
    _gone_customer(h)
    policy = CompanyPolicy(on_deleted=OnDeleted.RECREATE)
    cycle = run(h, [h.change(account(1, Phone="555-0142"))], policy)
    assert state(cycle, account(1), SfObject.ACCOUNT) is ItemState.DONE
    assert [c.phone for c in h.books.records("customer")] == ["555-0142"]
    gone = h.target.record_gone
    assert any(a.status.code == gone and "re-creating" in a.action for a in cycle.attempts)


def test_a_gone_record_is_held_for_review_by_default(h: Harness) -> None:
    _gone_customer(h)
    cycle = run(h, [h.change(account(1, Phone="555-0142"))])
    outcome = cycle.outcomes[SfRef(SfObject.ACCOUNT, account(1)["Id"])]
    assert outcome.state is ItemState.REVIEW and "deleted in QuickBooks" in outcome.reason
    assert h.books.records("customer") == []


def test_both_sides_changing_a_field_is_a_conflict_for_review_or_newest_wins(h: Harness) -> None:
    run(h, [h.change(account(1))])
    h.books.modify_as_user(h.bound(account(1)["Id"]), phone="555-7777")  # QuickBooks' user...
    cycle = run(h, [h.change(account(1, Phone="555-8888"))])  # ...and Salesforce change Phone
    outcome = cycle.outcomes[SfRef(SfObject.ACCOUNT, account(1)["Id"])]
    assert outcome.state is ItemState.REVIEW
    (conflict,) = outcome.details["conflicts"]
    assert conflict["field"] == h.target.phone_field
    ours, theirs = (h.target.phone_value(n) for n in ("555-8888", "555-7777"))
    assert (conflict["salesforce"], conflict["quickbooks"]) == (ours, theirs)
    newest = run(h, [h.change(account(1, Phone="555-8888"))],
                 CompanyPolicy(on_conflict=OnConflict.NEWEST_WINS))  # fmt: skip
    assert state(newest, account(1), SfObject.ACCOUNT) is ItemState.DONE
    assert h.view_of(account(1)["Id"]).phone == "555-8888"


@pytest.mark.desktop_only(
    "3260 is QuickBooks Desktop's per-user permission refusal of one request type; a QuickBooks "
    "Online app connects with the company's whole access (a lost one is 401/invalid_grant, "
    "tested in tests/jobs/qbo/test_authentication.py)"
)
def test_3260_is_reported_once_then_probed_and_released() -> None:
    h = Harness(settings=SandboxSettings(denied={"Invoice": ("Add",)}))
    opps = [opportunity(n, 1, 1) for n in (1, 2, 3)]
    changes = [h.change(account(1)), h.change(product(1)), *[h.change(o) for o in opps]]
    first = run(h, changes)
    assert set(first.new_blocks) == {"Invoice:add"}
    assert [a.status.code for a in first.attempts].count("3260") == 1
    assert {state(first, o, SfObject.OPPORTUNITY) for o in opps} == {ItemState.HELD}
    blocks = first.new_blocks
    second = run(h, [h.change(o) for o in opps], blocks=blocks)  # still denied: one probe only
    assert len(h.sent_ops(QbAction.ADD)) == 1
    assert not [a for a in second.attempts if a.status.code == "3260"]
    h.qb.configure(denied={})
    third = run(h, [h.change(o) for o in opps], blocks=blocks)
    assert third.cleared_blocks == {"Invoice:add"}
    assert len(h.qb.invoices()) >= 1


@pytest.mark.desktop_only(
    "3170 (record in use: a QuickBooks Desktop user has it open) has no QuickBooks Online "
    "counterpart: Online holds no record locks, a concurrent edit is a stale SyncToken (5010, "
    "tested on both targets above)"
)
def test_3170_a_record_in_use_waits_for_the_next_cycle_without_counting_an_attempt() -> None:
    h = Harness()
    run(h, [h.change(account(1))])
    h.qb.faults.fail_next("CustomerMod", 3170)
    worn = replace(h.change(account(1, Phone="555-0142")), attempts=h.policy.max_attempts)
    cycle = run(h, [worn])  # even at the attempt limit: a lock is not the record's failure
    outcome = cycle.outcomes[SfRef(SfObject.ACCOUNT, account(1)["Id"])]
    assert outcome.state is ItemState.RETRY
    assert outcome.status is not None and outcome.status.code == "3170"
    again = run(h, [h.change(account(1, Phone="555-0142"))])
    assert state(again, account(1), SfObject.ACCOUNT) is ItemState.DONE
    assert [c.phone for c in h.books.records("customer")] == ["555-0142"]


def test_a_child_whose_parent_is_missing_waits_instead_of_failing(h: Harness) -> None:
    cycle = run(h, [h.change(opportunity(1, 1, 1))])  # its account and product never came
    outcome = cycle.outcomes[SfRef(SfObject.OPPORTUNITY, opportunity(1, 1, 1)["Id"])]
    assert outcome.state is ItemState.WAITING
    assert outcome.status is not None and outcome.status.code == "PARENT_NOT_SYNCED"
    assert cycle.unsynced_parents() == {
        SfRef(SfObject.ACCOUNT, account(1)["Id"]),
        SfRef(SfObject.PRODUCT2, product(1)["Id"]),
    }
    assert not h.sent_ops(QbAction.ADD)


def test_items_whose_names_collide_after_shortening_get_free_names_not_review(
    h: Harness,
) -> None:
    # Item names are cut to the target's limit: these all become "Support & Maintenance ...".
    limit = h.target.item_name_limit
    stem = ("Support & Maintenance — 12 months " * 4)[: limit + 2]
    names = [f"{stem} S{n}" for n in range(1, 6)]
    for n, name in enumerate(names, start=1):  # one per cycle: sfqb never sees the others' names
        payload = {**product(n), "Name": name}
        cycle = run(h, [h.change(payload)])
        assert state(cycle, payload, SfObject.PRODUCT2) is ItemState.DONE, cycle.attempts[-1]
    item_names = sorted(str(i.name) for i in h.books.records("item"))
    assert len(item_names) == len(set(item_names)) == 5
    assert all(len(n) <= limit for n in item_names)


def test_a_stale_version_from_an_unmapped_edit_still_applies_salesforces_change(
    h: Harness,
) -> None:
    # A QuickBooks user saves the customer's Notes (sfqb does not map them) between sfqb's read
    # and its Mod: QuickBooks answers 3200 (QBO 5010), sfqb re-reads, and the new phone goes.
    run(h, [h.change(account(1))])
    h.books.edit_before_next_mod(h.bound(account(1)["Id"]), notes="called about the invoice")
    cycle = run(h, [h.change(account(1, Phone="555-0142"))])
    assert state(cycle, account(1), SfObject.ACCOUNT) is ItemState.DONE
    stale = h.target.stale_version
    assert [a.status.code for a in cycle.attempts if a.status.code == stale] == [stale]
    assert h.view_of(account(1)["Id"]).phone == "555-0142"
