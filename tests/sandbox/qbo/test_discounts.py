"""The discount line of a sales form (Intuit's Invoice reference, developer.intuit.com
.../all-entities/invoice: a DiscountLine's Amount is the discount applied to the subtotal,
PercentBased with DiscountPercent a percent of it). The sandbox takes one discount line a form
and refuses a discount above the subtotal: the stricter reading where the page is silent."""

from __future__ import annotations

from typing import Any

from tests.sandbox.qbo.conftest import Qbo, invoice_body, service_item


def _with_discount(qbo: Qbo, **detail: Any) -> dict[str, Any]:
    customer = qbo.create("Customer", {"DisplayName": "Acme"})
    item = service_item(qbo)
    body = invoice_body(customer["Id"], item["Id"])  # 2 x 50 = 100
    amount = detail.pop("Amount", 15)
    body["Line"].append({"DetailType": "DiscountLineDetail", "Amount": amount,
                         "DiscountLineDetail": {"PercentBased": False, **detail}})  # fmt: skip
    return body


def test_a_discount_line_comes_off_the_subtotal(qbo: Qbo) -> None:
    invoice = qbo.create("Invoice", _with_discount(qbo))
    assert invoice["TotalAmt"] == 85.0 and invoice["Balance"] == 85.0
    subtotal = next(x for x in invoice["Line"] if x["DetailType"] == "SubTotalLineDetail")
    assert subtotal["Amount"] == 100.0


def test_a_percent_discount_must_be_that_share_of_the_subtotal(qbo: Qbo) -> None:
    body = _with_discount(qbo, PercentBased=True, DiscountPercent=10, Amount=15)
    assert qbo.fault(qbo.post("invoice", body))["code"] == "2010"
    body["Line"][1]["Amount"] = 10
    assert qbo.create("Invoice", body)["TotalAmt"] == 90.0


def test_two_discount_lines_or_more_than_the_subtotal_are_refused(qbo: Qbo) -> None:
    body = _with_discount(qbo)
    body["Line"].append(dict(body["Line"][1]))
    assert qbo.fault(qbo.post("invoice", body))["code"] == "6000"
    body["Line"].pop()
    body["Line"][1]["Amount"] = 100.01
    assert qbo.fault(qbo.post("invoice", body))["code"] == "2010"
