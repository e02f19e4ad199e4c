"""The QuickBooks-to-Salesforce half of a cycle: what QuickBooks changed, and what to write back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sfqb.domain.bindings import Binding
from sfqb.domain.entities import QbKind, QbRef, SfRef
from sfqb.mapping import Mapped, Mapper, MappingInputError, Owner, RecordNotEligible
from sfqb.sync.fields import changed_fields
from sfqb.sync.ops import APPLIED_TO, QbRecord
from sfqb.sync.ownership import newer, writable
from sfqb.sync.records import BindingRepository
from sfqb.sync.target import MarkerKind, TargetProfile

CUSTOMER_FLOW = "customer_to_account"
VENDOR_BACK_FLOW = "vendor_to_account"  # a bound vendor's changes -> its Account
# The QuickBooks-to-Salesforce flow of each name list sfqb binds.
_NAME_FLOWS = {QbKind.CUSTOMER: CUSTOMER_FLOW, QbKind.VENDOR: VENDOR_BACK_FLOW}
_OUTBOUND = {VENDOR_BACK_FLOW: "account_to_vendor"}  # the flow that names the record
PAYMENT_FLOW = "payment_to_opportunity"
CREDIT_FLOW = "credit_to_opportunity"  # a credit memo's total and remaining credit
REFUND_BACK_FLOW = "credit_to_refund"  # the same, to the refund flow's custom object
TRANSACTION_TYPES = ("Invoice", "SalesReceipt", "Estimate", "CreditMemo", "SalesOrder")
_TRANSACTION_KINDS = (QbKind.INVOICE, QbKind.SALES_RECEIPT, QbKind.ESTIMATE, QbKind.CREDIT_MEMO)


def back_flow(kind: QbKind, sf: SfRef | None = None) -> str:
    """The flow that writes a bound transaction's QuickBooks values back to Salesforce (to
    `sf`, its record: a custom object's is the refund flow's)."""
    if kind is not QbKind.CREDIT_MEMO:
        return PAYMENT_FLOW
    return REFUND_BACK_FLOW if sf is not None and sf.sobject.custom else CREDIT_FLOW


@dataclass(frozen=True, slots=True)
class InboundChange:
    """A bound QuickBooks record that changed, mapped to its Salesforce record's fields."""

    flow: str
    binding: Binding
    mapped: Mapped
    time_modified: datetime | None


