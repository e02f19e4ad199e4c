"""The company file's records and the QuickBooks rules every request handler shares."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, tzinfo
from decimal import Decimal
from zoneinfo import ZoneInfo

from lxml import etree

from sfqb.sandbox.qbd.faults import Faults
from sfqb.sandbox.qbd.fields import check_id, money, render_fields, to_decimal
from sfqb.sandbox.qbd.index import RecordIndex
from sfqb.sandbox.qbd.records import CompanyState, Record, Value, qb_time
from sfqb.sandbox.qbd.refs import sales_tax
from sfqb.sandbox.qbd.schema import KindSpec, Schema
from sfqb.sandbox.qbd.settings import SandboxSettings

# The TxnIDs a transaction is linked to (space-separated): a key no schema field has, so
# requests cannot set it and render_fields leaves it out; rendered as LinkedTxn.
LINKED = "LinkedTxnIDs"


class SandboxError(Exception):
    """A sandbox API call (not a qbXML request) cannot be done; one-line reason."""


class Books:
    """State plus the shared rules: IDs, names, references, rights, locks and rendering."""

    def __init__(
        self,
        schema: Schema,
        settings: Callable[[], SandboxSettings],
        clock: Callable[[], datetime],
        faults: Faults,
        state: CompanyState,
    ) -> None:
        self.schema = schema
        self._settings = settings
        self._clock = clock
        self.faults = faults
        self.state = state
        self.index = RecordIndex(state.records.values())
        self.holds: set[str] = set()

    @property
    def settings(self) -> SandboxSettings:
        """The company's current settings."""
        return self._settings()

    def now(self) -> datetime:
        """The injected clock's time in the company's zone; a naive value is taken as UTC."""
        moment = self._clock().replace(microsecond=0)
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        zone = self.settings.time_zone
        return moment.astimezone(ZoneInfo(zone)) if zone else moment

    def zone(self) -> tzinfo:
        """The QuickBooks computer's time zone."""
        zone = self.settings.time_zone
        return ZoneInfo(zone) if zone else (self.now().tzinfo or UTC)

    # --- identity -------------------------------------------------------------------------

    def new_id(self, is_txn: bool) -> str:
        """A fresh ListID (80000001-1700000000) or TxnID (1A-1700000000)."""
        stamp = int(self.now().timestamp())
        if is_txn:
            return f"{self.state.next('txn_id'):X}-{stamp}"
        return f"{self.state.next('list_id', 0x80000001):08X}-{stamp}"

    def touch(self, record: Record) -> None:
        """Record a modification: new TimeModified and a new, larger EditSequence."""
        now = self.now()
        record.time_modified = now
        previous = int(record.edit_sequence) if record.edit_sequence.isdigit() else 0
        record.edit_sequence = str(max(int(now.timestamp()), previous + 1))
        self.index.file(record)

    def create(
        self,
        kind: KindSpec,
        fields: dict[str, Value],
        lines: list[dict[str, Value]] | None = None,
    ) -> Record:
        """Store a new record of `kind` with `fields` (and `lines`); IDs and times come from the
        clock."""
        now = self.now()
        record = Record(
            kind=kind.name,
            id=self.new_id(kind.is_txn),
            time_created=now,
            time_modified=now,
            edit_sequence=str(int(now.timestamp())),
            fields=fields,
            txn_number=self.state.next("txn_number") if kind.is_txn else 0,
            lines=lines if lines is not None else [],
        )
        self.state.records[record.id] = record
        self.index.file(record)
        return record

    def with_key(self, what: str, value: str, kinds: Iterable[str] | None = None) -> list[Record]:
        """The records (of these kinds) filed under (what, value) in the index: CustomerRef,
        ParentRef, a payment line's TxnID or CreditTxnID; in creation order."""
        wanted = None if kinds is None else set(kinds)
        found = (self.state.records.get(i) for i in self.index.ids(what, value))
        return [r for r in found if r is not None and (wanted is None or r.kind in wanted)]

    # --- lookups --------------------------------------------------------------------------

    def kind(self, record: Record) -> KindSpec:
        """The spec of a record's kind."""
        return self.schema.kinds[record.kind]

    def records(self, kinds: Iterable[str]) -> list[Record]:
        """Every stored record of the given kinds, in creation order."""
        wanted = set(kinds)
        return [r for r in self.state.records.values() if r.kind in wanted]

    def family_kinds(self, family: str) -> tuple[str, ...]:
        """The kinds sharing one name space (entity, item) or all transactions (txn)."""
        return tuple(k.name for k in self.schema.kinds.values() if k.family == family)

    def get(self, raw_id: str, field: str, kinds: Iterable[str] | None = None) -> Record:
        """The record with this ID: 3000 when malformed, 3120 when missing (or another kind)."""
        record_id = check_id(self.schema, raw_id, field)
        record = self.state.records.get(record_id)
        if record is None or (kinds is not None and record.kind not in set(kinds)):
            raise self.schema.status("not_found", value=raw_id)
        return record

    def full_name(self, record: Record) -> str:
        """The colon-joined name path of a list object (its Name when it has no parent)."""
        names = [record.name()]
        seen = {record.id}
        parent_id = record.ref_id("ParentRef")
        while parent_id and parent_id not in seen:
            parent = self.state.records.get(parent_id)
            if parent is None:
                break
            names.append(parent.name())
            seen.add(parent_id)
            parent_id = parent.ref_id("ParentRef")
        return ":".join(reversed(names))

    def by_full_name(self, kinds: Iterable[str], full_name: str) -> Record | None:
        """The record of these kinds whose FullName matches (case-insensitive)."""
        wanted = full_name.casefold()
        last = wanted.rsplit(":", 1)[-1]
        ids = self.index.ids("Name", last) + self.index.ids("Name", "")
        kinds = set(kinds)
        for record_id in sorted(ids, key=self.index.position):
            record = self.state.records.get(record_id)
            if record is not None and record.kind in kinds:  # noqa: SIM102 - names cost more
                if self.full_name(record).casefold() == wanted:
                    return record
        return None

    def ref_name(self, list_id: str) -> str | None:
        """The current FullName of a referenced list object (RefNumber-less for txns)."""
        record = self.state.records.get(list_id)
        if record is None or self.kind(record).is_txn:
            return None
        return self.full_name(record)

    def resolve(self, ref: Value, kinds: tuple[str, ...], ref_type: str, where: str) -> Record:
        """The record a reference names (ListID wins over FullName); 3140 when it is missing."""
        if not isinstance(ref, dict):
            raise self.schema.status("invalid_ref", ref_type=ref_type, value="", where=where)
        list_id, full_name = ref.get("ListID"), ref.get("FullName")
        found: Record | None = None
        if isinstance(list_id, str):
            candidate = self.state.records.get(list_id)
            found = candidate if candidate is not None and candidate.kind in kinds else None
        elif isinstance(full_name, str):
            found = self.by_full_name(kinds, full_name)
        if found is None:
            value = list_id if isinstance(list_id, str) else full_name or ""
            raise self.schema.status("invalid_ref", ref_type=ref_type, value=value, where=where)
        return found

    # --- rules ----------------------------------------------------------------------------

    def check_active(self, record: Record, ref_type: str, where: str) -> None:
        """3140 when a transaction names an inactive customer or item.

        Intuit: an inactive entry is hidden from lists and must be made active before it is used
        again ("Hiding Entries on Lists", QuickBooks Desktop help). What the SDK answers for a
        request naming one is not documented: the stricter reading, a refusal, is modelled.
        """
        if not record.is_active:
            raise self.schema.status(
                "inactive_ref", ref_type=ref_type, value=self.full_name(record), where=where
            )

    def check_permission(self, object_types: tuple[str, ...], operation: str) -> None:
        """3260 when the integration user lacks the right for this operation."""
        if self.settings.is_denied(object_types, operation):
            raise self.schema.status("permission")

    def check_feature(self, needs: str | None) -> None:
        """3250 when the preference a request needs is off."""
        if needs == "multicurrency" and not self.settings.multi_currency:
            raise self.schema.status("feature_off")
        if needs == "inventory" and not self.settings.inventory:
            raise self.schema.status("feature_off")
        if needs == "sales_orders" and (
            self.settings.edition == "Pro" or not self.settings.sales_orders
        ):
            raise self.schema.status("feature_off")

    def check_name_free(self, family: str, full_name: str, except_id: str | None) -> None:
        """3100 when another record of the name space already has this FullName."""
        existing = self.by_full_name(self.family_kinds(family), full_name)
        if existing is not None and existing.id != except_id:
            raise self.schema.status("name_in_use", value=full_name)

    def _what(self, kind: KindSpec) -> str:
        return "transaction" if kind.is_txn else "list element"

    def check_lock_mod(self, record: Record) -> None:
        """3170/3175 when a QuickBooks user holds the record, or a random lock hits."""
        if record.id in self.holds or self.faults.lock_hit(self.settings.lock_rate):
            key = "in_use" if self.settings.lock_code == 3175 else "modify_locked"
            kind = self.kind(record)
            raise self.schema.status(key, kind=kind.name, what=self._what(kind), value=record.id)

    def check_lock_add(self, kind: KindSpec) -> None:
        """3170 when a random lock hits the list an Add writes to."""
        if self.faults.lock_hit(self.settings.lock_rate):
            raise self.schema.status("add_locked", kind=kind.name, what=self._what(kind))

    # --- computed values ------------------------------------------------------------------

    def applied_to(self, txn_id: str) -> Decimal:
        """The payments and credits applied to a transaction (an invoice)."""
        total = Decimal(0)
        for payment in self.with_key("TxnID", txn_id, ("ReceivePayment",)):
            for line in payment.lines:
                if line.get("TxnID") == txn_id:
                    total += to_decimal(line.get("Amount"))
        return total

    def credit_used(self, credit_id: str) -> Decimal:
        """How much of a credit memo payments' SetCredit applied to invoices."""
        return sum(
            (
                to_decimal(line.get("Amount"))
                for payment in self.with_key("CreditTxnID", credit_id, ("ReceivePayment",))
                for line in payment.lines
                if line.get("CreditTxnID") == credit_id
            ),
            Decimal(0),
        )

    def subtotal(self, record: Record) -> Decimal:
        """The sum of a sales transaction's line amounts."""
        return sum((to_decimal(line.get("Amount")) for line in record.lines), Decimal(0))

    def total(self, record: Record) -> Decimal:
        """A sale's total: its subtotal plus the sales tax QuickBooks computes."""
        return self.subtotal(record) + sales_tax(self, record)[1]

    def balance(self, record: Record) -> Decimal:
        """An invoice's open balance."""
        return self.total(record) - self.applied_to(record.id)

    def customer_balance(self, customer: Record, total: bool) -> Decimal:
        """Open invoice balance of a customer (with `total`, including its jobs)."""
        invoices = self.with_key("CustomerRef", customer.id, ("Invoice",))
        amount = sum((self.balance(i) for i in invoices), Decimal(0))
        if total:
            for child in self.with_key("ParentRef", customer.id, ("Customer",)):
                amount += self.customer_balance(child, total=True)
        return amount

    def computed(self, record: Record) -> dict[str, Value]:
        """The values QuickBooks fills in for a record, by field name."""
        kind = self.kind(record)
        values: dict[str, Value] = {}
        if not kind.is_txn:
            values["FullName"] = self.full_name(record)
            values["Sublevel"] = str(self.full_name(record).count(":"))
        if kind.name == "Customer":
            values["Balance"] = money(self.customer_balance(record, total=False))
            values["TotalBalance"] = money(self.customer_balance(record, total=True))
        if kind.line_name:
            subtotal = self.subtotal(record)
            rate, tax = sales_tax(self, record)
            values.update(Subtotal=money(subtotal), SalesTaxPercentage=money(rate))
            values.update(SalesTaxTotal=money(tax), TotalAmount=money(subtotal + tax))
        if kind.name == "Invoice":
            applied = self.applied_to(record.id)
            remaining = self.total(record) - applied
            values.update(AppliedAmount=money(-applied), BalanceRemaining=money(remaining))
            values["IsPaid"] = "true" if remaining <= 0 else "false"
        if kind.name == "CreditMemo":
            remaining = self.total(record) - self.credit_used(record.id)
            values["CreditRemaining"] = money(remaining)
        if kind.name == "SalesOrder":
            done = all(
                to_decimal(x.get("Invoiced")) >= to_decimal(x.get("Quantity")) for x in record.lines
            )
            values["IsFullyInvoiced"] = "true" if record.lines and done else "false"
        if kind.name == "ReceivePayment":
            paid = [x for x in record.lines if not x.get("CreditTxnID")]  # not a credit's share
            used = sum((to_decimal(x.get("Amount")) for x in paid), Decimal(0))
            unused = to_decimal(record.fields.get("TotalAmount")) - used
            values.update(UnusedPayment=money(unused), UnusedCredits="0.00")
        return values

    # --- rendering ------------------------------------------------------------------------

    def render(
        self,
        record: Record,
        *,
        owner_ids: Iterable[str] = (),
        include_lines: bool = True,
        include: Iterable[str] = (),
    ) -> etree._Element:
        """The record's Ret aggregate, elements in the schema's order."""
        kind = self.kind(record)
        ret = etree.Element(f"{kind.name}Ret")
        etree.SubElement(ret, kind.id_field).text = record.id
        etree.SubElement(ret, "TimeCreated").text = qb_time(record.time_created)
        etree.SubElement(ret, "TimeModified").text = qb_time(record.time_modified)
        etree.SubElement(ret, "EditSequence").text = record.edit_sequence
        if kind.is_txn:
            etree.SubElement(ret, "TxnNumber").text = str(record.txn_number)
        render_fields(ret, kind.fields, {**record.fields, **self.computed(record)}, self.ref_name)
        self._render_linked(ret, record)
        if include_lines and kind.line_name:
            for line in record.lines:
                line_ret = etree.SubElement(ret, f"{kind.line_name}Ret")
                etree.SubElement(line_ret, "TxnLineID").text = str(line["TxnLineID"])
                render_fields(line_ret, kind.line_fields, line, self.ref_name)
        if kind.name == "ReceivePayment":
            self._render_applied(ret, record)
        self._render_data_ext(ret, self.data_ext_shown(record), owner_ids)
        wanted = set(include)
        if wanted:
            for child in list(ret):
                if child.tag not in wanted:
                    ret.remove(child)
        return ret

    def _render_linked(self, ret: etree._Element, record: Record) -> None:
        """LinkedTxn: an invoice made from a sales order, and the order it came from (LINKED)."""
        for txn_id in str(record.fields.get(LINKED) or "").split():
            other = self.state.records.get(txn_id)
            if other is None:
                continue
            linked = etree.SubElement(ret, "LinkedTxn")
            etree.SubElement(linked, "TxnID").text = other.id
            etree.SubElement(linked, "TxnType").text = other.kind
            etree.SubElement(linked, "TxnDate").text = other.text("TxnDate") or ""
            etree.SubElement(linked, "RefNumber").text = other.text("RefNumber") or ""
            etree.SubElement(linked, "LinkType").text = "QUANTYPE"
            etree.SubElement(linked, "Amount").text = money(self.total(other))

    def _render_applied(self, ret: etree._Element, payment: Record) -> None:
        for line in payment.lines:
            invoice = self.state.records.get(str(line["TxnID"]))
            applied = etree.SubElement(ret, "AppliedToTxnRet")
            etree.SubElement(applied, "TxnID").text = str(line["TxnID"])
            etree.SubElement(applied, "TxnType").text = "Invoice"
            if invoice is not None:
                etree.SubElement(applied, "TxnDate").text = invoice.text("TxnDate") or ""
                etree.SubElement(applied, "RefNumber").text = invoice.text("RefNumber") or ""
                etree.SubElement(applied, "BalanceRemaining").text = money(self.balance(invoice))
            etree.SubElement(applied, "Amount").text = str(line["Amount"])

    def data_ext_shown(self, record: Record) -> dict[str, dict[str, str]]:
        """A record's DataExt values, with the customer's custom fields on a transaction.

        Intuit ("Data extensions: custom fields and private data", section "Custom fields
        propagate from list items to transactions"; DataExtDefAdd in the OSR): customer and
        item custom fields (OwnerID 0) are inherited by transactions. Whether QuickBooks copies
        the value when the transaction is saved or shows the customer's current one is not
        documented: the sandbox shows the customer's current value wherever the transaction has
        none of its own (stricter: a reader meets the inherited value on every read). Item
        custom fields on lines are not modelled (no line DataExtRet in the sandbox).
        """
        if not self.kind(record).is_txn:
            return record.data_ext
        customer = self.state.records.get(record.ref_id("CustomerRef") or "")
        if customer is None:
            return record.data_ext
        inherited = {k: v for k, v in customer.data_ext.items() if v["OwnerID"] == "0"}
        return {**inherited, **record.data_ext}

    def _render_data_ext(
        self, ret: etree._Element, values: dict[str, dict[str, str]], owner_ids: Iterable[str]
    ) -> None:
        owners = {o.upper() for o in owner_ids}
        for value in values.values():
            if value["OwnerID"].upper() in owners:
                data_ext = etree.SubElement(ret, "DataExtRet")
                for name in ("OwnerID", "DataExtName", "DataExtType", "DataExtValue"):
                    etree.SubElement(data_ext, name).text = value[name]
