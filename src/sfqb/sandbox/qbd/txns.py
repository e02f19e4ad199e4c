"""Handlers for sales transactions (Invoice, SalesReceipt, Estimate, CreditMemo, SalesOrder)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from functools import cache, partial

from lxml import etree

from sfqb.sandbox.qbd.books import Books
from sfqb.sandbox.qbd.fields import check_id, element_text, merge, money, parse_fields, to_decimal
from sfqb.sandbox.qbd.queries import QueryEngine, date_range, in_range, range_match, text_match
from sfqb.sandbox.qbd.records import Record, Value
from sfqb.sandbox.qbd.refs import default_line_code, resolve_refs
from sfqb.sandbox.qbd.schema import KindSpec, Status

Handler = Callable[[etree._Element, etree._Element], Status | None]
SALES_KINDS = ("Invoice", "SalesReceipt", "Estimate", "CreditMemo", "SalesOrder")
PAID_STATUSES = ("All", "PaidOnly", "NotPaidOnly")


class TxnHandlers:
    """Add, Mod and Query for the sales transactions; Query also serves ReceivePayment."""

    def __init__(self, books: Books, queries: QueryEngine) -> None:
        self._books = books
        self._queries = queries

    def table(self) -> dict[str, Handler]:
        """Request name (without Rq) -> handler."""
        handlers: dict[str, Handler] = {}
        for name in SALES_KINDS:
            kind = self._books.schema.kinds[name]
            handlers[f"{name}Add"] = partial(self.add, kind)
            handlers[f"{name}Mod"] = partial(self.mod, kind)
            handlers[f"{name}Query"] = partial(self.query, kind)
        handlers["ReceivePaymentQuery"] = partial(
            self.query, self._books.schema.kinds["ReceivePayment"]
        )
        return handlers

    def shapes(self) -> dict[str, tuple[str, tuple[str, ...]]]:
        """Request name -> (body element, children it must have)."""
        shapes: dict[str, tuple[str, tuple[str, ...]]] = {}
        for name in SALES_KINDS:
            kind = self._books.schema.kinds[name]
            shapes[f"{name}Add"] = (f"{name}Add", tuple(f.name for f in kind.fields if f.required))
            shapes[f"{name}Mod"] = (f"{name}Mod", ("TxnID", "EditSequence"))
        return shapes

    # --- Add / Mod ------------------------------------------------------------------------

    def add(self, kind: KindSpec, request: etree._Element, rs: etree._Element) -> Status | None:
        """<Txn>AddRq: resolves the customer and every line's item, numbers and stores it."""
        books = self._books
        books.check_permission((kind.name,), "Add")
        books.check_feature(kind.needs)
        body = request.find(f"{kind.name}Add")
        assert body is not None
        values = parse_fields(books.schema, kind.fields, body, mod=False)
        self._prepare(kind, values)
        lines = [
            self._new_line(kind, parse_fields(books.schema, kind.line_fields, el, mod=False))
            for el in body.findall(f"{kind.line_name}Add")
        ]
        values.setdefault("TxnDate", books.now().date().isoformat())
        books.check_lock_add(kind)
        if "RefNumber" not in values:
            values["RefNumber"] = str(books.state.next(f"ref:{kind.name}"))
        record = books.create(kind, values, lines)
        rs.append(books.render(record))
        return None

    def _prepare(self, kind: KindSpec, values: dict[str, Value]) -> None:
        books = self._books
        for spec in kind.fields:
            if spec.name in values:
                books.check_feature(spec.needs)
        if "CustomerRef" in values:
            customer = books.resolve(values["CustomerRef"], ("Customer",), "Customer", kind.name)
            books.check_active(customer, "Customer", kind.name)
            values["CustomerRef"] = {"ListID": customer.id}
        resolve_refs(books, kind.fields, values, kind.name)

    def _resolve_item(self, kind: KindSpec, line: dict[str, Value]) -> None:
        where = f"{kind.name} line"
        if "ItemRef" in line:
            items = self._books.family_kinds("item")
            item = self._books.resolve(line["ItemRef"], items, "Item", where)
            self._books.check_active(item, "Item", where)
            line["ItemRef"] = {"ListID": item.id}
        resolve_refs(self._books, kind.line_fields, line, where)

    def _new_line(self, kind: KindSpec, line: dict[str, Value]) -> dict[str, Value]:
        self._resolve_item(kind, line)
        default_line_code(self._books, line)
        stamp = int(self._books.now().timestamp())
        line_id = f"{self._books.state.next('txn_line'):X}-{stamp}"
        _amount(line, recompute=False)
        return {"TxnLineID": line_id, **line}

    def mod(self, kind: KindSpec, request: etree._Element, rs: etree._Element) -> Status | None:
        """<Txn>ModRq: resending any line replaces the lines (TxnLineID -1 adds one)."""
        books = self._books
        books.check_permission((kind.name,), "Mod")
        books.check_feature(kind.needs)
        body = request.find(f"{kind.name}Mod")
        assert body is not None
        record = books.get(element_text(body, "TxnID") or "", "TxnID", (kind.name,))
        edit_sequence = element_text(body, "EditSequence") or ""
        if edit_sequence != record.edit_sequence:
            raise books.schema.status("stale_edit_sequence", value=edit_sequence)
        if kind.name == "SalesOrder" and body.find(f"{kind.line_name}Mod") is not None:
            _check_open(books, record)
        values = parse_fields(books.schema, kind.fields, body, mod=True)
        self._prepare(kind, values)
        line_mods = body.findall(f"{kind.line_name}Mod")
        lines = [self._mod_line(kind, record, el) for el in line_mods] if line_mods else None
        books.check_lock_mod(record)
        merge(kind.fields, record.fields, values)
        if lines is not None:
            record.lines = lines
        books.touch(record)
        rs.append(books.render(record))
        return None

    def _mod_line(
        self, kind: KindSpec, record: Record, element: etree._Element
    ) -> dict[str, Value]:
        changes = parse_fields(self._books.schema, kind.line_fields, element, mod=True)
        line_id = element_text(element, "TxnLineID") or ""
        if line_id == "-1":
            return self._new_line(kind, changes)
        existing = next((x for x in record.lines if x.get("TxnLineID") == line_id), None)
        if existing is None:
            raise self._books.schema.status("not_found", value=line_id)
        self._resolve_item(kind, changes)
        line = dict(existing)
        merge(kind.line_fields, line, changes)
        _amount(line, recompute="Amount" not in changes)
        return line

    # --- Query ----------------------------------------------------------------------------

    def query(self, kind: KindSpec, request: etree._Element, rs: etree._Element) -> Status | None:
        """<Txn>QueryRq: by TxnID, by RefNumber, or by the transaction filters."""
        books = self._books
        books.check_permission((kind.name,), "Query")
        books.check_feature(kind.needs)
        owner_ids = [(e.text or "").strip() for e in request.findall("OwnerID")]
        include = [(e.text or "").strip() for e in request.findall("IncludeRetElement")]
        lines = (element_text(request, "IncludeLineItems") or "").lower() in ("true", "1")

        def select() -> tuple[list[Record], list[str]]:
            return self._select(kind, request)

        def render(record: Record) -> etree._Element:
            return books.render(record, owner_ids=owner_ids, include_lines=lines, include=include)

        return self._queries.run(request, rs, select, render)

    def _select(self, kind: KindSpec, request: etree._Element) -> tuple[list[Record], list[str]]:
        books = self._books
        found: list[Record] = []
        missing: list[str] = []
        ids = [(e.text or "").strip() for e in request.findall("TxnID")]
        if ids:
            for raw in ids:
                record = books.state.records.get(check_id(books.schema, raw, "TxnID"))
                if record is not None and record.kind == kind.name:
                    found.append(record)
                else:
                    missing.append(raw)
            return found, missing
        for tag, fold in (("RefNumber", True), ("RefNumberCaseSensitive", False)):
            refs = [(e.text or "").strip() for e in request.findall(tag)]
            if refs:
                for ref in refs:
                    matches = [r for r in books.records((kind.name,)) if _same(r, ref, fold)]
                    if matches:
                        found.extend(matches)
                    else:
                        missing.append(ref)
                return found, missing
        # The request's modified-date bounds, read once (at its first record, as before), not
        # again for each of the company's transactions.
        modified = cache(
            lambda: date_range(
                books,
                request.find("ModifiedDateRangeFilter"),
                "FromModifiedDate",
                "ToModifiedDate",
            )
        )
        return [
            r for r in books.records((kind.name,)) if self._matches(r, request, modified)
        ], missing

    def _matches(
        self,
        record: Record,
        request: etree._Element,
        modified: Callable[[], tuple[datetime | None, datetime | None]],
    ) -> bool:
        books = self._books
        if not in_range(record.time_modified, modified()):
            return False
        dates = request.find("TxnDateRangeFilter")
        if dates is not None:
            txn_date = record.text("TxnDate") or ""
            low, high = element_text(dates, "FromTxnDate"), element_text(dates, "ToTxnDate")
            if (low and txn_date < low) or (high and txn_date > high):
                return False
        if not self._entity_match(record, request.find("EntityFilter")):
            return False
        ref = record.text("RefNumber") or ""
        if not text_match(ref, request.find("RefNumberFilter"), "RefNumber"):
            return False
        if not range_match(
            ref, request.find("RefNumberRangeFilter"), "FromRefNumber", "ToRefNumber"
        ):
            return False
        paid = element_text(request, "PaidStatus") or "All"
        if paid not in PAID_STATUSES:
            raise books.schema.status("invalid_value", field="PaidStatus", value=paid, detail="")
        if paid != "All" and record.kind == "Invoice":
            is_paid = books.balance(record) <= 0
            return is_paid == (paid == "PaidOnly")
        return True

    def _entity_match(self, record: Record, entity: etree._Element | None) -> bool:
        if entity is None:
            return True
        books = self._books
        customer = books.state.records.get(record.ref_id("CustomerRef") or "")
        if customer is None:
            return False
        full_name = books.full_name(customer).casefold()
        for tag, children in (("ListID", False), ("ListIDWithChildren", True)):
            for element in entity.findall(tag):
                target = books.state.records.get((element.text or "").strip().upper())
                if target is not None and (
                    target.id == customer.id
                    or (children and full_name.startswith(books.full_name(target).casefold() + ":"))
                ):
                    return True
        for tag, children in (("FullName", False), ("FullNameWithChildren", True)):
            for element in entity.findall(tag):
                wanted = (element.text or "").strip().casefold()
                if full_name == wanted or (children and full_name.startswith(wanted + ":")):
                    return True
        return False


