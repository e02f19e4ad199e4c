"""Sales tax: US companies with automated sales tax (QuickBooks Online computes it) and other
regions (a tax code on every line); the total QuickBooks Online computes goes back to
Salesforce.

Intuit, "Automated sales tax" (developer.intuit.com/app/developer/qbo/docs/workflows/
manage-sales-tax-for-us-locales) and "Non-US sales tax" (.../manage-sales-tax-for-non-us-
locales: "TaxCodeRef is required on each line").
"""

from __future__ import annotations

from typing import Any

from sfqb.domain.entities import SfObject
from sfqb.domain.policy import CompanyPolicy, SalesTaxSettings

from .conftest import Qbo


def test_us_automated_sales_tax_total_with_tax_goes_back_to_salesforce(qbo_factory: Any) -> None:
    taxable = SalesTaxSettings(taxable_code="TAX", non_taxable_code="NON", taxable_by_default=True)
    qbo: Qbo = qbo_factory(CompanyPolicy(sales_tax=taxable))
    account = qbo.account("Acme Tools", BillingState="TX")
    _product, entry = qbo.product(price=100.0)
    opp = qbo.deal(account, entry, quantity=2)
    qbo.cycle()
    qbo.cycle()
    [invoice] = qbo.sandbox.records("Invoice")
    assert qbo.qb_id(SfObject.OPPORTUNITY, opp) == invoice["Id"]
    assert float(invoice["TotalAmt"]) > 200.0  # tax added by QuickBooks Online
    back = qbo.org.get("Opportunity", opp)
    assert float(back["QuickBooks_Balance__c"]) == float(invoice["TotalAmt"])


def test_non_us_company_every_line_carries_a_tax_code(qbo_factory: Any) -> None:
    qbo: Qbo = qbo_factory(automated_sales_tax=False, country="CA")
    account = qbo.account("Acme Tools")
    _product, entry = qbo.product(price=100.0)
    opp = qbo.deal(account, entry, quantity=2)
    qbo.cycle()
    qbo.cycle()
    [invoice] = qbo.sandbox.records("Invoice")
    assert qbo.qb_id(SfObject.OPPORTUNITY, opp) == invoice["Id"]
    assert all(
        line["SalesItemLineDetail"].get("TaxCodeRef")
        for line in invoice["Line"]
        if line.get("DetailType") == "SalesItemLineDetail"
    )