@dataclass(slots=True)
class Inbound:
    """Collects QuickBooks' changes read at the start of a cycle."""

    company: str
    mapper: Mapper
    bindings: BindingRepository
    profile: TargetProfile
    changes: list[InboundChange] = field(default_factory=list)
    names: dict[QbKind, set[str]] = field(default_factory=dict)
    full_names: dict[str, str] = field(default_factory=dict)  # customer id -> its full name
    high_water: dict[str, datetime] = field(default_factory=dict)
    _payments: dict[str, list[Mapping[str, Any]]] = field(default_factory=dict)
    _transactions: list[QbRecord] = field(default_factory=list)
    _changed_at: dict[SfRef, datetime | None] = field(default_factory=dict)
    # The fingerprint of each record the cycle wrote, with the fields it was taken of, until
    # it is read back after its marker is set (`refreshed`): the same fields map the same.
    _wrote: dict[tuple[str, str, str], tuple[Mapping[str, Any], str]] = field(default_factory=dict)

    def take(self, records: Sequence[QbRecord]) -> None:
        """Note what a read returned: names in use, payments, edit sequences, changes."""
        for record in records:
            self.note_time(record)
            if record.qb_type == self.profile.payment_type:
                for txn in record.fields.get(APPLIED_TO, ()) or ():
                    self._payments.setdefault(str(txn), []).append(dict(record.fields))
                continue
            kind = self.profile.kind_of(record.qb_type)
            bound = self.bindings.by_qb(self.company, QbRef(kind, record.id)) is not None
            if record.name and bound:
                # A bound record's name belongs to another party: a new record takes another
                # name. An unbound one may be this very party: QuickBooks' 3100 and the match
                # rule decide (the bind-existing remedy), not a silent suffix.
                self.names.setdefault(kind, set()).add(record.name.casefold())
            if kind in _NAME_FLOWS:
                self._name(_NAME_FLOWS[kind], record)
            elif kind is QbKind.ITEM:
                self._bound(record)  # a person's edit: the next Mod needs its EditSequence
            elif kind in _TRANSACTION_KINDS:
                self._transactions.append(record)

    def finish(self) -> None:
        """Map the transactions once every payment read has been seen."""
        for record in self._transactions:
            binding = self._bound(record)
            if binding is None:
                continue
            fields = dict(record.fields)
            fields["ReceivePayments"] = self._payments.get(record.id, [])
            flow = back_flow(self.profile.kind_of(record.qb_type), binding.sf)
            self._add(flow, binding, fields, record.time_modified)
        self._transactions.clear()

    def _name(self, flow: str, record: QbRecord) -> None:
        binding = self._bound(record)
        if binding is not None:
            fields = unsuffixed(self.mapper, flow, record.fields)
            self._add(flow, binding, fields, record.time_modified)

    def _bound(self, record: QbRecord) -> Binding | None:
        kind = self.profile.kind_of(record.qb_type)
        binding = self.bindings.by_qb(self.company, QbRef(kind, record.id))
        if binding is not None and record.version not in (None, binding.version):
            binding = self.bindings.update(replace(binding, version=record.version))
        return binding

    def _add(
        self, flow: str, binding: Binding, fields: Mapping[str, Any], when: datetime | None
    ) -> None:
        if self.mapper.flows[flow].kind != binding.sf.sobject.value:
            return  # an inbound flow writes its own object only (payments: Opportunities)
        try:
            mapped = self.mapper.map(flow, fields)
        except (RecordNotEligible, MappingInputError):
            return
        if mapped.fingerprint == binding.qb_fingerprint:
            return  # an echo of sfqb's own write, or nothing sfqb maps changed
        self.changes.append(InboundChange(flow, binding, mapped, when))
        self._changed_at[binding.sf] = when

    def wrote(self, binding: Binding, record: QbRecord) -> str:
        """The QuickBooks-side fingerprint to keep for a record sfqb just wrote.

        A transaction's total is computed by QuickBooks (sales tax included): while no payment
        is applied to it (an Add, always), its balance goes back in this cycle's write-back, and
        the binding keeps its old fingerprint until Salesforce saves the values.
        """
        kind = self.profile.kind_of(record.qb_type)
        fingerprint = self._fingerprint(record, binding.sf)
        applied = record.fields.get("AppliedAmount")
        if kind not in _TRANSACTION_KINDS or (applied is not None and applied != 0):
            return fingerprint  # the payments are read with the next changes
        flow = back_flow(kind, binding.sf)
        if self.mapper.flows[flow].kind != binding.sf.sobject.value:
            return fingerprint  # an Order's invoice: its payments stay in QuickBooks
        self._add(flow, binding, {**record.fields, "ReceivePayments": []}, None)
        return binding.qb_fingerprint

    def _fingerprint(self, record: QbRecord, sf: SfRef | None) -> str:
        """`inbound_fingerprint` of a record sfqb just wrote (to `sf`'s record); kept, with the
        fields it was taken of, until the record is read back after its marker is set."""
        kind = self.profile.kind_of(record.qb_type)
        fingerprint = inbound_fingerprint(self.mapper, kind, record.fields, sf)
        if self.profile.marker is not MarkerKind.NONE:
            key = (kind.value, record.id, _fingerprint_flow(kind, sf))
            self._wrote[key] = (record.fields, fingerprint)
        return fingerprint

    def refreshed(self, record: QbRecord) -> str:
        """`inbound_fingerprint` of a record read back after sfqb set its marker: the one
        taken when sfqb wrote it if its fields are unchanged (it is not mapped again)."""
        kind = self.profile.kind_of(record.qb_type)
        seen = self._wrote.pop((kind.value, record.id, _fingerprint_flow(kind, None)), None)
        if seen is not None and seen[0] == record.fields:
            return seen[1]
        return inbound_fingerprint(self.mapper, kind, record.fields)

    def note_time(self, record: QbRecord) -> None:
        """Move the high-water mark of the record's type to its modification time if newer.

        Marks are QuickBooks' wall-clock times (`wall_clock`), compared and kept as written.
        """
        self.note_name(record)
        if record.time_modified is None:
            return
        key = self.profile.read_type(record.qb_type)
        moment = wall_clock(record.time_modified)
        current = self.high_water.get(key)
        if current is None or moment > current:
            self.high_water[key] = moment

    def note_name(self, record: QbRecord) -> None:
        """Remember a customer's full name ("Parent:Job" on QuickBooks Desktop): a new job's
        name is made unique among the children of that name (sfqb.sync.hierarchy)."""
        if record.name and self.profile.kinds.get(record.qb_type) is QbKind.CUSTOMER:
            self.full_names[record.id] = record.name

    def changed_at(self, sf: SfRef) -> datetime | None:
        """When QuickBooks changed the counterpart of a bound Salesforce record (newest-wins)."""
        return self._changed_at.get(sf)

    def writes(
        self, sf_changed: Mapping[Any, datetime | None]
    ) -> list[tuple[InboundChange, dict[str, Any]]]:
        """Fields to write on Salesforce for each change; `newest` fields only when QB is newer."""
        out = []
        for change in self.changes:
            flow = self.mapper.flows[change.flow]
            qb_newer = newer(change.time_modified, sf_changed.get(change.binding.sf))
            fields = changed_fields(
                change.mapped.fields, None, writable(flow, Owner.QUICKBOOKS, qb_newer)
            )
            if fields:
                out.append((change, fields))
        return out


