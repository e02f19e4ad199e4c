"""Queries: iterators, modified-date and active-status filters, ItemQuery, transaction filters."""

from __future__ import annotations

from lxml.builder import E


def test_iterator_over_25_customers_with_max_returned_10(qb):
    for n in range(25):
        qb.add_customer(f"Customer {n:02d}")
    first = qb.one(E.CustomerQueryRq(E.MaxReturned("10"), iterator="Start", requestID="it"))
    assert first.get("statusCode") == "0"
    assert (first.get("retCount"), first.get("iteratorRemainingCount")) == ("10", "15")
    iterator_id = first.get("iteratorID")
    assert iterator_id.startswith("{") and iterator_id.endswith("}")
    names = [r.findtext("Name") for r in first]
    counts = []
    while True:
        page = qb.one(
            E.CustomerQueryRq(E.MaxReturned("10"), iterator="Continue", iteratorID=iterator_id)
        )
        names += [r.findtext("Name") for r in page]
        counts.append((page.get("retCount"), page.get("iteratorRemainingCount")))
        if page.get("iteratorRemainingCount") == "0":
            break
    assert counts == [("10", "5"), ("5", "0")]
    assert names == [f"Customer {n:02d}" for n in range(25)]
    # The finished iterator is gone.
    gone = qb.one(E.CustomerQueryRq(iterator="Continue", iteratorID=iterator_id))
    assert gone.get("statusCode") == "3000"


def test_iterator_stop_releases_it(qb):
    for n in range(3):
        qb.add_customer(f"C{n}")
    first = qb.one(E.CustomerQueryRq(E.MaxReturned("1"), iterator="Start"))
    iterator_id = first.get("iteratorID")
    stop = qb.one(E.CustomerQueryRq(iterator="Stop", iteratorID=iterator_id))
    assert stop.get("statusCode") == "0"
    assert (
        qb.one(E.CustomerQueryRq(iterator="Continue", iteratorID=iterator_id)).get("statusCode")
        == "3000"
    )
    qb.company.end_session()


def test_modified_date_filters_and_active_status_default(qb):
    old = qb.add_customer("Old")
    qb.clock.advance(hours=2)
    since = qb.clock.now.isoformat(timespec="seconds")
    qb.add_customer("New")
    qb.ok(
        E.CustomerModRq(
            E.CustomerMod(
                E.ListID(old.findtext("ListID")),
                E.EditSequence(old.findtext("EditSequence")),
                E.IsActive("false"),
            )
        )
    )
    default = qb.one(E.CustomerQueryRq(E.FromModifiedDate(since)))
    assert [r.findtext("Name") for r in default] == ["New"]  # ActiveOnly hides the inactive one
    every = qb.one(E.CustomerQueryRq(E.ActiveStatus("All"), E.FromModifiedDate(since)))
    assert [r.findtext("Name") for r in every] == ["New", "Old"]
    inactive = qb.one(E.CustomerQueryRq(E.ActiveStatus("InactiveOnly")))
    assert [r.findtext("IsActive") for r in inactive] == ["false"]
    before = qb.one(
        E.CustomerQueryRq(E.ActiveStatus("All"), E.ToModifiedDate("2024-03-01T09:30:00+00:00"))
    )
    assert qb.status(before)[0] == 1
    date_only = qb.one(E.CustomerQueryRq(E.ActiveStatus("All"), E.FromModifiedDate("2024-03-01")))
    assert len(date_only) == 2
    wrong = qb.one(
        E.CustomerQueryRq(E.FromModifiedDate("2024-03-02"), E.ToModifiedDate("2024-03-01"))
    )
    assert qb.status(wrong) == (
        3030,
        "Error",
        "Invalid date range: From date is greater than To date.",
    )
    bad = qb.one(E.CustomerQueryRq(E.FromModifiedDate("yesterday")))
    assert qb.status(bad)[0] == 3020


def test_query_by_listid_fullname_and_name_filter(qb):
    acme = qb.add_customer("Acme")
    qb.add_customer("Beta")
    by_id = qb.one(E.CustomerQueryRq(E.ListID(acme.findtext("ListID"))))
    assert [r.findtext("Name") for r in by_id] == ["Acme"]
    by_name = qb.one(E.CustomerQueryRq(E.FullName("acme")))
    assert [r.findtext("ListID") for r in by_name] == [acme.findtext("ListID")]
    filtered = qb.one(E.CustomerQueryRq(E.NameFilter(E.MatchCriterion("EndsWith"), E.Name("ta"))))
    assert [r.findtext("Name") for r in filtered] == ["Beta"]
    partial = qb.one(
        E.CustomerQueryRq(E.ListID(acme.findtext("ListID")), E.ListID("80000077-1700000000"))
    )
    assert qb.status(partial)[:2] == (500, "Warn")
    assert len(partial) == 1
    limited = qb.one(E.CustomerQueryRq(E.MaxReturned("1")))
    assert len(limited) == 1
    malformed = qb.one(E.CustomerQueryRq(E.ListID("not-an-id")))
    assert qb.status(malformed)[0] == 3000


def test_item_query_returns_every_item_kind(qb):
    qb.add_service("Consulting")
    qb.ok(E.ItemNonInventoryAddRq(E.ItemNonInventoryAdd(E.Name("Brochure"))))
    qb.ok(E.ItemInventoryAddRq(E.ItemInventoryAdd(E.Name("Widget"), E.SalesPrice("9.5"))))
    rs = qb.one(E.ItemQueryRq())
    assert [r.tag for r in rs] == ["ItemNonInventoryRet", "ItemServiceRet", "ItemInventoryRet"]
    only = qb.one(E.ItemServiceQueryRq())
    assert [r.findtext("Name") for r in only] == ["Consulting"]


