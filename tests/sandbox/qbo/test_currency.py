"""Multicurrency rules of the QuickBooks Online sandbox (sandbox/qbo/currency.py), each from
Intuit's pages: CurrencyRef.value is an ISO code ("Manage multiple currencies"); another
currency than the home one needs MultiCurrencyEnabled; one currency to each customer, fixed
once transactions use it ("About multicurrency", QuickBooks Online help); a sale in another
currency than its customer's is refused (the stricter reading: Intuit names no code)."""

from __future__ import annotations

from typing import Any

import pytest
from tests.sandbox.qbo.conftest import Qbo, invoice_body, service_item

from sfqb.sandbox.qbo import QboSandbox


@pytest.fixture
def multi(sandbox: QboSandbox) -> QboSandbox:
    sandbox.company.preferences["CurrencyPrefs"]["MultiCurrencyEnabled"] = True
    return sandbox


def _customer(qbo: Qbo, code: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"DisplayName": f"Buyer {code}"}
    if code:
        body["CurrencyRef"] = {"value": code}
    return qbo.create("Customer", body)


def test_a_name_without_currency_is_in_the_home_currency(qbo: Qbo) -> None:
    assert _customer(qbo, None)["CurrencyRef"] == {"value": "USD"}


def test_a_foreign_currency_needs_multicurrency_on(qbo: Qbo) -> None:
    response = qbo.post("customer", {"DisplayName": "Euro Buyer", "CurrencyRef": {"value": "EUR"}})
    assert qbo.fault(response)["code"] == "6000"


def test_a_sale_takes_its_customers_currency_and_refuses_another(qbo: Qbo, multi: Any) -> None:
    customer, item = _customer(qbo, "EUR"), service_item(qbo)
    invoice = qbo.create("Invoice", invoice_body(customer["Id"], item["Id"]))
    assert invoice["CurrencyRef"] == {"value": "EUR"}
    other = invoice_body(customer["Id"], item["Id"]) | {"CurrencyRef": {"value": "USD"}}
    assert qbo.fault(qbo.post("invoice", other))["code"] == "6000"


def test_a_customer_currency_is_fixed_once_used(qbo: Qbo, multi: Any) -> None:
    customer, item = _customer(qbo, "EUR"), service_item(qbo)
    change = {"Id": customer["Id"], "SyncToken": customer["SyncToken"], "sparse": True,
              "CurrencyRef": {"value": "GBP"}}  # fmt: skip
    changed = qbo.post("customer", change).json()["Customer"]
    assert changed["CurrencyRef"] == {"value": "GBP"}  # no transaction yet: it may change
    qbo.create("Invoice", invoice_body(customer["Id"], item["Id"]))
    back = change | {"SyncToken": changed["SyncToken"], "CurrencyRef": {"value": "EUR"}}
    assert qbo.fault(qbo.post("customer", back))["code"] == "6000"