# How far QuickBooks' wall clock can be behind UTC (UTC-12): an instant of sfqb's clock,
# less this, is never later than the same instant on QuickBooks' wall clock.
WALL_CLOCK_SPREAD = timedelta(hours=12)


def wall_clock(moment: datetime) -> datetime:
    """QuickBooks' time as it wrote it: the wall-clock part, held in a UTC slot for storage.

    QuickBooks reads FromModifiedDate as the QuickBooks computer's local time, and the offset
    it writes does not follow daylight saving; so sfqb keeps QuickBooks' own wall clock and
    never converts it (a checkpoint goes back as the same wall-clock time, without offset).
    """
    return moment.replace(tzinfo=UTC)


# The hour a fall-back repeats (daylight saving's end) and where it falls on the wall clock:
# 01:00-02:00 in the US, Canada and the UK, 02:00-03:00 in Australia (its zones fall back at 03:00).
REPEATED_HOUR = timedelta(hours=1)
FALL_BACK_HOURS = (time(1), time(3))


def read_from(
    checkpoint: datetime,
    overlap: timedelta,
    fall_back: tuple[time, time] = FALL_BACK_HOURS,
) -> datetime:
    """Where to read QuickBooks' changes from again: `overlap` before the checkpoint (a
    QuickBooks wall-clock time), sent without an offset.

    QuickBooks may read a wall-clock time of the repeated hour as its later occurrence, so a
    read that starts inside that hour can miss what was saved in its first occurrence. Only
    when the span read again touches the `fall_back` hours does the read reach back past a
    whole repeated hour; elsewhere in the day the small overlap is enough.
    """
    wall = checkpoint.replace(tzinfo=None)
    start = wall - overlap
    first, last = fall_back
    for day in {start.date(), wall.date()}:
        if start < datetime.combine(day, last) and wall >= datetime.combine(day, first):
            return wall - REPEATED_HOUR - overlap
    return start


def inbound_fingerprint(
    mapper: Mapper, kind: QbKind, fields: Mapping[str, Any], sf: SfRef | None = None
) -> str:
    """The QuickBooks-side fingerprint of a record sfqb just wrote (to `sf`'s record), so its
    echo is skipped."""
    flow = _fingerprint_flow(kind, sf)
    if not flow:
        return ""
    values = dict(unsuffixed(mapper, flow, fields))
    if kind not in _NAME_FLOWS:
        values.setdefault("ReceivePayments", [])
    try:
        return mapper.map(flow, values).fingerprint
    except (RecordNotEligible, MappingInputError):
        return ""


def _fingerprint_flow(kind: QbKind, sf: SfRef | None) -> str:
    """The inbound flow a record of `kind` maps back through ("" for none)."""
    if kind in _NAME_FLOWS:
        return _NAME_FLOWS[kind]
    return back_flow(kind, sf) if kind in _TRANSACTION_KINDS else ""


def unsuffixed(mapper: Mapper, flow: str, fields: Mapping[str, Any]) -> Mapping[str, Any]:
    """A vendor's fields with the second-name suffix taken off its name (" (V)"): the
    Account's name is the party's, the suffix only QuickBooks' name space's."""
    if flow != VENDOR_BACK_FLOW:
        return fields
    rule = mapper.flows[_OUTBOUND[flow]].name_rule
    suffix = mapper.second_suffix(_OUTBOUND[flow])
    name = fields.get(rule.field) if rule is not None else None
    if rule is None or not suffix or not isinstance(name, str) or not name.endswith(suffix):
        return fields
    return {**fields, rule.field: name.removesuffix(suffix).rstrip()}


def sales_tax_note(fields: Mapping[str, Any], payload: Mapping[str, Any]) -> str:
    """A log note when QuickBooks' total differs from the Opportunity's Amount by sales tax.

    QuickBooks computes the tax from the tax item's rate; the balance written back includes it,
    so a total above the Amount is the tax, not a payment short of it.
    """
    subtotal, total = fields.get("Subtotal"), fields.get("TotalAmount")
    if not isinstance(subtotal, Decimal) or not isinstance(total, Decimal) or total == subtotal:
        return ""
    amount = payload.get("Amount")
    against = f" against the Opportunity's Amount {amount}" if amount is not None else ""
    return f"QuickBooks added sales tax {total - subtotal}: total {total}{against}"
