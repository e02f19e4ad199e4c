"""Merged list entries and inactive records, as Intuit documents them (sources in each test).

- Merge: "Requests that merge accounts customers vendors classes" (developer.intuit.com, QuickBooks
  Desktop SDK tutorials) and the QuickBooks Desktop help "Lists: Merging list entries".
- Inactive: the qbXML schema (qbxml120.xsd: ActiveStatus, default ActiveOnly, sits only in the
  ListFilter branch of a list query) and the help's "Hiding Entries on Lists".
"""

from __future__ import annotations

import pytest
from lxml.builder import E

from sfqb.codes import load_catalog
from sfqb.domain.status import System
from sfqb.sandbox.qbd.books import SandboxError

from .conftest import Harness

CATALOG = load_catalog()


def _invoice(qb: Harness, customer: str, item: str) -> str:
    line = E.InvoiceLineAdd(E.ItemRef(E.FullName(item)), E.Quantity("1"), E.Rate("5"))
    ret = qb.ok(E.InvoiceAddRq(E.InvoiceAdd(E.CustomerRef(E.FullName(customer)), line)))
    return str(ret.findtext("TxnID"))


def test_merge_per_intuit_moves_transactions_to_the_survivor_and_deletes_the_merged_one(
    qb: Harness,
) -> None:
    dup = qb.add_customer("Acme Tools (2)").findtext("ListID")
    keep = qb.add_customer("Acme Tools").findtext("ListID")
    qb.add_service("Widget")
    txn = _invoice(qb, "Acme Tools (2)", "Widget")
    before = qb.company.get(txn)
    assert dup and keep and before is not None
    deletion = qb.company.merge_as_user(dup, keep)
    assert qb.company.get(dup) is None
    after = qb.company.get(txn)
    assert after is not None and after.fields["CustomerRef"] == {"ListID": keep}
    # Silent in the pages, stricter here: the transaction is not reported as modified, and
    # the deletion names the merged-away record by its own name.
    assert after.time_modified == before.time_modified
    assert deletion.id == dup and deletion.name == "Acme Tools (2)"
    listed = qb.one(E.ListDeletedQueryRq(E.ListDelType("Customer")))
    assert [r.findtext("ListID") for r in listed] == [dup]
    gone = qb.one(E.CustomerQueryRq(E.ListID(dup)))
    assert gone.get("statusCode") == "500"  # partial: the id is no longer there


def test_merge_per_intuit_items_and_lines_follow_and_kinds_must_match(qb: Harness) -> None:
    qb.add_customer("Acme")
    old = qb.add_service("Widget old").findtext("ListID")
    new = qb.add_service("Widget").findtext("ListID")
    other = qb.add_customer("Other").findtext("ListID")
    txn = _invoice(qb, "Acme", "Widget old")
    assert old and new and other
    with pytest.raises(SandboxError, match="cannot be merged into"):
        qb.company.merge_as_user(old, other)
    qb.company.merge_as_user(old, new)
    invoice = qb.company.get(txn)
    assert invoice is not None and invoice.lines[0]["ItemRef"] == {"ListID": new}


def test_merge_drops_the_merged_records_custom_fields_silent_docs_stricter(qb: Harness) -> None:
    dup = qb.add_customer("Dup").findtext("ListID")
    keep = qb.add_customer("Keep").findtext("ListID")
    assert dup and keep
    record = qb.company.books.state.records[dup]
    record.data_ext["X|salesforceid"] = {
        "OwnerID": "X",
        "DataExtName": "SalesforceID",
        "DataExtType": "STR255TYPE",
        "DataExtValue": "001000000000001AAA",
    }
    qb.company.merge_as_user(dup, keep)
    survivor = qb.company.get(keep)
    assert survivor is not None and survivor.data_ext == {}


def test_merge_of_an_entry_with_sub_entries_is_refused_stricter_than_the_help(
    qb: Harness,
) -> None:
    parent = qb.add_customer("Parent").findtext("ListID")
    keep = qb.add_customer("Keep").findtext("ListID")
    assert parent and keep
    qb.ok(E.CustomerAddRq(E.CustomerAdd(E.Name("Job"), E.ParentRef(E.ListID(parent)))))
    with pytest.raises(SandboxError, match="sub-entries"):
        qb.company.merge_as_user(parent, keep)


def test_inactive_per_xsd_default_query_is_active_only_but_by_id_and_all_return_it(
    qb: Harness,
) -> None:
    listed = qb.add_customer("Sleepy").findtext("ListID")
    assert listed
    qb.company.modify_as_user(listed, IsActive="false")
    default = qb.one(E.CustomerQueryRq())
    assert all(r.findtext("ListID") != listed for r in default)
    every = qb.one(E.CustomerQueryRq(E.ActiveStatus("All")))
    assert [r.findtext("IsActive") for r in every if r.findtext("ListID") == listed] == ["false"]
    by_id = qb.one(E.CustomerQueryRq(E.ListID(listed)))  # ActiveStatus is a ListFilter element
    assert [r.findtext("ListID") for r in by_id] == [listed]


@pytest.mark.parametrize("inactive", ["Customer", "Item"])
def test_a_transaction_naming_an_inactive_record_is_refused_stricter_3140(
    qb: Harness, inactive: str
) -> None:
    customer = qb.add_customer("Acme").findtext("ListID")
    item = qb.add_service("Widget").findtext("ListID")
    assert customer and item
    qb.company.modify_as_user(customer if inactive == "Customer" else item, IsActive="false")
    line = E.InvoiceLineAdd(E.ItemRef(E.FullName("Widget")), E.Quantity("1"), E.Rate("5"))
    rs = qb.one(E.InvoiceAddRq(E.InvoiceAdd(E.CustomerRef(E.ListID(customer)), line)))
    assert rs.get("statusCode") == "3140"
    message = rs.get("statusMessage") or ""
    assert "inactive" in message
    decoded = CATALOG.decode(System.QBXML, "3140", message)
    assert decoded.known and decoded.details.get("ref_type") == inactive
    assert qb.company.invoices() == []
    # Made active again, the same request goes through.
    qb.company.modify_as_user(customer if inactive == "Customer" else item, IsActive="true")
    line = E.InvoiceLineAdd(E.ItemRef(E.FullName("Widget")), E.Quantity("1"), E.Rate("5"))
    assert qb.ok(E.InvoiceAddRq(E.InvoiceAdd(E.CustomerRef(E.ListID(customer)), line))) is not None
