"""Fault 5010 (Stale Object Error) handled as qbXML's 3200: re-read, re-apply per field, no
lost update.

Intuit, "Sparse update" and SyncToken notes on the entity reference pages ("the SyncToken ...
must match the current version; otherwise a stale object error (5010) is returned").
"""

from __future__ import annotations

from typing import Any

from sfqb.domain.entities import SfObject

from .conftest import Qbo


def test_5010_reread_and_reapply_keeps_the_quickbooks_edit_and_the_salesforce_change(
    qbo: Qbo,
) -> None:
    account = qbo.account("Acme Tools", Phone="(512) 555-0101")
    qbo.cycle()
    customer = qbo.qb_id(SfObject.ACCOUNT, account)
    assert customer is not None
    books = qbo.sandbox.api.books
    original = books.update
    edited: list[bool] = []

    def update(entity: str, body: dict[str, Any]) -> Any:
        if entity == "Customer" and not edited:  # a bookkeeper saves the record first
            edited.append(True)
            current = books.company.get("Customer", customer)
            original(
                "Customer",
                {"Id": customer, "SyncToken": current["SyncToken"], "sparse": True,
                 "Notes": "call before noon"},
            )  # fmt: skip
        return original(entity, body)

    books.update = update  # type: ignore[method-assign]
    qbo.org.update("Account", account, {"Phone": "(512) 555-0199"})
    qbo.cycle()
    kept = qbo.sandbox.company.get("Customer", customer)
    assert kept["Notes"] == "call before noon"
    assert kept["PrimaryPhone"]["FreeFormNumber"] == "(512) 555-0199"
    assert any(e.code == "5010" for e in qbo.log())
    assert len(qbo.sandbox.records("Customer")) == 1