def _invoice(qb, customer, *lines):  # type: ignore[no-untyped-def]
    body = [E.CustomerRef(E.FullName(customer))]
    body += [
        E.InvoiceLineAdd(E.ItemRef(E.FullName(item)), E.Quantity(q), E.Rate(r))
        for item, q, r in lines
    ]
    return qb.ok(E.InvoiceAddRq(E.InvoiceAdd(*body)))


def test_invoice_lines_totals_mod_and_payment(qb):
    qb.add_customer("Acme")
    qb.add_service("Consulting")
    invoice = _invoice(qb, "Acme", ("Consulting", "2", "150.00"), ("Consulting", "1", "25.50"))
    assert invoice.findtext("Subtotal") == "325.50"
    assert invoice.findtext("BalanceRemaining") == "325.50"
    assert invoice.findtext("IsPaid") == "false"
    assert invoice.findtext("RefNumber") == "1"
    lines = invoice.findall("InvoiceLineRet")
    assert [x.findtext("Amount") for x in lines] == ["300.00", "25.50"]
    # Mod: keep the first line with a new quantity, drop the second, add one.
    mod = E.InvoiceModRq(
        E.InvoiceMod(
            E.TxnID(invoice.findtext("TxnID")),
            E.EditSequence(invoice.findtext("EditSequence")),
            E.Memo("revised"),
            E.InvoiceLineMod(E.TxnLineID(lines[0].findtext("TxnLineID")), E.Quantity("3")),
            E.InvoiceLineMod(
                E.TxnLineID("-1"), E.ItemRef(E.FullName("Consulting")), E.Amount("10.00")
            ),
        )
    )
    changed = qb.ok(mod)
    assert changed.findtext("Subtotal") == "460.00"
    assert changed.findtext("Memo") == "revised"
    assert changed.findtext("EditSequence") != invoice.findtext("EditSequence")
    payment = qb.ok(
        E.ReceivePaymentAddRq(
            E.ReceivePaymentAdd(
                E.CustomerRef(E.FullName("Acme")),
                E.TotalAmount("460.00"),
                E.AppliedToTxnAdd(E.TxnID(invoice.findtext("TxnID")), E.PaymentAmount("460.00")),
            )
        )
    )
    assert payment.findtext("AppliedToTxnRet/Amount") == "460.00"
    paid = qb.one(E.InvoiceQueryRq(E.TxnID(invoice.findtext("TxnID"))))[0]
    assert (paid.findtext("BalanceRemaining"), paid.findtext("IsPaid")) == ("0.00", "true")
    assert paid.find("InvoiceLineRet") is None  # IncludeLineItems not asked
    assert qb.one(E.InvoiceQueryRq(E.PaidStatus("NotPaidOnly"))).get("statusCode") == "1"
    found = qb.one(E.ReceivePaymentQueryRq())
    assert [r.findtext("TotalAmount") for r in found] == ["460.00"]


def test_payment_through_the_sandbox_api_and_auto_apply(qb):
    acme = qb.add_customer("Acme")
    qb.add_service("Consulting")
    first = _invoice(qb, "Acme", ("Consulting", "1", "100"))
    second = _invoice(qb, "Acme", ("Consulting", "1", "50"))
    qb.company.receive_payment(acme.findtext("ListID"), "120")
    assert qb.company.balance(first.findtext("TxnID")) == 0
    assert str(qb.company.balance(second.findtext("TxnID"))) == "30.00"
    customer = qb.one(E.CustomerQueryRq(E.FullName("Acme")))[0]
    assert customer.findtext("Balance") == "30.00"


def test_txn_filters(qb):
    qb.add_customer("Acme")
    qb.add_customer("Beta")
    qb.add_service("Svc")
    _invoice(qb, "Acme", ("Svc", "1", "10"))
    qb.clock.advance(days=1)
    b = _invoice(qb, "Beta", ("Svc", "1", "20"))
    by_entity = qb.one(
        E.InvoiceQueryRq(E.EntityFilter(E.FullName("Beta")), E.IncludeLineItems("true"))
    )
    assert [r.findtext("TxnID") for r in by_entity] == [b.findtext("TxnID")]
    assert by_entity[0].find("InvoiceLineRet") is not None
    since = qb.one(
        E.InvoiceQueryRq(E.ModifiedDateRangeFilter(E.FromModifiedDate(qb.clock.now.isoformat())))
    )
    assert [r.findtext("TxnID") for r in since] == [b.findtext("TxnID")]
    by_ref = qb.one(E.InvoiceQueryRq(E.RefNumber("2")))
    assert [r.findtext("TxnID") for r in by_ref] == [b.findtext("TxnID")]
    by_date = qb.one(E.InvoiceQueryRq(E.TxnDateRangeFilter(E.FromTxnDate("2024-03-02"))))
    assert len(by_date) == 1


def test_sales_receipt_and_estimate(qb):
    qb.add_customer("Acme")
    qb.add_service("Svc")
    receipt = qb.ok(
        E.SalesReceiptAddRq(
            E.SalesReceiptAdd(
                E.CustomerRef(E.FullName("Acme")),
                E.SalesReceiptLineAdd(
                    E.ItemRef(E.FullName("Svc")), E.Quantity("2"), E.Rate("7.25")
                ),
            )
        )
    )
    assert receipt.findtext("TotalAmount") == "14.50"
    estimate = qb.ok(
        E.EstimateAddRq(
            E.EstimateAdd(
                E.CustomerRef(E.FullName("Acme")),
                E.EstimateLineAdd(E.ItemRef(E.FullName("Svc")), E.Amount("99.00")),
            )
        )
    )
    assert estimate.findtext("Subtotal") == "99.00"
    assert qb.one(E.EstimateQueryRq()).get("statusCode") == "0"
