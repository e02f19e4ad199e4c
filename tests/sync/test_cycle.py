"""The engine alone: `Cycle` over an in-memory BindingSet and the QuickBooks sandbox, no store."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from sfqb.connectors.qbd.operations import split_marker
from sfqb.domain.entities import QbKind, SfObject, SfRef
from sfqb.mapping import Mapper, load_flows
from sfqb.sandbox.demo import salesforce_id_of
from sfqb.sandbox.qbd import SandboxSettings
from sfqb.sandbox.qbd.records import Record
from sfqb.sync.ops import QbAction
from sfqb.sync.records import ItemState

from .harness import CATALOG, COMPANY, QBD, Clock, Harness

__all__ = ["CATALOG", "COMPANY", "MAPPER", "Clock", "Harness"]
MAPPER = Mapper(load_flows())
# States that mean "not held": a held record is failed, retried or (with remedies) in review.
SETTLED_OR_PENDING = (ItemState.DONE, ItemState.SKIPPED, ItemState.WAITING, ItemState.INFLIGHT)


def account(n: int, name: str | None = None, **extra: Any) -> dict[str, Any]:
    """An Account payload."""
    return {
        "Id": f"001{n:015d}",
        "Name": name or f"Account {n}",
        "Phone": "555-0100",
        "BillingStreet": "1 Main St\nSuite 2",
        "BillingCity": "Austin",
        **extra,
    }


def product(n: int, price: str = "12.50") -> dict[str, Any]:
    """A Product2 payload with its standard price."""
    return {
        "Id": f"01t{n:015d}",
        "Name": f"Widget {n}",
        "IsActive": True,
        "Description": "A widget",
        "PricebookEntry": {"UnitPrice": Decimal(price)},
    }


def opportunity(n: int, account_n: int, product_n: int, **extra: Any) -> dict[str, Any]:
    """A Closed Won Opportunity with one line."""
    return {
        "Id": f"006{n:015d}",
        "Name": f"Order {n}",
        "AccountId": f"001{account_n:015d}",
        "IsWon": True,
        "StageName": "Closed Won",
        "CloseDate": "2026-01-02",
        "OpportunityLineItems": [
            {
                "Id": f"00k{n:015d}",
                "Product2Id": f"01t{product_n:015d}",
                "Quantity": Decimal("2"),
                "UnitPrice": Decimal("12.5"),
                "Description": "two",
            }
        ],
        **extra,
    }


def marker(record: Record) -> str | None:
    """The SalesforceID data extension, or the [sf:ID] memo marker of a transaction."""
    value = salesforce_id_of(record)
    if value is not None:
        return value
    memo = record.fields.get("Memo")
    return split_marker(memo if isinstance(memo, str) else None)[1]


def test_parents_go_in_earlier_batches_than_their_children(h: Harness) -> None:
    changes = [h.change(opportunity(1, 1, 1)), h.change(account(1)), h.change(product(1))]
    cycle = h.run(changes)
    batch_of = {
        op.sf.sobject: i
        for i, batch in enumerate(h.sent)
        for op in batch
        if op.action is QbAction.ADD and op.sf is not None
    }
    assert batch_of[SfObject.ACCOUNT] < batch_of[SfObject.OPPORTUNITY]
    assert batch_of[SfObject.PRODUCT2] < batch_of[SfObject.OPPORTUNITY]
    assert {o.state for o in cycle.outcomes.values()} == {ItemState.DONE}
    invoice = h.view_of(opportunity(1, 1, 1)["Id"])
    assert invoice.customer == h.bound(account(1)["Id"]).id
    assert invoice.items == (h.bound(product(1)["Id"]).id,)
    assert len(h.bindings) == 3


def test_a_transaction_is_mapped_once_a_cycle(h: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    # The Add of a record without a name to make unique (an invoice) mapped the deal a second
    # time, with the names taken, which only a name rule reads.
    mapped: list[str] = []
    real = Mapper.map

    def counting(self: Mapper, flow: str, record: Any, *args: Any, **kwargs: Any) -> Any:
        mapped.append(flow)
        return real(self, flow, record, *args, **kwargs)

    monkeypatch.setattr(Mapper, "map", counting)
    changes = [h.change(opportunity(1, 1, 1)), h.change(account(1)), h.change(product(1))]
    cycle = h.run(changes)
    assert {o.state for o in cycle.outcomes.values()} == {ItemState.DONE}
    assert mapped.count("opportunity_to_invoice") == 1
    assert mapped.count("account_to_customer") == 2  # a name made unique when it is sent
    if h.target.marks:  # the invoice read back once its marker is set: its fields unchanged
        assert mapped.count("payment_to_opportunity") == 2  # its fingerprint, its balance
    assert not cycle.inbound._wrote  # each record's fields kept only until it is read back
    invoice = h.view_of(opportunity(1, 1, 1)["Id"])
    assert invoice.customer == h.bound(account(1)["Id"]).id


@pytest.mark.desktop_only("QuickBooks Online keeps no marker (MarkerKind.NONE): the binding "
                          "lives in the store and in QuickBooks_ID__c")  # fmt: skip
def test_each_record_carries_the_salesforce_id_it_is_bound_to() -> None:
    h = Harness()
    h.run([h.change(opportunity(1, 1, 1)), h.change(account(1)), h.change(product(1))])
    invoice = h.qb_of(opportunity(1, 1, 1)["Id"])
    assert invoice.fields["CustomerRef"] == {"ListID": h.qb_of(account(1)["Id"]).id}
    for binding in h.bindings:  # bound three ways: here, and the marker in QuickBooks
        record = h.qb.get(binding.qb.id)
        assert record is not None and marker(record) == binding.sf.id


def _assert_parent_failure_waits(h: Harness, code: str) -> None:
    changes = [
        h.change(account(1)),
        h.change(account(2)),
        h.change(product(1)),
        h.change(opportunity(1, 1, 1)),
        h.change(opportunity(2, 2, 1)),
    ]
    cycle = h.run(changes)
    states = {sf.id: o.state for sf, o in cycle.outcomes.items()}
    failed_account, waiting = account(1)["Id"], opportunity(1, 1, 1)["Id"]
    assert states[failed_account] not in SETTLED_OR_PENDING  # held or retried, per remedy
    assert states[waiting] is ItemState.WAITING
    reason = cycle.outcomes[SfRef(SfObject.OPPORTUNITY, waiting)].reason
    assert failed_account in reason and code in reason
    assert states[account(2)["Id"]] is ItemState.DONE
    assert states[product(1)["Id"]] is ItemState.DONE
    assert states[opportunity(2, 2, 1)["Id"]] is ItemState.DONE
    waits = [a for a in cycle.attempts if a.sf is not None and a.sf.id == waiting]
    assert [(a.status.code, a.operation) for a in waits] == [("PARENT_NOT_SYNCED", "wait")]
    assert waits[0].status.title  # decoded, not a bare code
    assert len(h.books.records("invoice")) == 1


def test_a_failed_parent_makes_its_invoice_wait_and_others_go_through(h: Harness) -> None:
    h.books.add_as_user("customer", "Account 1", phone="555-0999")  # QuickBooks refuses the name
    _assert_parent_failure_waits(h, h.target.duplicate_name)


@pytest.mark.desktop_only(
    "3260 is QuickBooks Desktop's per-user permission refusal; a QuickBooks Online app has the "
    "company's whole access"
)
def test_a_denied_customer_add_holds_its_invoice_for_the_company() -> None:
    h = Harness(settings=SandboxSettings(denied={"Customer": ("Add",)}))
    changes = [h.change(account(1)), h.change(product(1)), h.change(opportunity(1, 1, 1))]
    cycle = h.run(changes)
    by_id = {sf.id: o for sf, o in cycle.outcomes.items()}
    assert by_id[account(1)["Id"]].status is not None
    assert by_id[account(1)["Id"]].status.code == "3260"  # type: ignore[union-attr]
    opp = by_id[opportunity(1, 1, 1)["Id"]]
    # The customer is held by a company-level block (3260), and its invoice with it: no
    # per-record line in the log for the invoice, the block is reported once.
    assert opp.state is ItemState.HELD and opp.status is not None and opp.status.code == "3260"
    assert account(1)["Id"] in opp.reason
    assert [a.status.code for a in cycle.attempts if a.status.code == "3260"] == ["3260"]
    assert cycle.new_blocks.keys() == {"Customer:add"}
    assert by_id[product(1)["Id"]].state is ItemState.DONE
    assert h.qb.invoices() == []


def test_a_stale_version_is_reread_and_the_mod_retried_once(h: Harness) -> None:
    h.run([h.change(account(1))])
    h.books.edit_before_next_mod(h.bound(account(1)["Id"]), notes="called")  # version moves on
    cycle = h.run([h.change(account(1, Phone="555-0142"))])
    mods = h.sent_ops(QbAction.MOD)
    assert len(mods) == 2  # the first gets 3200 (QBO 5010), the retry goes through
    assert mods[0].version != mods[1].version
    codes = [(a.operation, a.status.code) for a in cycle.attempts]
    assert ("mod", h.target.stale_version) in codes and codes[-1][0] == "mod"
    assert cycle.outcomes[SfRef(SfObject.ACCOUNT, account(1)["Id"])].state is ItemState.DONE
    assert h.view_of(account(1)["Id"]).phone == "555-0142"


def test_a_second_stale_version_fails_instead_of_looping(h: Harness) -> None:
    h.run([h.change(account(1))])
    h.books.edit_before_next_mod(h.bound(account(1)["Id"]), times=2, notes="called")
    cycle = h.run([h.change(account(1, Phone="555-0142"))])
    assert len(h.sent_ops(QbAction.MOD)) == 2
    outcome = cycle.outcomes[SfRef(SfObject.ACCOUNT, account(1)["Id"])]
    assert outcome.state not in SETTLED_OR_PENDING
    assert outcome.status is not None and outcome.status.code == h.target.stale_version


def test_a_lost_reply_leaves_items_inflight_and_the_next_cycle_binds_them(h: Harness) -> None:
    h.run([h.change(account(1)), h.change(product(1))])
    before = h.clock.now
    opp = opportunity(1, 1, 1)
    acct = account(2, name="Lost & Found")
    cycle = h.run([h.change(acct), h.change(opp, None)], lose_add=1)
    states = {sf.id: o.state for sf, o in cycle.outcomes.items()}
    assert states == {acct["Id"]: ItemState.INFLIGHT, opp["Id"]: ItemState.INFLIGHT}
    assert len(h.books.records("invoice")) == 1  # QuickBooks did add them
    assert len(h.books.records("customer")) == 2
    assert h.bindings.by_sf(COMPANY, SfRef(SfObject.OPPORTUNITY, opp["Id"])) is None

    again = h.run([h.change(acct, before), h.change(opp, before)])
    assert len(h.books.records("invoice")) == 1 and len(h.books.records("customer")) == 2
    assert h.sent_ops(QbAction.ADD) == []
    for sf_id in (acct["Id"], opp["Id"]):
        binding = next(b for b in h.bindings if b.sf.id == sf_id)
        assert again.outcomes[binding.sf].state in (ItemState.DONE, ItemState.SKIPPED)
        assert any(a.operation == "bind" for a in again.attempts if a.sf == binding.sf)
    assert h.view_of(opp["Id"]).customer == h.bound(account(1)["Id"]).id


def test_a_lost_invoice_is_found_by_the_memo_marker_on_desktop() -> None:
    """The Desktop half of the test above: the `[sf:ID]` memo marker is what found it."""
    h = Harness()
    h.run([h.change(account(1)), h.change(product(1))])
    before = h.clock.now
    opp = opportunity(1, 1, 1)
    h.run([h.change(opp, None)], lose_add=1)
    h.run([h.change(opp, before)])
    assert marker(h.qb_of(opp["Id"])) == opp["Id"]


def test_an_unknown_add_that_never_reached_quickbooks_is_added_once(h: Harness) -> None:
    before = h.clock.now
    h.run([h.change(account(1))])
    assert len(h.books.records("customer")) == 1
    other = account(2)
    cycle = h.run([h.change(other, before)])  # looked up, not found: added once
    assert len(h.sent_ops(QbAction.ADD)) == 1
    assert cycle.outcomes[SfRef(SfObject.ACCOUNT, other["Id"])].state is ItemState.DONE
    assert len(h.books.records("customer")) == 2


def test_a_payload_that_cannot_be_mapped_fails_alone(h: Harness) -> None:
    bad = opportunity(1, 1, 1)
    bad["OpportunityLineItems"][0]["Quantity"] = "three"
    cycle = h.run(
        [h.change(account(1)), h.change(product(1)), h.change(bad), h.change(opportunity(2, 1, 1))]
    )
    outcome = cycle.outcomes[SfRef(SfObject.OPPORTUNITY, bad["Id"])]
    assert outcome.state is ItemState.FAILED
    assert outcome.status is not None and outcome.status.code == "MAPPING_REFUSED"
    assert "'three'" in outcome.reason  # the value it could not map
    assert cycle.outcomes[SfRef(SfObject.OPPORTUNITY, opportunity(2, 1, 1)["Id"])].state is (
        ItemState.DONE
    )
    assert len(h.books.records("invoice")) == 1


def test_names_are_cut_cleaned_and_made_unique() -> None:
    h = Harness()
    long_name = "Associated Consolidated Industries: Northwest Region Holdings"
    twins = [account(1, name="Acme: West"), account(2, name="Acme: West")]
    h.run([h.change(account(3, name=long_name)), *[h.change(a) for a in twins]])
    names = [str(c.fields["Name"]) for c in h.qb.customers()]
    assert len(names) == 3 and len({n.casefold() for n in names}) == 3
    for name in names:
        assert len(name) <= 41 and ":" not in name
    assert h.qb_of(account(1)["Id"]).fields["Name"] == "Acme- West"
    assert h.qb_of(account(2)["Id"]).fields["Name"] != "Acme- West"


def test_a_name_a_quickbooks_user_took_is_not_duplicated_with_a_suffix(h: Harness) -> None:
    # An unbound QuickBooks record of the same name may be this very party: QuickBooks' 3100
    # (QBO 6240) and the match rule decide (here: no phone or e-mail in common: a person does).
    start = h.clock.now
    h.books.add_as_user("customer", "Globex")
    customers = h.target.profile.read_type_of(QbKind.CUSTOMER)
    cycle = h.run([h.change(account(1, name="Globex"))], since={customers: start})
    assert len(h.books.records("customer")) == 1
    outcome = cycle.outcomes[SfRef(SfObject.ACCOUNT, account(1)["Id"])]
    assert outcome.state is ItemState.REVIEW
    assert [c["name"] for c in outcome.details["candidates"]] == ["Globex"]


def test_a_name_held_by_another_salesforce_record_gets_a_unique_name(h: Harness) -> None:
    h.run([h.change(account(1, name="Globex"))])
    cycle = h.run([h.change(account(2, name="Globex", Phone="555-0199"))])
    assert cycle.outcomes[SfRef(SfObject.ACCOUNT, account(2)["Id"])].state is ItemState.DONE
    names = sorted(str(c.name) for c in h.books.records("customer"))
    assert names == ["Globex", "Globex (2)"]


def test_a_name_taken_outside_the_read_window_is_held_not_duplicated(h: Harness) -> None:
    h.books.add_as_user("customer", "Globex")
    cycle = h.run([h.change(account(1, name="Globex"))])
    outcome = cycle.outcomes[SfRef(SfObject.ACCOUNT, account(1)["Id"])]
    assert outcome.state not in SETTLED_OR_PENDING
    assert outcome.status is not None and outcome.status.code == h.target.duplicate_name
    assert len(h.books.records("customer")) == 1 and len(h.bindings) == 0


def test_a_mod_sends_only_the_changed_fields(h: Harness) -> None:
    h.run([h.change(account(1))])
    h.run([h.change(account(1, Phone="555-0142"))])
    mods = h.sent_ops(QbAction.MOD)
    assert len(mods) == 1
    assert dict(mods[0].fields) == {h.target.phone_field: h.target.phone_value("555-0142")}


def test_the_high_water_mark_moves_to_the_newest_modification() -> None:
    h = Harness()
    start = h.clock.now
    h.run([h.change(account(1)), h.change(account(2))])
    customers = h.qb.customers()
    h.clock.now += timedelta(minutes=5)
    edited = h.qb.modify_as_user(customers[0].id, Fax="555-0999")
    cycle = h.run([], since={"Customer": start, "Invoice": start, "ReceivePayment": start})
    newest = max(c.time_modified for c in h.qb.customers())
    assert newest == edited.time_modified
    assert cycle.qb_high_water["Customer"] == newest


def test_an_unknown_add_is_not_sent_again_when_its_look_up_goes_unanswered(h: Harness) -> None:
    h.run([h.change(account(1)), h.change(product(1))])
    before = h.clock.now
    opp = opportunity(1, 1, 1)
    h.run([h.change(opp)], lose_add=1)  # the invoice's add is processed, its reply lost
    assert len(h.books.records("invoice")) == 1
    cycle = h.run([h.change(opp, before)], lose_batch=1)  # and now the look-up's reply
    assert h.sent_ops(QbAction.ADD) == []
    assert cycle.outcomes[SfRef(SfObject.OPPORTUNITY, opp["Id"])].state is ItemState.INFLIGHT
    assert len(h.books.records("invoice")) == 1
    h.run([h.change(opp, before)])
    [invoice] = h.books.records("invoice")
    assert h.bound(opp["Id"]).id == invoice.id


def test_an_item_whose_suffixed_add_went_unanswered_is_found_not_added_twice(h: Harness) -> None:
    # Item names hold 31 characters on Desktop (qbXML OSR, ItemServiceAdd Name), 100 here on
    # Online: both products cut to the same name, so the second one's Add is sent as "... (2)"
    # - and that reply is lost.
    limit = h.target.item_name_limit
    long = ("Professional Services Package " * 4)[: limit - 2]
    gold, silver = {**product(1), "Name": f"{long} - Gold"}, {**product(2), "Name": f"{long} - S"}
    h.run([h.change(gold)])
    before = h.clock.now
    h.run([h.change(silver)], lose_add=2)  # the Add, 3100 (6240), the read, the renamed Add
    assert len(h.books.records("item")) == 2
    assert h.bindings.by_sf(COMPANY, SfRef(SfObject.PRODUCT2, silver["Id"])) is None

    cycle = h.run([h.change(silver, before)])
    assert h.sent_ops(QbAction.ADD) == []
    assert len(h.books.records("item")) == 2
    name = str(h.view_of(silver["Id"]).name)
    assert name.endswith(" (2)") and len(name) <= limit and name[:20] == long[:20]
    assert cycle.outcomes[SfRef(SfObject.PRODUCT2, silver["Id"])].state is ItemState.DONE


@pytest.mark.desktop_only("QuickBooks Online keeps no marker (MarkerKind.NONE), so it has no "
                          "marker writes or refresh reads to batch")  # fmt: skip
def test_marker_writes_and_refresh_reads_go_max_batch_at_a_time() -> None:
    # A 16,000-record load once sent every marker write in one message set and one read naming
    # all 16,000 ids, whose answer was larger than the Web Connector endpoint takes.
    small = replace(QBD, profile=replace(QBD.profile, max_batch=4))
    h = Harness(target=small)
    accounts = [account(n) for n in range(1, 11)]
    cycle = h.run([h.change(a) for a in accounts])
    assert {o.state for o in cycle.outcomes.values()} == {ItemState.DONE}
    assert max(len(batch) for batch in h.sent) <= 4
    reads = [op for batch in h.sent for op in batch if op.action is QbAction.READ and op.ids]
    assert reads and max(len(op.ids) for op in reads) <= 4
    for a in accounts:  # every record still carries its Salesforce Id
        assert marker(h.qb_of(a["Id"])) == a["Id"]
