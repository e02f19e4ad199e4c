"""ReceivePayment: payments that reduce invoice balances (request handler and sandbox API)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from lxml import etree

from sfqb.sandbox.qbd.books import Books
from sfqb.sandbox.qbd.fields import element_text, money, parse_fields, to_decimal
from sfqb.sandbox.qbd.records import Record, Value
from sfqb.sandbox.qbd.schema import Status

Handler = Callable[[etree._Element, etree._Element], Status | None]


class PaymentHandlers:
    """ReceivePaymentAdd (ReceivePaymentQuery is served by the transaction handlers)."""

    def __init__(self, books: Books) -> None:
        self._books = books

    def table(self) -> dict[str, Handler]:
        """Request name (without Rq) -> handler."""
        return {"ReceivePaymentAdd": self.add}

    def shapes(self) -> dict[str, tuple[str, tuple[str, ...]]]:
        """Request name -> (body element, children it must have)."""
        return {"ReceivePaymentAdd": ("ReceivePaymentAdd", ("CustomerRef",))}

    def add(self, request: etree._Element, rs: etree._Element) -> Status | None:
        """ReceivePaymentAddRq: IsAutoApply, or AppliedToTxnAdd per invoice."""
        books = self._books
        kind = books.schema.kinds["ReceivePayment"]
        books.check_permission(("ReceivePayment",), "Add")
        body = request.find("ReceivePaymentAdd")
        assert body is not None
        values = parse_fields(books.schema, kind.fields, body, mod=False)
        for spec in kind.fields:
            if spec.name in values:
                books.check_feature(spec.needs)
        customer = books.resolve(values["CustomerRef"], ("Customer",), "Customer", kind.name)
        total = to_decimal(values.get("TotalAmount")) if "TotalAmount" in values else None
        applications: list[tuple[Record, Decimal | None]] | None = None
        if (element_text(body, "IsAutoApply") or "").lower() not in ("true", "1"):
            applications = []
            for applied in body.findall("AppliedToTxnAdd"):
                invoice = books.get(element_text(applied, "TxnID") or "", "TxnID", ("Invoice",))
                amount = element_text(applied, "PaymentAmount")
                applications.append((invoice, to_decimal(amount) if amount is not None else None))
        books.check_lock_add(kind)
        payment = self.receive(customer, total, applications, values)
        rs.append(books.render(payment))
        return None

    def receive(
        self,
        customer: Record,
        total: Decimal | None,
        applications: list[tuple[Record, Decimal | None]] | None,
        values: dict[str, Value] | None = None,
    ) -> Record:
        """Record a payment; None applications means auto-apply to the oldest open invoices.

        Raises QBStatusError 3140 for an invoice of another customer and 3180 when an amount
        exceeds an invoice's balance or the payment's total. Nothing is stored on error.
        """
        books = self._books
        kind = books.schema.kinds["ReceivePayment"]
        lines: list[dict[str, Value]] = []
        if applications is None:
            left = total if total is not None else Decimal(0)
            open_invoices = [
                i
                for i in books.records(("Invoice",))
                if i.ref_id("CustomerRef") == customer.id and books.balance(i) > 0
            ]
            for invoice in open_invoices:
                amount = min(left, books.balance(invoice))
                if amount <= 0:
                    break
                lines.append({"TxnID": invoice.id, "Amount": money(amount)})
                left -= amount
        else:
            for invoice, requested in applications:
                if invoice.ref_id("CustomerRef") != customer.id:
                    raise books.schema.status(
                        "invalid_ref", ref_type="Invoice", value=invoice.id, where=kind.name
                    )
                balance = books.balance(invoice)
                amount = balance if requested is None else requested
                if amount > balance:
                    raise books.schema.status(
                        "save_failed",
                        kind=kind.name,
                        detail=f"The amount applied is more than the open balance of {invoice.id}.",
                    )
                lines.append({"TxnID": invoice.id, "Amount": money(amount)})
        used = sum((to_decimal(x["Amount"]) for x in lines), Decimal(0))
        if total is None:
            total = used
        if used > total:
            raise books.schema.status(
                "save_failed", kind=kind.name, detail="The amounts applied exceed the payment."
            )
        fields = dict(values or {})
        fields["CustomerRef"] = {"ListID": customer.id}
        fields["TotalAmount"] = money(total)
        fields.setdefault("TxnDate", books.now().date().isoformat())
        payment = books.create(kind, fields, lines)
        for line in lines:  # QuickBooks updates the paid invoices (balance, IsPaid)
            books.touch(books.state.records[str(line["TxnID"])])
        return payment

    def apply_credit(self, credit: Record, invoice: Record, amount: Decimal) -> Record:
        """Apply part of a credit memo to an open invoice of the same customer, as QuickBooks'
        "Apply Credits" does: a payment of 0 whose line sets the credit (qbXML's SetCredit,
        CreditTxnID and AppliedAmount, in AppliedToTxnAdd). 3140 for another customer's
        invoice; 3180 above the credit remaining or the invoice's open balance."""
        books = self._books
        kind = books.schema.kinds["ReceivePayment"]
        customer_id = credit.ref_id("CustomerRef")
        if invoice.ref_id("CustomerRef") != customer_id:
            raise books.schema.status(
                "invalid_ref", ref_type="Invoice", value=invoice.id, where=kind.name
            )
        remaining = books.total(credit) - books.credit_used(credit.id)
        if amount <= 0 or amount > remaining or amount > books.balance(invoice):
            raise books.schema.status(
                "save_failed",
                kind=kind.name,
                detail=f"The credit applied must be above 0 and at most {money(remaining)} "
                f"(the credit remaining) and the invoice's open balance.",
            )
        fields: dict[str, Value] = {"CustomerRef": {"ListID": str(customer_id)}}
        fields["TotalAmount"] = money(Decimal(0))
        fields["TxnDate"] = books.now().date().isoformat()
        applied: dict[str, Value] = {"TxnID": invoice.id, "Amount": money(amount)}
        payment = books.create(kind, fields, [{**applied, "CreditTxnID": credit.id}])
        books.touch(invoice)  # QuickBooks updates both: the invoice's balance, the credit's
        books.touch(credit)
        return payment
