"""The remedies of issue 6, one by one, on the engine alone (no store, no network)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from sfqb.connectors.qbd.profile import QBD_PROFILE
from sfqb.domain.entities import SfObject, SfRef
from sfqb.domain.policy import CompanyPolicy, OnConflict, OnDeleted
from sfqb.sandbox.qbd import SandboxSettings
from sfqb.sync.cycle import Cycle
from sfqb.sync.ops import QbAction, ReplyLost
from sfqb.sync.records import Block, ItemState, PendingChange, SfWriteResult

from .test_cycle import CATALOG, COMPANY, MAPPER, Harness, account, opportunity, product


def run(
    h: Harness,
    changes: Sequence[PendingChange],
    policy: CompanyPolicy | None = None,
    blocks: Mapping[str, Block] | None = None,
    lose_batch: int | None = None,
) -> Cycle:
    """One cycle with a policy and the company's open blocks."""
    cycle = Cycle(COMPANY, changes, mapper=MAPPER, catalog=CATALOG, bindings=h.bindings,
                  qb_since={}, clock=h.clock, profile=QBD_PROFILE, policy=policy, blocks=blocks,
                  settled=frozenset(h.settled))  # fmt: skip
    h.sent = []
    while (ops := cycle.next_batch()) is not None:
        h.sent.append(ops)
        if lose_batch == len(h.sent):
            h.qb.faults.lose_next_reply(1)
        try:
            results = h.driver.execute(ops)
        except ReplyLost:
            results = []
        cycle.take_results(results)
    writes = cycle.sf_writes()
    cycle.take_sf_results([SfWriteResult(w.sobject, w.record_id) for w in writes])
    if cycle.marking.settled is not None:
        h.settled.add(cycle.marking.settled)
    return cycle


def state(cycle: Cycle, payload: Mapping[str, object], sobject: SfObject) -> ItemState:
    """The state a record ended the cycle in."""
    return cycle.outcomes[SfRef(sobject, str(payload["Id"]))].state


def test_3100_binds_the_existing_customer_when_the_match_rule_holds() -> None:
    h = Harness()
    existing = h.qb.add_as_user("Customer", "Globex", Phone="(555) 0100")  # same digits
    cycle = run(h, [h.change(account(1, name="Globex", Phone="555-0100"))])
    assert state(cycle, account(1), SfObject.ACCOUNT) is ItemState.DONE
    assert len(h.qb.customers()) == 1
    assert h.qb_of(account(1)["Id"]).id == existing.id
    actions = [a.action for a in cycle.attempts]
    assert any(a.startswith("bound the existing QuickBooks record") for a in actions)
    assert h.sent_ops(QbAction.SET_MARKER)


def test_3100_goes_to_review_with_candidates_when_the_rule_fails() -> None:
    h = Harness()
    h.qb.add_as_user("Customer", "Globex", Phone="555-0999")
    cycle = run(h, [h.change(account(1, name="Globex"))])
    outcome = cycle.outcomes[SfRef(SfObject.ACCOUNT, account(1)["Id"])]
    assert outcome.state is ItemState.REVIEW
    (candidate,) = outcome.details["candidates"]
    assert candidate["name"] == "Globex" and candidate["matches_rule"] is False
    assert len(h.qb.customers()) == 1 and len(h.bindings) == 0


def test_an_item_whose_add_reply_was_lost_is_found_by_its_name() -> None:
    h = Harness()
    # batch 1 reads, batch 2 defines the visible SalesforceID field, batch 3 adds
    cycle = run(h, [h.change(product(1))], lose_batch=3)
    assert state(cycle, product(1), SfObject.PRODUCT2) is ItemState.INFLIGHT
    assert len(h.qb.items()) == 1
    since = h.clock.now
    cycle = run(h, [h.change(product(1), unknown_since=since.replace(year=2025))])
    assert len(h.qb.items()) == 1
    assert h.qb_of(product(1)["Id"]).id == h.qb.items()[0].id
    assert not h.sent_ops(QbAction.ADD)


def _deleted_customer(h: Harness) -> None:
    run(h, [h.change(account(1))])
    h.qb.delete_as_user(h.qb_of(account(1)["Id"]).id)


