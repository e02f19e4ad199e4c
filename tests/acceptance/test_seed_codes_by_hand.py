"""Acceptance: the seed-codes scenario's by-hand situations, read in the sandboxes it leaves.

What sfqb did (its log and the summary's row), who acted, and the end state in QuickBooks and
Salesforce for: a 3100 fixed as the article says (the Account's Id, 15 characters from its URL,
pasted into the SalesforceID field in QuickBooks), a deletion with history fixed as the article
says (QuickBooks_ID__c cleared in Salesforce), a merge in QuickBooks, and inactive records
(on_inactive=reactivate).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sfqb.codes import load_catalog
from sfqb.domain.entities import SfObject, SfRef
from sfqb.domain.sfid import to18
from sfqb.sandbox.demo import DemoOptions, DemoWorld
from sfqb.sandbox.qbd.records import Record
from sfqb.sandbox.scenarios import run_seed_codes
from sfqb.sandbox.scenarios.by_hand import DELIVERY, RETIRED
from sfqb.sandbox.scenarios.office import Office
from sfqb.store import QueueStatus, ReviewStatus, Store

COMPANY = "demo"


@dataclass
class Left:
    """The scenario's end: the sandboxes, the office, the store, the summary, the narration."""

    world: DemoWorld
    office: Office
    store: Store
    summary: dict[str, Any]
    actions: list[str]

    def row(self, role: str) -> dict[str, Any]:
        rows: list[dict[str, Any]] = self.summary["situations"]
        (row,) = [r for r in rows if r.get("role") == role]
        return row

    def log(self, sobject: SfObject, sf_id: str) -> list[tuple[str, str]]:
        """(status key, action) of the record's log lines, oldest first."""
        lines = self.store.journal.log(COMPANY, record=SfRef(sobject, sf_id), limit=100)
        return [(a.status_key, a.action_taken) for a in reversed(lines)]

    def bound(self, sobject: SfObject, sf_id: str) -> str:
        binding = self.store.bindings.by_sf(COMPANY, SfRef(sobject, sf_id))
        assert binding is not None
        return binding.qb.id

    def customers(self, name: str) -> list[Record]:
        return [c for c in self.world.quickbooks.customers() if c.fields["Name"] == name]


@pytest.fixture(scope="module")
def left(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Left]:
    workdir: Path = tmp_path_factory.mktemp("seed-codes-by-hand")
    result = run_seed_codes(DemoOptions(workdir=workdir), load_catalog())
    assert result.quiet and result.world is not None and result.office is not None
    store = Store.from_url(result.store_url)
    yield Left(result.world, result.office, store, result.summary, result.actions)
    store.engine.dispose()


def _deal(left: Left, role: str) -> str:
    (opp,) = [i for i in left.office.records[role] if i.startswith("006")]
    return opp


def test_the_scenario_still_ends_quiet_with_nothing_undecoded_or_duplicated(left: Left) -> None:
    assert left.summary["quiet"]
    assert left.summary["undecoded"] == 0 and left.summary["duplicates"] == 0


def test_a_3100_is_fixed_by_the_bookkeeper_pasting_the_15_character_id(left: Left) -> None:
    office, qb = left.office, left.world.quickbooks
    account = office.accounts["3100-by-hand"]
    typed_in = office.customers["3100-by-hand"]
    log = left.log(SfObject.ACCOUNT, account)
    (listed,) = [n for n, (key, _did) in enumerate(log) if key == "qbxml:3100"]
    how = "bound by the SalesforceID field set in QuickBooks"
    bound = f"{how}: Customer {typed_in} Northwind Traders"
    (pasted,) = [n for n, (_key, did) in enumerate(log) if did == bound]
    assert listed < pasted
    assert any(f"URL ({account[:15]}), into the SalesforceID field" in a for a in left.actions)
    (item,) = [i for i in left.store.review.items(COMPANY, status=None) if i.source_id == account]
    assert (item.code, item.status) == ("3100", ReviewStatus.RESOLVED)
    assert how in (item.resolution or "")
    # The 3100 was the last item of a record; what stays is the deleted March invoice.
    assert [r["code"] for r in left.summary["review"]] == ["RECORD_GONE"]
    # bound to the customer the QuickBooks user typed in, nothing added; both sides say so
    (customer,) = left.customers("Northwind Traders")
    assert customer.id == typed_in == left.bound(SfObject.ACCOUNT, account)
    assert left.world.salesforce.org.get("Account", account)["QuickBooks_ID__c"] == typed_in
    # sfqb writes its marker in the 18-character form over the pasted 15 characters
    assert account == to18(account[:15]) and qb.custom_field(typed_in, "SalesforceID") == account
    row = left.row("3100-by-hand")
    assert row["resolved_by_people"] == 1 and row["resolved_automatically"] == 0
    assert row["seen"] == 1 and row["needs_review"] == 0
    assert "on the review list" in row["sfqb_did"]
    assert how in row["sfqb_did"]
    assert "bookkeeper pasted the Salesforce Id" in row["who_acted"]


