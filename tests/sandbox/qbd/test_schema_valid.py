"""The sandbox's responses validate against Intuit's qbXML 12.0 schema (qbxmlops120.xsd)."""

from __future__ import annotations

import pytest
from lxml import etree
from lxml.builder import E

OWNER = "{6B063959-81B0-4622-85D6-F548C8CCB517}"


@pytest.fixture(scope="module")
def xsd(specs):  # type: ignore[no-untyped-def]
    return etree.XMLSchema(etree.parse(str(specs / "qbxmlops120.xsd")))


def _valid(xsd, xml: str) -> None:  # type: ignore[no-untyped-def]
    document = etree.fromstring(xml.encode())
    if not xsd.validate(document):
        raise AssertionError(f"{xsd.error_log}\n{xml}")


def test_responses_validate(qb, xsd):
    session = [
        [
            E.HostQueryRq(requestID="1"),
            E.CompanyQueryRq(E.OwnerID(OWNER), requestID="2"),
            E.PreferencesQueryRq(requestID="3"),
        ],
        [
            E.CustomerAddRq(
                E.CustomerAdd(
                    E.Name('Palm & <Court> "Rentals"'),
                    E.CompanyName("Palm Court"),
                    E.FirstName("Ann"),
                    E.BillAddress(E.Addr1("1 Main"), E.City("Springfield"), E.PostalCode("12345")),
                    E.Phone("555"),
                    E.Email("a@example.com"),
                    E.AccountNumber("001Ax00000"),
                    E.Notes("é"),
                ),
                requestID="c1",
            ),
            E.CustomerAddRq(
                E.CustomerAdd(
                    E.Name("Unit 4"), E.ParentRef(E.FullName('Palm & <Court> "Rentals"'))
                ),
                requestID="c2",
            ),
            E.VendorAddRq(
                E.VendorAdd(E.Name("Supplier"), E.VendorAddress(E.City("X"))), requestID="v"
            ),
            E.VendorAddRq(E.VendorAdd(E.Name("supplier")), requestID="dup"),
            E.EmployeeAddRq(E.EmployeeAdd(E.FirstName("Bo"), E.LastName("Smith")), requestID="e"),
            E.OtherNameAddRq(E.OtherNameAdd(E.Name("Misc")), requestID="o"),
            E.ItemServiceAddRq(
                E.ItemServiceAdd(
                    E.Name("Consulting"),
                    E.SalesOrPurchase(
                        E.Desc("Hours"), E.Price("150.00"), E.AccountRef(E.FullName("Sales"))
                    ),
                ),
                requestID="i1",
            ),
            E.ItemNonInventoryAddRq(
                E.ItemNonInventoryAdd(
                    E.Name("Brochure"), E.SalesAndPurchase(E.SalesDesc("B"), E.SalesPrice("2.5"))
                ),
                requestID="i2",
            ),
            E.ItemInventoryAddRq(
                E.ItemInventoryAdd(E.Name("Widget"), E.SalesPrice("9.99"), E.QuantityOnHand("4")),
                requestID="i3",
            ),
            E.DataExtDefAddRq(
                E.DataExtDefAdd(
                    E.OwnerID(OWNER),
                    E.DataExtName("SalesforceID"),
                    E.DataExtType("STR255TYPE"),
                    E.AssignToObject("Customer"),
                ),
                requestID="d",
            ),
            E.DataExtAddRq(
                E.DataExtAdd(
                    E.OwnerID(OWNER),
                    E.DataExtName("SalesforceID"),
                    E.ListDataExtType("Customer"),
                    E.ListObjRef(E.FullName("Supplier")),
                    E.DataExtValue("x"),
                ),
                requestID="bad-ref",
            ),
        ],
    ]
    for requests in session:
        _valid(xsd, qb.company.process(qb.message_set(*requests)))
    customer = qb.company.find("Customer", 'Palm & <Court> "Rentals"')
    more = [
        E.DataExtAddRq(
            E.DataExtAdd(
                E.OwnerID(OWNER),
                E.DataExtName("SalesforceID"),
                E.ListDataExtType("Customer"),
                E.ListObjRef(E.ListID(customer.id)),
                E.DataExtValue("001"),
            ),
            requestID="dx",
        ),
        E.DataExtModRq(
            E.DataExtMod(
                E.OwnerID(OWNER),
                E.DataExtName("SalesforceID"),
                E.ListDataExtType("Customer"),
                E.ListObjRef(E.ListID(customer.id)),
                E.DataExtValue("002"),
            ),
            requestID="dm",
        ),
        E.DataExtDefQueryRq(requestID="dq"),
        E.CustomerModRq(
            E.CustomerMod(
                E.ListID(customer.id), E.EditSequence(customer.edit_sequence), E.Phone("556")
            ),
            requestID="cm",
        ),
        E.InvoiceAddRq(
            E.InvoiceAdd(
                E.CustomerRef(E.ListID(customer.id)),
                E.TxnDate("2024-03-01"),
                E.RefNumber("INV-1"),
                E.Memo("m"),
                E.InvoiceLineAdd(
                    E.ItemRef(E.FullName("Consulting")), E.Desc("d"), E.Quantity("2"), E.Rate("150")
                ),
                E.InvoiceLineAdd(E.ItemRef(E.FullName("Widget")), E.Amount("9.99")),
            ),
            requestID="inv",
        ),
        E.InvoiceAddRq(E.InvoiceAdd(E.CustomerRef(E.FullName("Nobody"))), requestID="inv-bad"),
        E.SalesReceiptAddRq(
            E.SalesReceiptAdd(
                E.CustomerRef(E.ListID(customer.id)),
                E.SalesReceiptLineAdd(E.ItemRef(E.FullName("Brochure")), E.Quantity("3")),
            ),
            requestID="sr",
        ),
        E.EstimateAddRq(
            E.EstimateAdd(
                E.CustomerRef(E.ListID(customer.id)),
                E.EstimateLineAdd(E.ItemRef(E.FullName("Consulting")), E.Rate("1.5")),
            ),
            requestID="es",
        ),
        E.ReceivePaymentAddRq(
            E.ReceivePaymentAdd(
                E.CustomerRef(E.ListID(customer.id)), E.TotalAmount("100.00"), E.IsAutoApply("true")
            ),
            requestID="rp",
        ),
        E.CustomerQueryRq(E.ActiveStatus("All"), E.OwnerID(OWNER), requestID="cq"),
        E.CustomerQueryRq(E.MaxReturned("1"), iterator="Start", requestID="it"),
        E.ItemQueryRq(requestID="iq"),
        E.VendorQueryRq(requestID="vq"),
        E.EmployeeQueryRq(requestID="eq"),
        E.OtherNameQueryRq(requestID="oq"),
        E.InvoiceQueryRq(E.IncludeLineItems("true"), E.OwnerID(OWNER), requestID="iv"),
        E.SalesReceiptQueryRq(E.IncludeLineItems("true"), requestID="srq"),
        E.EstimateQueryRq(E.IncludeLineItems("true"), requestID="esq"),
        E.ReceivePaymentQueryRq(requestID="rpq"),
        E.CustomerQueryRq(E.FullName("Nobody"), requestID="partial"),
    ]
    out = qb.company.process(qb.message_set(*more))
    _valid(xsd, out)
    codes = {rs.get("requestID"): rs.get("statusCode") for rs in qb.responses(out)}
    assert codes.pop("inv-bad") == "3140"
    assert codes.pop("partial") == "500"
    # OSR DataExtAdd/DataExtMod: both modify the parent, so the EditSequence read before is stale.
    assert codes.pop("cm") == "3200"
    assert set(codes.values()) == {"0"}, codes
    invoice = qb.company.invoices()[0]
    lines = invoice.lines
    mod = E.InvoiceModRq(
        E.InvoiceMod(
            E.TxnID(invoice.id),
            E.EditSequence(invoice.edit_sequence),
            E.Memo("n"),
            E.InvoiceLineMod(E.TxnLineID(str(lines[0]["TxnLineID"])), E.Quantity("1")),
        ),
        requestID="im",
    )
    _valid(xsd, qb.company.process(qb.message_set(mod)))
    qb.company.delete_as_user(qb.company.find("OtherName", "Misc").id)
    qb.company.delete_as_user(qb.company.records("Estimate")[0].id)
    deleted = [
        E.ListDeletedQueryRq(E.ListDelType("OtherName"), requestID="ld"),
        E.TxnDeletedQueryRq(E.TxnDelType("Estimate"), requestID="td"),
        E.TxnDeletedQueryRq(E.TxnDelType("Invoice"), requestID="none"),
    ]
    _valid(xsd, qb.company.process(qb.message_set(*deleted)))