def test_3120_recreates_the_deleted_record_by_policy() -> None:
    h = Harness()
    _deleted_customer(h)
    policy = CompanyPolicy(on_deleted=OnDeleted.RECREATE)
    cycle = run(h, [h.change(account(1, Phone="555-0142"))], policy)
    assert state(cycle, account(1), SfObject.ACCOUNT) is ItemState.DONE
    assert [c.fields["Phone"] for c in h.qb.customers()] == ["555-0142"]
    assert any(a.status.code == "3120" and "re-creating" in a.action for a in cycle.attempts)


def test_3120_holds_the_record_for_review_by_default() -> None:
    h = Harness()
    _deleted_customer(h)
    cycle = run(h, [h.change(account(1, Phone="555-0142"))])
    outcome = cycle.outcomes[SfRef(SfObject.ACCOUNT, account(1)["Id"])]
    assert outcome.state is ItemState.REVIEW and "deleted in QuickBooks" in outcome.reason
    assert h.qb.customers() == []


def test_3200_with_both_sides_changing_a_newest_field_is_a_conflict_for_review() -> None:
    h = Harness()
    run(h, [h.change(account(1))])
    customer = h.qb_of(account(1)["Id"])
    binding = next(b for b in h.bindings if b.sf.id == account(1)["Id"])
    h.qb.modify_as_user(customer.id, Phone="555-7777")  # QuickBooks' user changes Phone...
    h.bindings.update(replace(binding, version=binding.version))
    cycle = run(h, [h.change(account(1, Phone="555-8888"))])  # ...and so does Salesforce
    outcome = cycle.outcomes[SfRef(SfObject.ACCOUNT, account(1)["Id"])]
    assert outcome.state is ItemState.REVIEW
    (conflict,) = outcome.details["conflicts"]
    assert conflict["field"] == "Phone"
    assert (conflict["salesforce"], conflict["quickbooks"]) == ("555-8888", "555-7777")
    newest = run(h, [h.change(account(1, Phone="555-8888"))],
                 CompanyPolicy(on_conflict=OnConflict.NEWEST_WINS))  # fmt: skip
    assert state(newest, account(1), SfObject.ACCOUNT) is ItemState.DONE


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


def test_a_child_whose_parent_is_missing_waits_instead_of_failing() -> None:
    h = Harness()
    cycle = run(h, [h.change(opportunity(1, 1, 1))])  # its account and product never came
    outcome = cycle.outcomes[SfRef(SfObject.OPPORTUNITY, opportunity(1, 1, 1)["Id"])]
    assert outcome.state is ItemState.WAITING
    assert outcome.status is not None and outcome.status.code == "PARENT_NOT_SYNCED"
    assert cycle.unsynced_parents() == {
        SfRef(SfObject.ACCOUNT, account(1)["Id"]),
        SfRef(SfObject.PRODUCT2, product(1)["Id"]),
    }


def test_items_whose_names_collide_after_shortening_get_free_names_not_review() -> None:
    # Item names are cut to 31 characters: these all become "Support & Maintenance - 12 ...".
    h = Harness()
    names = [f"Support & Maintenance — 12 months S{n}" for n in range(1, 6)]
    for n, name in enumerate(names, start=1):  # one per cycle: sfqb never sees the others' names
        payload = {**product(n), "Name": name}
        cycle = run(h, [h.change(payload)])
        assert state(cycle, payload, SfObject.PRODUCT2) is ItemState.DONE, cycle.attempts[-1]
    item_names = sorted(str(i.fields["Name"]) for i in h.qb.items())
    assert len(item_names) == len(set(item_names)) == 5
    assert all(len(n) <= 31 for n in item_names)


def test_3200_from_an_unmapped_edit_still_applies_salesforces_change() -> None:
    # A QuickBooks user saves the customer's Notes (sfqb does not map them) between sfqb's read
    # and its Mod: QuickBooks answers 3200, sfqb re-reads, and Salesforce's new phone still goes.
    h = Harness()
    run(h, [h.change(account(1))])
    customer = h.qb_of(account(1)["Id"])

    def user_edits(_request: object) -> None:
        h.qb.faults.remove_hook("CustomerMod", user_edits)
        h.qb.modify_as_user(customer.id, Notes="called about the invoice")

    h.qb.faults.before("CustomerMod", user_edits)
    cycle = run(h, [h.change(account(1, Phone="555-0142"))])
    assert state(cycle, account(1), SfObject.ACCOUNT) is ItemState.DONE
    assert [a.status.code for a in cycle.attempts if a.status.code == "3200"] == ["3200"]
    assert h.qb_of(account(1)["Id"]).fields["Phone"] == "555-0142"