def test_a_deletion_with_history_waits_until_a_salesforce_user_clears_the_id(left: Left) -> None:
    account = left.office.accounts["3120-by-hand"]
    sam = left.office.people["Sam Rivera"]
    log = left.log(SfObject.ACCOUNT, account)
    # held for review though on_deleted is recreate: the customer had an invoice sfqb sent
    assert left.summary["policy"]["on_deleted"] == "recreate"
    held = [n for n, (key, did) in enumerate(log) if key == "qbxml:3120"]
    assert len(held) == 1 and "had 1 transaction(s)" in log[held[0]][1]
    (cleared,) = [n for n, (_k, did) in enumerate(log) if f"cleared in Salesforce by {sam}" in did]
    assert held[0] < cleared and log[cleared + 1 :] == [("qbxml:0", "added and bound")]
    (item,) = [
        i for i in left.store.review.items(COMPANY, status=None) if i.source_id == account
    ]  # fmt: skip
    assert (item.code, item.status) == ("3120", ReviewStatus.RESOLVED)
    assert any("Sam Rivera" in a and "cleared QuickBooks_ID__c" in a for a in left.actions)
    # QuickBooks has the customer again, once, with Salesforce's values; Salesforce the new Id
    (customer,) = left.customers("Old Mill Bakery")
    assert customer.id == left.bound(SfObject.ACCOUNT, account)
    assert customer.fields["Phone"] == "(512) 555-0208"
    assert left.world.salesforce.org.get("Account", account)["QuickBooks_ID__c"] == customer.id
    row = left.row("3120-by-hand")
    assert row["resolved_by_people"] == 1 and row["resolved_automatically"] == 0
    assert f"cleared in Salesforce by {sam}" in row["sfqb_did"]


def test_a_merge_in_quickbooks_is_followed_to_the_survivor_nothing_recreated(left: Left) -> None:
    account = left.office.accounts["merge"]
    survivor = left.office.customers["merge"]
    log = left.log(SfObject.ACCOUNT, account)
    assert any(key == "qbxml:3120" and did.startswith('merged in QuickBooks into "Fabrikam '
               f'Fixtures Inc." ({survivor})') for key, did in log)  # fmt: skip
    assert not any("re-creating" in did for _key, did in log)
    assert left.customers("Fabrikam Fixtures") == []  # the merged-away customer is not back
    (kept,) = left.customers("Fabrikam Fixtures Inc.")
    assert kept.id == survivor == left.bound(SfObject.ACCOUNT, account)
    assert kept.fields["Phone"] == "(512) 555-0209"  # Salesforce's newer change went to it
    assert left.world.salesforce.org.get("Account", account)["QuickBooks_ID__c"] == survivor
    invoice = left.world.quickbooks.get(left.bound(SfObject.OPPORTUNITY, _deal(left, "merge")))
    assert invoice is not None and invoice.ref_id("CustomerRef") == survivor
    row = left.row("merge")
    assert row["resolved_automatically"] == 1 and row["needs_review"] == 0
    assert "the binding follows it, nothing re-created" in row["sfqb_did"]


def test_an_inactive_customer_is_made_active_for_a_new_deal_and_a_product_made_inactive(
    left: Left,
) -> None:
    office, qb, org = left.office, left.world.quickbooks, left.world.salesforce.org
    assert left.summary["policy"]["on_inactive"] == "reactivate"
    opp = _deal(left, "inactive")
    log = left.log(SfObject.OPPORTUNITY, opp)
    assert ("transport:PARENT_INACTIVE", 'made Customer "Tailspin Toys" active again in '
            "QuickBooks (on_inactive: reactivate) before sending") in log  # fmt: skip
    (customer,) = left.customers("Tailspin Toys")
    assert customer.is_active and customer.id == left.bound(SfObject.ACCOUNT, office.accounts[
        "inactive"])  # fmt: skip
    invoice = qb.get(left.bound(SfObject.OPPORTUNITY, opp))
    assert invoice is not None and invoice.ref_id("CustomerRef") == customer.id
    assert org.get("Opportunity", opp)["QuickBooks_ID__c"] == invoice.id
    row = left.store.queue.get(COMPANY, "opportunity_to_invoice", SfRef(SfObject.OPPORTUNITY, opp))
    assert row is not None and row.status is QueueStatus.DONE
    # the product made inactive in Salesforce: its item inactive; the shared one still active
    retired = qb.get(left.bound(SfObject.PRODUCT2, office.products[RETIRED[1]]))
    delivery = qb.get(left.bound(SfObject.PRODUCT2, office.products[DELIVERY[1]]))
    assert retired is not None and not retired.is_active
    assert delivery is not None and delivery.is_active
    assert org.get("Product2", office.products[RETIRED[1]])["IsActive"] is False
    counts = left.row("inactive")
    assert counts["resolved_automatically"] == 1 and counts["needs_review"] == 0
    assert "active again in QuickBooks" in counts["sfqb_did"]