def _same(record: Record, ref: str, fold: bool) -> bool:
    have = record.text("RefNumber") or ""
    return have.casefold() == ref.casefold() if fold else have == ref


def _amount(line: dict[str, Value], recompute: bool) -> None:
    """Fill a line's Amount from Quantity x Rate (QuickBooks computes it when absent)."""
    if "Amount" in line and not recompute:
        return
    if "Rate" not in line and "Amount" in line:
        return
    quantity = to_decimal(line.get("Quantity")) if "Quantity" in line else Decimal(1)
    line["Amount"] = money(quantity * to_decimal(line.get("Rate")))


def _check_open(books: Books, order: Record) -> None:
    """A sales order's lines change only while it is open.

    qbxml120.xsd gives SalesOrderRet IsFullyInvoiced and IsManuallyClosed, and each line the
    quantity Invoiced; an invoice made from the order copies its lines (qbkaccounting.com,
    "Inventory: QuickBooks Pro vs Premier - sales orders": invoice all of it or selected items,
    the rest stays a backorder). No page says what SalesOrderMod answers when the lines of a
    closed order change; the sandbox takes the stricter reading: changing the lines of an
    order fully invoiced or closed by hand fails with 3180 and nothing is saved.
    """
    closed = books.computed(order).get("IsFullyInvoiced") == "true"
    if closed or order.text("IsManuallyClosed") == "true":
        raise books.schema.status(
            "save_failed",
            kind="SalesOrder",
            detail="the sales order is closed (fully invoiced or closed by hand); "
            "its lines cannot be changed",
        )
