"""Sales orders in the QuickBooks Desktop sandbox: which editions have them, the preference,
invoicing one from the UI (LinkedTxn, IsFullyInvoiced), and what a closed order refuses.

Sources: expressbooks.ca/blog/544-sales-and-customers-preferences ("Enable Sales Orders
(Premier and Enterprise only)"); qbxml120.xsd (SalesOrderRet: IsManuallyClosed,
IsFullyInvoiced, LinkedTxn; SalesOrderLineRet: Invoiced). Where the docs are silent (a Mod of a
closed order's lines) the sandbox is stricter: 3180, nothing saved.
"""

from __future__ import annotations

import pytest
from lxml import etree
from lxml.builder import E
from tests.sandbox.qbd.conftest import Harness


@pytest.fixture(scope="module")
def xsd(specs):  # type: ignore[no-untyped-def]
    return etree.XMLSchema(etree.parse(str(specs / "qbxmlops120.xsd")))


def _order(qb: Harness, quantity: str = "3") -> etree._Element:
    customer = qb.add_customer("Harbor Supply")
    qb.add_service("Installation", "40.00")
    return qb.one(
        E.SalesOrderAddRq(
            E.SalesOrderAdd(
                E.CustomerRef(E.ListID(customer.findtext("ListID"))),
                E.RefNumber("00000101"),
                E.IsManuallyClosed("false"),
                E.SalesOrderLineAdd(
                    E.ItemRef(E.FullName("Installation")), E.Quantity(quantity), E.Rate("40.00")
                ),
            ),
            requestID="so",
        )
    )


def _mod_lines(qb: Harness, ret: etree._Element, quantity: str) -> etree._Element:
    line = ret.find("SalesOrderLineRet")
    assert line is not None
    return qb.one(
        E.SalesOrderModRq(
            E.SalesOrderMod(
                E.TxnID(ret.findtext("TxnID")),
                E.EditSequence(ret.findtext("EditSequence")),
                E.SalesOrderLineMod(E.TxnLineID(line.findtext("TxnLineID")), E.Quantity(quantity)),
            ),
            requestID="mod",
        )
    )


@pytest.mark.parametrize("edition", ["Premier", "Enterprise"])
def test_sales_orders_exist_in_premier_and_enterprise(make_company, edition):  # type: ignore[no-untyped-def]
    qb = make_company(edition=edition)
    rs = _order(qb)
    assert rs.get("statusCode") == "0", rs.get("statusMessage")
    ret = rs.find("SalesOrderRet")
    assert ret is not None
    assert ret.findtext("TotalAmount") == "120.00"
    assert ret.findtext("IsFullyInvoiced") == "false"


def test_pro_has_no_sales_orders_3250_expressbooks_sales_and_customers(make_company):  # type: ignore[no-untyped-def]
    qb = make_company(edition="Pro")
    rs = _order(qb)
    assert qb.status(rs)[:2] == (3250, "Error")
    query = qb.one(E.SalesOrderQueryRq(E.MaxReturned("1"), requestID="q"))
    assert qb.status(query)[0] == 3250
    assert qb.company.records("SalesOrder") == []


def test_preference_off_answers_3250(make_company):  # type: ignore[no-untyped-def]
    qb = make_company(edition="Enterprise", sales_orders=False)
    assert qb.status(_order(qb))[0] == 3250


def test_open_order_lines_change_and_invoiced_order_refuses_3180(qb, xsd):  # type: ignore[no-untyped-def]
    ret = _order(qb).find("SalesOrderRet")
    assert ret is not None
    changed = _mod_lines(qb, ret, "2")
    assert changed.get("statusCode") == "0"
    ret = changed.find("SalesOrderRet")
    assert ret is not None and ret.findtext("TotalAmount") == "80.00"
    invoice = qb.company.invoice_sales_order(ret.findtext("TxnID") or "")
    query = qb.message_set(
        E.SalesOrderQueryRq(
            E.TxnID(ret.findtext("TxnID")),
            E.IncludeLineItems("true"),
            E.IncludeLinkedTxns("true"),
            requestID="q",
        ),
        E.InvoiceQueryRq(E.TxnID(invoice.id), E.IncludeLinkedTxns("true"), requestID="i"),
    )
    out = qb.company.process(query)
    xsd.assertValid(etree.fromstring(out.encode()))
    order_rs, invoice_rs = qb.responses(out)
    order = order_rs.find("SalesOrderRet")
    assert order is not None
    assert order.findtext("IsFullyInvoiced") == "true"
    assert order.findtext("LinkedTxn/TxnID") == invoice.id
    assert order.findtext("SalesOrderLineRet/Invoiced") == "2"
    assert invoice_rs.findtext("InvoiceRet/LinkedTxn/TxnType") == "SalesOrder"
    refused = _mod_lines(qb, order, "1")
    assert qb.status(refused)[0] == 3180
    stored = qb.company.records("SalesOrder")[0]
    assert stored.lines[0]["Quantity"] == "2"


def test_closed_by_hand_refuses_line_changes_but_takes_a_memo(qb):  # type: ignore[no-untyped-def]
    ret = _order(qb).find("SalesOrderRet")
    assert ret is not None
    closed = qb.ok(
        E.SalesOrderModRq(
            E.SalesOrderMod(
                E.TxnID(ret.findtext("TxnID")),
                E.EditSequence(ret.findtext("EditSequence")),
                E.IsManuallyClosed("true"),
            )
        )
    )
    assert qb.status(_mod_lines(qb, closed, "1"))[0] == 3180
    memo = qb.one(
        E.SalesOrderModRq(
            E.SalesOrderMod(
                E.TxnID(closed.findtext("TxnID")),
                E.EditSequence(closed.findtext("EditSequence")),
                E.Memo("Closed at the customer's request"),
            )
        )
    )
    assert memo.get("statusCode") == "0"


def _deleted(qb: Harness, *types: str) -> etree._Element:
    """TxnDeletedQueryRq of `types` (qbxml120.xsd: TxnDelType, one or more)."""
    return qb.one(E.TxnDeletedQueryRq(*(E.TxnDelType(t) for t in types), requestID="del"))


def test_deleted_sales_orders_are_read_where_the_edition_has_them(make_company):  # type: ignore[no-untyped-def]
    qb = make_company(edition="Premier")
    order = _order(qb).find("SalesOrderRet")
    assert order is not None
    qb.company.delete_as_user(order.findtext("TxnID") or "")
    rs = _deleted(qb, "SalesOrder")
    assert rs.get("statusCode") == "0"
    assert [r.findtext("TxnDelType") for r in rs.findall("TxnDeletedRet")] == ["SalesOrder"]


@pytest.mark.parametrize("settings", [{"edition": "Pro"}, {"sales_orders": False}])
def test_deleted_sales_orders_where_there_are_none_answer_3250_the_stricter_choice(  # type: ignore[no-untyped-def]
    make_company, settings
):
    # Intuit's pages are silent on TxnDeletedQuery of a type the company cannot have: the
    # sandbox answers as that type's own query does (3250), not with an empty list.
    qb = make_company(**settings)
    assert _deleted(qb, "SalesOrder").get("statusCode") == "3250"
    assert _deleted(qb, "Invoice").get("statusCode") == "1"  # no deleted invoices: no match
