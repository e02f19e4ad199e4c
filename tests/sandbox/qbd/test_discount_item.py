"""The discount item: qbXML 12.0's ItemDiscountAdd/ItemDiscountRet, in the item name space, and
on a sales form an amount taken off ("Creating discount items", QuickBooks Desktop help: a
discount item applies to the line above it; its amount shows as a negative number)."""

from __future__ import annotations

from lxml.builder import E


def _discount_item(name: str):  # type: ignore[no-untyped-def]
    add = E.ItemDiscountAdd(E.Name(name), E.ItemDesc("Trade discount"),
                            E.AccountRef(E.FullName("Sales")))  # fmt: skip
    return E.ItemDiscountAddRq(add, requestID="d")


def test_item_discount_add_returns_its_ret_and_shares_the_item_name_space(qb):  # type: ignore[no-untyped-def]
    ret = qb.ok(_discount_item("Discount"))
    assert ret.tag == "ItemDiscountRet" and ret.findtext("FullName") == "Discount"
    qb.add_service("Consulting")
    assert qb.status(qb.one(_discount_item("consulting")))[0] == 3100


def test_a_discount_line_takes_its_amount_off_the_invoice(qb):  # type: ignore[no-untyped-def]
    qb.add_customer("Acme")
    qb.add_service("Consulting", price="50.00")
    qb.ok(_discount_item("Discount"))
    lines = (
        E.InvoiceLineAdd(E.ItemRef(E.FullName("Consulting")), E.Quantity("3"), E.Rate("50.00")),
        E.InvoiceLineAdd(E.ItemRef(E.FullName("Discount")), E.Amount("-15.00")),
    )
    ret = qb.ok(E.InvoiceAddRq(E.InvoiceAdd(E.CustomerRef(E.FullName("Acme")), *lines)))
    assert ret.findtext("Subtotal") == "135.00"
    assert [line.findtext("Amount") for line in ret.findall("InvoiceLineRet")] == [
        "150.00",
        "-15.00",
    ]
