"""References to the company's lists, and the sales tax QuickBooks computes from them.

Every *Ref element of an Add or Mod names a record of one list (the qbXML OSR, Intuit's
"QuickBooks Desktop SDK: Onscreen Reference", lists the target of each: AccountRef an account,
TermsRef a terms, SalesTaxCodeRef a sales tax code, ItemSalesTaxRef a sales tax item...).
QuickBooks refuses a reference it cannot resolve with 3140, "There is an invalid reference to
QuickBooks {type} "{name}" in the {txn}." (the wording of real responses quoted in Intuit's
community and by integrators, e.g. "...QuickBooks AR Account ... in the invoice").
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from sfqb.sandbox.qbd.fields import to_decimal
from sfqb.sandbox.qbd.records import Record, Value
from sfqb.sandbox.qbd.schema import FieldSpec

if TYPE_CHECKING:
    from sfqb.sandbox.qbd.books import Books

# ParentRef and the transaction's CustomerRef / the lines' ItemRef are resolved by their
# handlers (they point into the record's own name space).
_OWN = frozenset({"ParentRef", "CustomerRef", "ItemRef"})


def resolve_refs(
    books: Books, specs: Iterable[FieldSpec], values: dict[str, Value], where: str
) -> None:
    """Resolve every list reference in `values` (aggregates too) to its ListID; 3140 if missing.

    An inactive record cannot be chosen in QuickBooks either: it counts as missing (stricter
    than the OSR, which does not say).
    """
    for spec in specs:
        value = values.get(spec.name)
        if value is None:
            continue
        if spec.type == "agg" and isinstance(value, dict):
            resolve_refs(books, spec.children, value, where)
            continue
        target = books.schema.refs.get(spec.name)
        if spec.type != "ref" or target is None or spec.name in _OWN:
            continue
        record = books.resolve(value, target.kinds, target.ref_type, where)
        if not record.is_active:
            name = books.full_name(record)
            raise books.schema.status(
                "invalid_ref", ref_type=target.ref_type, value=name, where=where
            )
        values[spec.name] = {"ListID": record.id}


def default_line_code(books: Books, line: dict[str, Value]) -> None:
    """A line without a sales tax code takes its item's (the OSR: the item's code is the
    default of SalesTaxCodeRef on a sales line)."""
    if "SalesTaxCodeRef" in line:
        return
    item = books.state.records.get(_ref_id(line.get("ItemRef")) or "")
    if item is not None and isinstance(item.fields.get("SalesTaxCodeRef"), dict):
        line["SalesTaxCodeRef"] = dict(item.fields["SalesTaxCodeRef"])  # type: ignore[arg-type]


def tax_item(books: Books, txn: Record) -> Record | None:
    """The sales tax item of a sale: its own ItemSalesTaxRef, else its customer's.

    QuickBooks would fall back to the company's default tax item (SalesTaxPreferences'
    DefaultItemSalesTaxRef); the sandbox has none, so a sale without either carries no tax.
    """
    for source in (txn, books.state.records.get(txn.ref_id("CustomerRef") or "")):
        if source is None:
            continue
        item = books.state.records.get(source.ref_id("ItemSalesTaxRef") or "")
        if item is not None:
            return item
    return None


def sales_tax(books: Books, txn: Record) -> tuple[Decimal, Decimal]:
    """(rate in percent, tax) of a sale: the tax item's rate on the taxable lines' amounts."""
    item = tax_item(books, txn)
    if item is None:
        return Decimal(0), Decimal(0)
    rate = to_decimal(item.fields.get("TaxRate"))
    taxable = Decimal(0)
    for line in txn.lines:
        code = books.state.records.get(_ref_id(line.get("SalesTaxCodeRef")) or "")
        if code is not None and code.fields.get("IsTaxable") == "true":
            taxable += to_decimal(line.get("Amount"))
    return rate, (taxable * rate / 100).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _ref_id(ref: Value | None) -> str | None:
    if isinstance(ref, dict) and isinstance(ref.get("ListID"), str):
        return str(ref["ListID"])
    return None
