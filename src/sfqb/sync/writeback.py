"""What a cycle writes on Salesforce: sync status and QuickBooks IDs, and QuickBooks' changes."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sfqb.domain.bindings import Binding
from sfqb.domain.entities import QbRef, Role, SfObject, SfRef
from sfqb.domain.status import DecodedStatus
from sfqb.mapping import Mapper, MappingInputError, RecordNotEligible
from sfqb.sync.fields import to_plain
from sfqb.sync.inbound import CUSTOMER_FLOW, VENDOR_BACK_FLOW, Inbound, InboundChange
from sfqb.sync.records import (
    REFUND_FLOW,
    Attempt,
    BindingRepository,
    Direction,
    PendingChange,
    SfWrite,
    SfWriteResult,
    flow_of,
)

QB_ID = "QuickBooks_ID__c"
# An Account's vendor keeps its QuickBooks Id apart from its customer's (both may exist).
QB_VENDOR_ID = "QuickBooks_Vendor_ID__c"
_ID_FIELD = {Role.MAIN: QB_ID, Role.VENDOR: QB_VENDOR_ID}
SYNC_STATUS = "QuickBooks_Sync_Status__c"
SYNC_ERROR = "QuickBooks_Sync_Error__c"
_ERROR_LIMIT = 2000
_SOURCE_OBJECT = {
    CUSTOMER_FLOW: "Account",
    "payment_to_opportunity": "Opportunity",
    "credit_to_opportunity": "Opportunity",
}
# The Salesforce-to-QuickBooks flow whose values a name list's change brings back (echoes).
_ECHO_FLOW = {CUSTOMER_FLOW: "account_to_customer", VENDOR_BACK_FLOW: "account_to_vendor"}


def id_field(sf: SfRef) -> str:
    """The Salesforce field that holds the QuickBooks Id of `sf`'s record in its role."""
    return _ID_FIELD[sf.role]


def error_text(status: DecodedStatus) -> str:
    """The decoded failure as one paragraph for the Salesforce record."""
    text = (
        f"{status.system} {status.code} {status.title}: {status.meaning} Fix: {status.fix_text()}"
    )
    return text[:_ERROR_LIMIT]


