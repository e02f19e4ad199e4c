"""Sales forms (Invoice, SalesReceipt, Estimate, CreditMemo) and Payment: lines, totals, tax,
balances and credits applied.

Sales tax, a simple model of Intuit's two regimes (Intuit's "Manage sales tax for US
locales" and "global tax model" pages), stated here because the sandbox computes it:

* automated sales tax (Preferences.TaxPrefs.PartnerTaxEnabled, US): a line is taxable when
  its TaxCodeRef is TAX, or when it has none and its item is Taxable; the sandbox computes
  TxnTaxDetail.TotalTax = taxable amount x the company's one rate, ignoring any tax the
  request sends;
* otherwise every sales line needs a TaxCodeRef to an active tax code (6000 "Make sure all
  your transactions have a tax rate before you save", as activepieces #8539 quotes it).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from sfqb.sandbox.qbo import currency, errors
from sfqb.sandbox.qbo.company import Company, Record
from sfqb.sandbox.qbo.rules import LINE_LENGTHS, TXN_LENGTHS, check_lengths, reference

CENT = Decimal("0.01")
UNDEPOSITED_FUNDS = "3"


def money(value: Any, element: str) -> Decimal:
    """A JSON number as Decimal; 2010 when it is not a number."""
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise errors.invalid_property(f"{element} is not a number: {value!r}", element) from None


def out(amount: Decimal) -> float:
    """A Decimal as the JSON number QuickBooks Online answers (two decimals)."""
    return float(amount.quantize(CENT, ROUND_HALF_UP))


def sales_form(company: Company, entity: str, record: Record, own_id: str | None) -> None:  # noqa: PLR0915
    """Check and complete an Invoice, SalesReceipt, Estimate or CreditMemo in place."""
    if not record.get("CustomerRef"):
        raise errors.required(f"{entity}.CustomerRef")
    reference(company, "Customer", record["CustomerRef"], "CustomerRef")
    check_lengths(record, TXN_LENGTHS)
    lines = record.get("Line")
    if not isinstance(lines, list) or not lines:
        raise errors.required(f"{entity}.Line")
    automated = bool(company.preferences["TaxPrefs"].get("PartnerTaxEnabled"))
    kept: list[Record] = []
    subtotal = taxable = tax = Decimal(0)
    discounts: list[Record] = []
    for given in lines:
        kind = given.get("DetailType")
        if kind == "SubTotalLineDetail":
            continue  # recomputed below, as QuickBooks Online does
        line = dict(given)
        check_lengths(line, LINE_LENGTHS, "Line.")
        if kind == "SalesItemLineDetail":
            amount, rate = _sales_line(company, line, automated)
            subtotal += amount
            if automated:
                taxable += amount if rate else Decimal(0)
            else:
                tax += (amount * rate).quantize(CENT, ROUND_HALF_UP)
        elif kind == "DescriptionOnly":
            line["Amount"] = 0.0
        elif kind == "DiscountLineDetail":
            discounts.append(line)
        else:
            raise errors.invalid_property(f"Line.DetailType {kind!r} is not supported", "Line")
        line["Id"] = str(len(kept) + 1)
        line["LineNum"] = len(kept) + 1
        kept.append(line)
    off = _discount(discounts, subtotal)
    if off and subtotal:
        # The discount comes off before tax: the taxed share shrinks in proportion.
        taxable -= (taxable * off / subtotal).quantize(CENT, ROUND_HALF_UP)
        tax -= (tax * off / subtotal).quantize(CENT, ROUND_HALF_UP)
    if automated:
        tax = (taxable * company.config.tax_rate).quantize(CENT, ROUND_HALF_UP)
    kept.append(
        {"Amount": out(subtotal), "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}}
    )
    record["Line"] = kept
    record["TxnTaxDetail"] = {"TotalTax": out(tax)}
    total = subtotal - off + tax
    record["TotalAmt"] = out(total)
    record.setdefault("TxnDate", company.clock().date().isoformat())
    currency.sale(company, entity, record)
    if entity == "Invoice":
        applied = applied_to(company, own_id or "", exclude=None)
        if applied > total:
            raise errors.business(
                f"The invoice total {out(total)} is less than the payments applied to it "
                f"({out(applied)})"
            )
        record["Balance"] = out(total - applied)
    elif entity == "CreditMemo":
        # Intuit's CreditMemo entity: RemainingCredit, the credit not yet applied (a Payment
        # applies it by a line linked to the CreditMemo), and Balance alike.
        used = credit_used(company, own_id or "", exclude=None)
        if used > total:
            raise errors.business(
                f"The credit memo total {out(total)} is less than the credit applied ({out(used)})"
            )
        record["RemainingCredit"] = record["Balance"] = out(total - used)
    elif entity == "SalesReceipt":
        record["Balance"] = 0.0
        record.setdefault("DepositToAccountRef", {"value": UNDEPOSITED_FUNDS})
        reference(company, "Account", record["DepositToAccountRef"], "DepositToAccountRef")
    else:
        record.setdefault("TxnStatus", "Pending")
    _unique_doc_number(company, entity, record, own_id)


def _discount(lines: list[Record], subtotal: Decimal) -> Decimal:
    """The amount a DiscountLineDetail line takes off the subtotal (0 without one).

    Intuit's Invoice reference: a DiscountLine's Amount is the discount applied to the
    subtotal; PercentBased with DiscountPercent gives it as a percent of the subtotal. The
    sandbox takes one discount line a transaction (QuickBooks Online's form shows one), a
    percent that is that share of the subtotal, and no more than the subtotal: the stricter
    reading where the page says nothing.
    """
    if not lines:
        return Decimal(0)
    if len(lines) > 1:
        raise errors.business("Only one discount line is allowed on a transaction", element="Line")
    line = lines[0]
    detail = line.get("DiscountLineDetail")
    if not isinstance(detail, dict):
        raise errors.required("Line.DiscountLineDetail")
    if line.get("Amount") is None:
        raise errors.required("Line.Amount")
    amount = money(line["Amount"], "Line.Amount")
    if detail.get("PercentBased"):
        percent = money(detail.get("DiscountPercent"), "DiscountLineDetail.DiscountPercent")
        expected = (subtotal * percent / 100).quantize(CENT, ROUND_HALF_UP)
        if expected != amount.quantize(CENT, ROUND_HALF_UP):
            raise errors.invalid_property(
                f"Line.Amount {out(amount)} is not {percent}% of the subtotal {out(subtotal)}",
                "Line.Amount",
            )
    if amount < 0 or amount > subtotal:
        raise errors.invalid_property(
            f"Line.Amount of a discount must be from 0 to the subtotal {out(subtotal)}",
            "Line.Amount",
        )
    return amount


def _sales_line(company: Company, line: Record, automated: bool) -> tuple[Decimal, Decimal]:
    detail = line.get("SalesItemLineDetail")
    if not isinstance(detail, dict) or not detail.get("ItemRef"):
        raise errors.required("Line.SalesItemLineDetail.ItemRef")
    item = reference(company, "Item", detail["ItemRef"], "Line.SalesItemLineDetail.ItemRef")
    if line.get("Amount") is None:
        raise errors.required("Line.Amount")
    amount = money(line["Amount"], "Line.Amount")
    qty, price = detail.get("Qty"), detail.get("UnitPrice")
    if qty is not None and price is not None:
        expected = (money(qty, "Qty") * money(price, "UnitPrice")).quantize(CENT, ROUND_HALF_UP)
        if expected != amount.quantize(CENT, ROUND_HALF_UP):
            # Code 6070 as client reports quote it; Intuit's pages do not list it.
            raise errors.QboError(
                "6070",
                "Amount is not equal to UnitPrice * Qty",
                f"Amount is not equal to UnitPrice * Qty. Supplied value:{out(amount)}",
                "Line.Amount",
            )
    code = detail.get("TaxCodeRef")
    element = "Line.SalesItemLineDetail.TaxCodeRef"
    if code is None and not automated:
        raise errors.business(
            "Make sure all your transactions have a tax rate before you save.", element=element
        )
    if code is None:
        return amount, Decimal(1) if item.get("Taxable") else Decimal(0)
    tax_code = reference(company, "TaxCode", code, element)
    rate = company.config.tax_rate if tax_code["Id"] == "TAX" else Decimal(0)
    return amount, rate


def _unique_doc_number(company: Company, entity: str, record: Record, own_id: str | None) -> None:
    number = record.get("DocNumber")
    if not number:
        return
    for other in company.records[entity].values():
        if other["Id"] != own_id and other.get("DocNumber") == number:
            # 6140 as client code handling the real answer shows it (the sfqb catalog lists
            # 6210, which Workato's QBO troubleshooting page gives to a closed period).
            raise errors.QboError(
                "6140",
                "Duplicate Document Number Error",
                f"Duplicate Document Number Error : You must specify a different number. "
                f"This number has already been used. DocNumber={number}",
                "DocNumber",
            )


# -- payments -------------------------------------------------------------------------------


def links(payment: Record, txn_type: str = "Invoice") -> list[tuple[str, Decimal]]:
    """(transaction Id, amount) for each line of a payment linked to an invoice (or, with
    `txn_type` "CreditMemo", to a credit memo it applies)."""
    found: list[tuple[str, Decimal]] = []
    for line in payment.get("Line") or []:
        for linked in line.get("LinkedTxn") or []:
            if linked.get("TxnType") == txn_type:
                found.append((str(linked.get("TxnId")), money(line.get("Amount", 0), "Amount")))
    return found


def linked_ids(payment: Record) -> list[str]:
    """The invoices and credit memos a payment's lines are linked to."""
    return [i for kind in ("Invoice", "CreditMemo") for i, _ in links(payment, kind)]


def credit_used(company: Company, credit_id: str, exclude: str | None) -> Decimal:
    """What the company's payments (but `exclude`) apply of one credit memo."""
    total = Decimal(0)
    for pay in company.records["Payment"].values():
        if pay["Id"] != exclude:
            total += sum((a for i, a in links(pay, "CreditMemo") if i == credit_id), Decimal(0))
    return total


def applied_to(company: Company, invoice_id: str, exclude: str | None) -> Decimal:
    """What the company's payments (but `exclude`) apply to one invoice."""
    total = Decimal(0)
    for pay in company.records["Payment"].values():
        if pay["Id"] != exclude:
            total += sum((a for i, a in links(pay) if i == invoice_id), Decimal(0))
    return total


def payment(company: Company, record: Record, own_id: str | None) -> list[str]:
    """Check and complete a Payment in place; returns the invoices whose balance changes."""
    if not record.get("CustomerRef"):
        raise errors.required("Payment.CustomerRef")
    customer = reference(company, "Customer", record["CustomerRef"], "CustomerRef")
    if record.get("TotalAmt") is None:
        raise errors.required("Payment.TotalAmt")
    total = money(record["TotalAmt"], "TotalAmt")
    applied = Decimal(0)
    touched: list[str] = []
    for invoice_id, amount in links(record):
        invoice = company.records["Invoice"].get(invoice_id)
        if invoice is None:
            raise errors.invalid_reference("Line.LinkedTxn.TxnId")
        if invoice["CustomerRef"]["value"] != customer["Id"]:
            raise errors.business(
                f"Invoice {invoice_id} belongs to another customer", element="Line.LinkedTxn"
            )
        if invoice.get("PrivateNote") == "Voided":
            raise errors.business(f"Invoice {invoice_id} is void", element="Line.LinkedTxn")
        open_amount = money(invoice["TotalAmt"], "TotalAmt") - applied_to(
            company, invoice_id, exclude=own_id
        )
        if amount > open_amount:
            raise errors.business(
                f"The amount applied to invoice {invoice_id} ({out(amount)}) is more than its "
                f"open balance ({out(open_amount)})",
                element="Line.Amount",
            )
        applied += amount
        touched.append(invoice_id)
    credits = Decimal(0)
    for credit_id, amount in links(record, "CreditMemo"):
        # Intuit's Payment reference: a line linked to a CreditMemo applies that credit; the
        # payment's TotalAmt is its invoice lines less its credit lines.
        credit = company.records["CreditMemo"].get(credit_id)
        if credit is None:
            raise errors.invalid_reference("Line.LinkedTxn.TxnId")
        if credit["CustomerRef"]["value"] != customer["Id"]:
            raise errors.business(
                f"Credit memo {credit_id} belongs to another customer", element="Line.LinkedTxn"
            )
        left = money(credit["TotalAmt"], "TotalAmt") - credit_used(company, credit_id, own_id)
        if amount > left:
            raise errors.business(
                f"The credit applied from credit memo {credit_id} ({out(amount)}) is more than "
                f"its remaining credit ({out(left)})",
                element="Line.Amount",
            )
        credits += amount
        touched.append(credit_id)
    applied -= credits
    if applied > total:
        raise errors.business("The payment's lines add up to more than its TotalAmt")
    record["UnappliedAmt"] = out(total - applied)
    record["TotalAmt"] = out(total)
    record.setdefault("TxnDate", company.clock().date().isoformat())
    record.setdefault("DepositToAccountRef", {"value": UNDEPOSITED_FUNDS})
    reference(company, "Account", record["DepositToAccountRef"], "DepositToAccountRef")
    return touched


def rebalance(company: Company, invoice_ids: list[str]) -> None:
    """Write each invoice's new Balance, each credit memo's new RemainingCredit (a new
    SyncToken, as QuickBooks Online does)."""
    for invoice_id in dict.fromkeys(invoice_ids):
        credit = company.records["CreditMemo"].get(invoice_id)
        if credit is not None:
            left = money(credit["TotalAmt"], "TotalAmt") - credit_used(company, invoice_id, None)
            if out(left) != credit.get("RemainingCredit"):
                changed = {**credit, "RemainingCredit": out(left), "Balance": out(left)}
                company.put("CreditMemo", changed)
        invoice = company.records["Invoice"].get(invoice_id)
        if invoice is None:
            continue
        balance = money(invoice["TotalAmt"], "TotalAmt") - applied_to(company, invoice_id, None)
        if out(balance) != invoice.get("Balance"):
            changed = dict(invoice)
            changed["Balance"] = out(balance)
            company.put("Invoice", changed)
