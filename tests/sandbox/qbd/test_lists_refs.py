"""The company's lists and every list reference, as Intuit documents them.

Sources: the qbXML OSR ("QuickBooks Desktop SDK: Onscreen Reference",
https://developer-static.intuit.com/qbSDK-current/Common/newOSR/index.html) for which list each
*Ref element names, AccountQuery/SalesTaxCodeQuery/TermsQuery, the InvoiceRet's Subtotal,
SalesTaxPercentage and SalesTaxTotal; the 3140 wording is QuickBooks' own as quoted from real
responses ("There is an invalid reference to QuickBooks AR Account ... in the invoice").
"""

from __future__ import annotations

import pytest
from lxml.builder import E


def _item(name: str, account: str = "Sales", code: str | None = None):  # type: ignore[no-untyped-def]
    parts = [E.Name(name)]
    if code is not None:
        parts.append(E.SalesTaxCodeRef(E.FullName(code)))
    parts.append(E.SalesOrPurchase(E.Price("100.00"), E.AccountRef(E.FullName(account))))
    return E.ItemServiceAddRq(E.ItemServiceAdd(*parts), requestID="i")


def _invoice(customer: str, *lines, **header):  # type: ignore[no-untyped-def]
    head = [E.CustomerRef(E.FullName(customer))]
    for name, value in header.items():
        head.append(getattr(E, name)(E.FullName(value)))
    return E.InvoiceAddRq(E.InvoiceAdd(*head, *lines), requestID="inv")


def _line(item: str, amount: str = "100.00", code: str | None = None):  # type: ignore[no-untyped-def]
    parts = [E.ItemRef(E.FullName(item)), E.Amount(amount)]
    if code is not None:
        parts.append(E.SalesTaxCodeRef(E.FullName(code)))
    return E.InvoiceLineAdd(*parts)


def test_osr_account_query_returns_the_seeded_chart_of_accounts(qb):
    rs = qb.one(E.AccountQueryRq(requestID="a"))
    found = {r.findtext("Name"): r.findtext("AccountType") for r in rs}
    assert found["Sales"] == "Income" and found["Accounts Receivable"] == "AccountsReceivable"
    codes = qb.one(E.SalesTaxCodeQueryRq(requestID="c"))
    assert {r.findtext("Name"): r.findtext("IsTaxable") for r in codes} == {
        "Tax": "true",
        "Non": "false",
    }
    assert "Net 30" in {r.findtext("Name") for r in qb.one(E.TermsQueryRq(requestID="t"))}


def test_osr_item_add_with_a_missing_income_account_gives_3140_with_intuits_message(qb):
    rs = qb.one(_item("Consulting", account="Revenue"))
    assert qb.status(rs)[0] == 3140
    assert rs.get("statusMessage") == (
        'There is an invalid reference to QuickBooks Account "Revenue" in the ItemService.'
    )
    qb.ok(E.AccountAddRq(E.AccountAdd(E.Name("Revenue"), E.AccountType("Income")), requestID="a"))
    assert qb.ok(_item("Consulting", account="Revenue")).findtext("Name") == "Consulting"


@pytest.mark.parametrize(
    ("header", "ref_type", "name"),
    [
        ({"ClassRef": "East"}, "Class", "East"),
        ({"TermsRef": "Net 45"}, "Terms", "Net 45"),
        ({"ARAccountRef": "Receivables 2"}, "AR Account", "Receivables 2"),
        ({"SalesRepRef": "JQ"}, "Sales Rep", "JQ"),
        ({"ItemSalesTaxRef": "County Tax"}, "Item Sales Tax", "County Tax"),
    ],
)
def test_osr_invoice_references_resolve_against_the_lists_else_3140(qb, header, ref_type, name):
    qb.ok(E.CustomerAddRq(E.CustomerAdd(E.Name("Acme")), requestID="c"))
    qb.ok(_item("Consulting"))
    rs = qb.one(_invoice("Acme", _line("Consulting"), **header))
    assert qb.status(rs)[0] == 3140
    assert rs.get("statusMessage") == (
        f'There is an invalid reference to QuickBooks {ref_type} "{name}" in the Invoice.'
    )


def test_osr_line_sales_tax_code_must_exist(qb):
    qb.ok(E.CustomerAddRq(E.CustomerAdd(E.Name("Acme")), requestID="c"))
    qb.ok(_item("Consulting"))
    rs = qb.one(_invoice("Acme", _line("Consulting", code="Exm")))
    assert rs.get("statusMessage") == (
        'There is an invalid reference to QuickBooks Sales Tax Code "Exm" in the Invoice line.'
    )


def test_customer_type_and_inactive_terms_count_as_missing(qb):
    # The OSR does not say what an inactive list entry does in a reference; QuickBooks' forms
    # do not offer it, so the sandbox takes the stricter reading: 3140.
    rs = qb.one(E.CustomerAddRq(E.CustomerAdd(E.Name("A"), E.CustomerTypeRef(E.FullName("VIP")))))
    assert qb.status(rs)[0] == 3140 and "Customer Type" in rs.get("statusMessage")
    terms = next(r for r in qb.one(E.TermsQueryRq(requestID="t")) if r.findtext("Name") == "Net 15")
    qb.company.modify_as_user(terms.findtext("ListID"), IsActive="false")
    rs = qb.one(E.CustomerAddRq(E.CustomerAdd(E.Name("B"), E.TermsRef(E.FullName("Net 15")))))
    assert qb.status(rs)[0] == 3140


def test_osr_sales_tax_from_the_tax_item_rate_on_taxable_lines(qb):
    qb.ok(E.CustomerAddRq(E.CustomerAdd(E.Name("Acme")), requestID="c"))
    qb.ok(_item("Taxed Thing", code="Tax"))
    qb.ok(_item("Service", code="Non"))
    tax = E.ItemSalesTaxAdd(E.Name("State Tax"), E.TaxRate("7.25"))
    qb.ok(E.ItemSalesTaxAddRq(tax, requestID="t"))
    # A line without a code takes its item's (Taxed Thing: Tax); an explicit code wins.
    lines = (_line("Taxed Thing"), _line("Service"), _line("Taxed Thing", "50.00", code="Non"))
    ret = qb.ok(_invoice("Acme", *lines, ItemSalesTaxRef="State Tax"))
    assert ret.findtext("Subtotal") == "250.00"
    assert ret.findtext("SalesTaxPercentage") == "7.25"
    assert ret.findtext("SalesTaxTotal") == "7.25"
    assert ret.findtext("BalanceRemaining") == "257.25"
    codes = [line.findtext("SalesTaxCodeRef/FullName") for line in ret.findall("InvoiceLineRet")]
    assert codes == ["Tax", "Non", "Non"]


def test_no_tax_item_means_no_tax(qb):
    # QuickBooks would use the company's default tax item; the sandbox company has none.
    qb.ok(E.CustomerAddRq(E.CustomerAdd(E.Name("Acme")), requestID="c"))
    qb.ok(_item("Taxed Thing", code="Tax"))
    ret = qb.ok(_invoice("Acme", _line("Taxed Thing")))
    assert ret.findtext("SalesTaxTotal") == "0.00" and ret.findtext("BalanceRemaining") == "100.00"