@dataclass(slots=True)
class WriteBack:
    """Collects Salesforce writes during a cycle and applies their outcome to the bindings."""

    mapper: Mapper
    bindings: BindingRepository
    company: str
    clock: Callable[[], datetime]
    last_payload: Callable[[str, SfRef], Mapping[str, Any] | None]
    flows_off: frozenset[str] = frozenset()  # QuickBooks-to-Salesforce flows switched off
    held_back: int = 0  # QuickBooks changes not written because their flow is off
    _status: dict[SfRef, dict[str, Any]] = field(default_factory=dict)
    _inbound: dict[tuple[str, str], InboundChange] = field(default_factory=dict)

    def status(
        self,
        change: PendingChange,
        qb: QbRef | None,
        status: DecodedStatus | None,
        *,
        review: bool = False,
    ) -> None:
        """Note the outcome of pushing one Salesforce record, to be written back."""
        fields: dict[str, Any] = {}
        if review and status is not None:
            fields = {SYNC_STATUS: "Needs Review", SYNC_ERROR: error_text(status)}
        elif status is None:
            fields = {SYNC_STATUS: "Synced", SYNC_ERROR: ""}
            if qb is not None:
                fields[id_field(change.sf)] = qb.id
        else:
            fields = {
                SYNC_STATUS: "Pending" if status.retryable else "Error",
                SYNC_ERROR: error_text(status),
            }
        self._status[change.sf] = fields

    def writes(
        self, inbound: Inbound, sf_changed: Mapping[SfRef, datetime | None]
    ) -> list[SfWrite]:
        """Every Salesforce write of the cycle, one per record, status and changes merged."""
        merged: dict[tuple[str, str], tuple[dict[str, Any], str, Direction]] = {}
        for sf, fields in sorted(self._status.items(), key=lambda kv: kv[0].role is not Role.MAIN):
            key = (sf.sobject.value, sf.id)
            if key in merged:  # the record's other role: its Id kept, the worse status shown
                merged[key][0].update(_worse(merged[key][0], fields))
            else:
                merged[key] = (dict(fields), flow_of(sf), Direction.SF_TO_QB)
        for change, fields in inbound.writes(sf_changed):
            if change.flow in self.flows_off:
                self.held_back += 1
                continue
            sf = change.binding.sf
            key = (sf.sobject.value, sf.id)
            self._inbound[key] = change
            if key in merged:
                merged[key][0].update(fields)
            else:
                merged[key] = (dict(fields), change.flow, Direction.QB_TO_SF)
        return [
            SfWrite(sobject, record_id, dict(fields), flow, direction)
            for (sobject, record_id), (fields, flow, direction) in merged.items()
        ]

    def take(
        self, results: Sequence[SfWriteResult], changes: Mapping[SfRef, PendingChange]
    ) -> list[Attempt]:
        """Log failed writes; for saved QuickBooks changes, remember them so echoes are skipped."""
        attempts: list[Attempt] = []
        for result in results:
            key = (result.sobject, result.record_id)
            change = self._inbound.get(key)
            if not result.ok:
                sf = _sf_ref(result.sobject, result.record_id, self.mapper)
                for status in result.statuses:
                    attempts.append(
                        Attempt(
                            change.flow if change else (flow_of(sf) if sf else ""),
                            Direction.QB_TO_SF,
                            "writeback",
                            status,
                            "will write again on the next cycle"
                            if status.retryable
                            else _held(status),
                            sf=sf,
                            qb=change.binding.qb if change else None,
                        )
                    )
                continue
            if change is not None:
                self._saved(change, changes)
        return attempts

    def _saved(self, change: InboundChange, changes: Mapping[SfRef, PendingChange]) -> None:
        binding = self.bindings.by_sf(self.company, change.binding.sf) or change.binding
        binding = replace(binding, qb_fingerprint=change.mapped.fingerprint, synced_at=self.clock())
        if change.flow in _ECHO_FLOW:
            binding = self._expect_echo(binding, change, changes)
        self.bindings.update(binding)

    def _expect_echo(
        self, binding: Binding, change: InboundChange, changes: Mapping[SfRef, PendingChange]
    ) -> Binding:
        """The Account now holds QuickBooks' values: its next read must not push them back."""
        sf, flow = binding.sf, _ECHO_FLOW[change.flow]
        pending = changes.get(sf)
        payload = pending.payload if pending is not None else self.last_payload(flow, sf)
        if payload is None:
            return binding
        updated = {**payload, **to_plain(change.mapped.fields)}
        try:
            kept = pending.overrides if pending is not None else None
            mapped = self.mapper.map(
                flow, updated, overrides=kept, second=_second(binding, self.mapper, flow)
            )
        except (RecordNotEligible, MappingInputError):
            return binding
        return replace(binding, fingerprint=mapped.fingerprint, sf_values=to_plain(mapped.fields))


def _worse(first: Mapping[str, Any], second: Mapping[str, Any]) -> dict[str, Any]:
    """`second`'s fields over `first`'s, but a sync status that is not "Synced" (and its
    error) is never covered by another role's "Synced"."""
    out = dict(second)
    if first.get(SYNC_STATUS) not in (None, "Synced") and second.get(SYNC_STATUS) == "Synced":
        out.pop(SYNC_STATUS, None)
        out.pop(SYNC_ERROR, None)
    return out


def _second(binding: Binding, mapper: Mapper, flow: str) -> bool:
    """True when the record's name as last sent carries the flow's second-name suffix."""
    suffix = mapper.second_suffix(flow)
    rule = mapper.flows[flow].name_rule
    name = (binding.sf_values or {}).get(rule.field) if rule is not None else None
    return bool(suffix) and isinstance(name, str) and name.endswith(suffix)


def _sf_ref(sobject: str, record_id: str, mapper: Mapper) -> SfRef | None:
    try:
        named = SfObject(sobject)
    except ValueError:
        return None
    # A custom object's records are the vendors of the flow that reads it (`source:`), or the
    # credit memos of the refund flow when that flow reads it (its main role).
    refund = mapper.flows.flows.get(REFUND_FLOW)
    main = not named.custom or (refund is not None and refund.source == sobject)
    return SfRef(named, record_id, Role.MAIN if main else Role.VENDOR)


def _held(status: DecodedStatus) -> str:
    """The action of a write the org refused: held, in the org's own words when it gave any."""
    said = f" - Salesforce says: {status.message}" if status.message else ""
    return f"held: a person must act{said}"
