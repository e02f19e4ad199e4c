"""Multicurrency in the QuickBooks Desktop sandbox: CurrencyRef needs the preference (3250),
and a name's currency is fixed once transactions use it (QuickBooks Desktop help,
"Multicurrency and files updated from earlier versions": "You can't change the currency of a
name/account if there are transactions recorded for them"), answered 3180."""

from __future__ import annotations

from lxml.builder import E


def _customer(name: str, currency: str):  # type: ignore[no-untyped-def]
    add = E.CustomerAdd(E.Name(name), E.CurrencyRef(E.FullName(currency)))
    return E.CustomerAddRq(add, requestID="c")


def _mod(qb, name: str, currency: str):  # type: ignore[no-untyped-def]
    ret = qb.ok(E.CustomerQueryRq(E.FullName(name), requestID="q"))
    mod = E.CustomerMod(E.ListID(ret.findtext("ListID")),
                        E.EditSequence(ret.findtext("EditSequence")),
                        E.CurrencyRef(E.FullName(currency)))  # fmt: skip
    return qb.one(E.CustomerModRq(mod, requestID="m"))


def test_a_currency_needs_multiple_currencies_on(qb):  # type: ignore[no-untyped-def]
    assert qb.status(qb.one(_customer("Euro GmbH", "Euro")))[0] == 3250


def test_a_customers_currency_is_fixed_once_used(make_company):  # type: ignore[no-untyped-def]
    qb = make_company(multi_currency=True)
    qb.ok(_customer("Euro GmbH", "Euro"))
    assert qb.status(_mod(qb, "Euro GmbH", "British Pound Sterling"))[0] == 0  # not used yet
    qb.add_service("Consulting")
    line = E.InvoiceLineAdd(E.ItemRef(E.FullName("Consulting")), E.Amount("10.00"))
    qb.ok(E.InvoiceAddRq(E.InvoiceAdd(E.CustomerRef(E.FullName("Euro GmbH")), line)))
    status = qb.status(_mod(qb, "Euro GmbH", "Euro"))
    assert status[0] == 3180 and "currency" in status[2]
