"""Fault 610 (Object Not Found) for a name made inactive: reactivate or review by the
company's on_inactive policy, never a second customer.

Intuit, Customer entity reference ("Delete a customer": "QuickBooks Online does not support
deleting a customer; set Active to false (make it inactive)"), and the error-code page
(developer.intuit.com/app/developer/qbo/docs/develop/troubleshooting/error-codes, 610 "Object
Not Found: Something you're trying to use has been made inactive").
"""

from __future__ import annotations

from typing import Any

from sfqb.domain.entities import SfObject
from sfqb.domain.policy import CompanyPolicy, OnInactive

from .conftest import Qbo


def _bound_customer_made_inactive(qbo: Qbo) -> tuple[str, str, str]:
    account = qbo.account("Acme Tools", Phone="(512) 555-0101")
    _product, entry = qbo.product()
    qbo.cycle()
    customer = qbo.qb_id(SfObject.ACCOUNT, account)
    assert customer is not None
    qbo.deactivate("Customer", customer)  # "deleted" in QuickBooks Online
    return account, customer, entry


def test_610_inactive_customer_reactivated_by_policy_then_the_invoice_goes(
    qbo_factory: Any,
) -> None:
    qbo: Qbo = qbo_factory(CompanyPolicy(on_inactive=OnInactive.REACTIVATE))
    account, customer, entry = _bound_customer_made_inactive(qbo)
    opp = qbo.deal(account, entry)
    qbo.cycle()
    qbo.cycle()
    assert [c["Id"] for c in qbo.sandbox.records("Customer")] == [customer]
    assert qbo.sandbox.records("Customer")[0]["Active"] is True
    [invoice] = qbo.sandbox.records("Invoice")
    assert invoice["CustomerRef"]["value"] == customer
    assert qbo.qb_id(SfObject.OPPORTUNITY, opp) == invoice["Id"]


def test_610_inactive_customer_goes_to_review_by_default_and_nothing_is_recreated(
    qbo: Qbo,
) -> None:
    account, customer, entry = _bound_customer_made_inactive(qbo)
    opp = qbo.deal(account, entry)
    qbo.cycle()
    qbo.cycle(wait=3600)
    assert [c["Id"] for c in qbo.sandbox.records("Customer")] == [customer]
    assert qbo.sandbox.records("Customer")[0]["Active"] is False
    assert qbo.sandbox.records("Invoice") == []
    assert [r.source_id for r in qbo.reviews()] == [opp]
    assert qbo.qb_id(SfObject.ACCOUNT, account) == customer


def test_610_customer_made_inactive_after_the_check_is_not_recreated(qbo_factory: Any) -> None:
    """Deactivated between the cycle's read of the parents and the invoice's add: the add
    answers 610, and the next cycle reactivates it (policy), still one customer."""
    qbo: Qbo = qbo_factory(CompanyPolicy(on_inactive=OnInactive.REACTIVATE))
    account = qbo.account("Acme Tools", Phone="(512) 555-0101")
    _product, entry = qbo.product()
    qbo.cycle()
    customer = qbo.qb_id(SfObject.ACCOUNT, account)
    assert customer is not None
    qbo.deal(account, entry)
    books = qbo.sandbox.api.books
    original, done = books.create, []

    def create(entity: str, body: dict[str, Any]) -> Any:
        if entity == "Invoice" and not done:  # a person makes it inactive just then, once
            done.append(True)
            qbo.deactivate("Customer", customer)
        return original(entity, body)

    books.create = create  # type: ignore[method-assign]
    for _ in range(3):
        qbo.cycle(wait=3600)
    assert [c["Id"] for c in qbo.sandbox.records("Customer")] == [customer]
    assert len(qbo.sandbox.records("Invoice")) == 1
    assert any(e.code == "610" for e in qbo.log())
