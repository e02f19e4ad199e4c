"""Salesforce Ids people paste into the binding field in QuickBooks (the article's fix for 3100).

A customer or item the read step reports whose binding field (`Marking.field`: SalesforceID, or
an existing field such as AccountID) holds a value other than its binding is a person's paste;
sfqb's own marker (the value is the binding's Id, in either form) never is. When the read step
is over:

- a value that is not a Salesforce Id, or the Id of another object (its key prefix), binds
  nothing; a well-formed Id of an object sfqb reads is read from Salesforce first: the cycle
  names the records it wants (`wanted`) and waits; its driver reads them through the Salesforce
  gateway and hands the payloads back (`take`) before the plan is made;
- an existing record of the right object (Customer - Account, Vendor - Account as a vendor,
  Item - Product2), both sides free: bound; the record joins the cycle, so its values go to
  QuickBooks like any bound record's (QuickBooks' name stays), and its Id field is written
  back (QuickBooks_ID__c, or QuickBooks_Vendor_ID__c);
- anything else (no such record, either side bound elsewhere) binds nothing: a problem whose
  subject is the QuickBooks record (the value is on it), with both records' values.

The runner turns problems into review items (one per record and value), closes them when the
field is cleared or corrected (`fine`), and closes the open items of both records of a binding.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sfqb.domain.bindings import BindingError
from sfqb.domain.entities import QbRef, Role, SfObject, SfRef, targets_of
from sfqb.domain.sfid import is_id, normalize, same_id, sobject_of
from sfqb.domain.status import DecodedStatus, System
from sfqb.sync.fields import found_binding
from sfqb.sync.marking import list_of
from sfqb.sync.ops import QbRecord
from sfqb.sync.records import FLOW_OF, VENDOR_FLOW, PendingChange, flow_of, modstamp_of

if TYPE_CHECKING:
    from sfqb.sync.cycle import Cycle

PASTE_CODE = "BINDING_FIELD_REFUSED"  # the transport code of a paste that binds nothing
OBJECT_OF_LIST = {
    "Customer": SfObject.ACCOUNT,
    "Vendor": SfObject.ACCOUNT,  # an Account in its vendor role
    "Item": SfObject.PRODUCT2,
}
ROLE_OF_LIST = {"Vendor": Role.VENDOR}  # the others: the main role


@dataclass(frozen=True, slots=True)
class PasteProblem:
    """A pasted value that binds nothing: the QuickBooks record, the value, why, the evidence."""

    qb: QbRef
    flow: str
    value: str
    status: DecodedStatus
    reason: str
    evidence: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True, slots=True)
class PasteBound:
    """A binding made from a pasted Id, in words for the review items it resolves."""

    sf: SfRef
    qb: QbRef
    done: str


@dataclass(frozen=True, slots=True)
class _Seen:
    record: QbRecord
    value: str
    status: DecodedStatus  # of the read that reported it


class Pastes:
    """The pasted Ids of one cycle's read step, and what became of them."""

    def __init__(self, cycle: Cycle) -> None:
        self._cycle = cycle
        self._seen: dict[QbRef, _Seen] = {}
        self._asking: dict[QbRef, SfRef] = {}
        self.wanted: frozenset[SfRef] = frozenset()
        self.problems: list[PasteProblem] = []
        self.bound: list[PasteBound] = []
        self.joined: list[SfRef] = []  # Salesforce records read for a binding, now in the cycle
        self.fine: set[QbRef] = set()  # records seen whose field is empty or their binding's

    def seen(self, record: QbRecord, status: DecodedStatus) -> None:
        """A list record the change reads reported (the last version read counts)."""
        marking = self._cycle.marking
        profile = self._cycle.profile
        list_type = list_of(profile, record.qb_type)
        if marking.field is None or list_type not in marking.lists:
            return
        value = str(record.custom.get(marking.field) or "").strip()
        self._seen[QbRef(profile.kind_of(record.qb_type), record.id)] = _Seen(record, value, status)

    def check(self) -> bool:
        """Settle what needs no Salesforce read; True when Salesforce records are `wanted`."""
        cycle, wanted = self._cycle, set()
        for qb, seen in self._seen.items():
            binding = cycle.bindings.by_qb(cycle.company, qb)
            if not seen.value or (binding is not None and same_id(seen.value, binding.sf.id)):
                self.fine.add(qb)
                continue
            sobject = sobject_of(seen.value, cycle.key_prefixes) if is_id(seen.value) else None
            if sobject is None:
                self._decide(qb, seen, None, None)
                continue
            sf = SfRef(sobject, normalize(seen.value), self._role(seen.record))
            if sf in cycle.changes:
                self._decide(qb, seen, sf, cycle.changes[sf].payload)
            else:
                self._asking[qb] = sf
                wanted.add(sf)
        self.wanted = frozenset(wanted)
        return bool(wanted)

    def take(self, found: Mapping[SfRef, Mapping[str, Any]]) -> None:
        """The wanted records Salesforce has (missing ones left out), read by the driver."""
        for qb, sf in self._asking.items():
            self._decide(qb, self._seen[qb], sf, found.get(sf))
        self._asking.clear()

    def unread(self) -> None:
        """The driver did not read them: decided next cycle (the records are read again)."""
        self._asking.clear()
        self._cycle.reading.complete = False

    # -- deciding --------------------------------------------------------------------------

    def _decide(
        self, qb: QbRef, seen: _Seen, sf: SfRef | None, payload: Mapping[str, Any] | None
    ) -> None:
        cycle, record = self._cycle, seen.record
        expected = self._expected(record)
        problem = self._problem(qb, seen, sf, expected, payload)
        if problem or sf is None or payload is None:
            self._refuse(qb, seen, expected, problem, payload)
            return
        if sf not in cycle.changes:
            cycle.join(PendingChange(flow_of(sf), sf, payload, modstamp_of(payload)))
            self.joined.append(sf)
        # The person chose this QuickBooks record: its name stays (a suffixed one too).
        binding = found_binding(
            cycle.company,
            sf,
            record,
            cycle.clock(),
            kind=qb.kind,
            name_field=cycle.name_field(sf),
            mapped_name=cycle.mapped_name(sf),
        )
        try:
            cycle.bindings.bind(binding)
        except BindingError as exc:
            self._refuse(qb, seen, expected, str(exc), payload)
            return
        how = f"bound by the {self._field} field set in QuickBooks"
        cycle.log(sf, "bind", seen.status, f"{how}: {qb} {record.name or ''}".rstrip(), qb)
        self.bound.append(PasteBound(sf, qb, f"{how}: Salesforce {sf} to QuickBooks {qb}"))
        self.fine.add(qb)

    def _problem(
        self,
        qb: QbRef,
        seen: _Seen,
        sf: SfRef | None,
        expected: SfObject,
        payload: Mapping[str, Any] | None,
    ) -> str:
        """Why the pasted value binds nothing ("" when it binds)."""
        cycle, value = self._cycle, seen.value
        if not is_id(value):
            return "that is not a Salesforce Id (15 or 18 letters and digits, as in its URL)"
        if sf is None or sf.sobject is not expected:
            what = f"an {sf.sobject.value}" if sf is not None else f"key prefix {value[:3]}"
            return f"that is the Id of {what}, not of an {expected.value}"
        if payload is None:
            return f"Salesforce has no {expected.value} {sf.id} (deleted, or never there)"
        other = cycle.bindings.by_qb(cycle.company, qb)
        if other is not None:
            return f"QuickBooks {qb} is bound to Salesforce {other.sf}"
        elsewhere = cycle.bindings.by_sf(cycle.company, sf)
        if elsewhere is not None:
            return f"Salesforce {sf} is bound to QuickBooks {elsewhere.qb}"
        return ""

    def _expected(self, record: QbRecord) -> SfObject:
        """The Salesforce object a list's binding field names: a vendor's is the vendor flow's
        source (Account, or the company's custom object)."""
        if self._role(record) is Role.VENDOR:
            return SfObject(self._cycle.mapper.flows[VENDOR_FLOW].source)
        return OBJECT_OF_LIST[str(list_of(self._cycle.profile, record.qb_type))]

    def _role(self, record: QbRecord) -> Role:
        """The role of the Salesforce record a list's binding field names (a vendor's: the
        Account as a vendor)."""
        return ROLE_OF_LIST.get(str(list_of(self._cycle.profile, record.qb_type)), Role.MAIN)

    @property
    def _field(self) -> str:
        return self._cycle.marking.field or "binding"

    def _refuse(
        self,
        qb: QbRef,
        seen: _Seen,
        expected: SfObject,
        problem: str,
        payload: Mapping[str, Any] | None,
    ) -> None:
        cycle, record = self._cycle, seen.record
        named = f' "{record.name}"' if record.name else ""
        reason = (
            f"{self._field} set to {seen.value} in QuickBooks on {qb}{named}, but {problem}; "
            "nothing was bound"
        )
        status = cycle.catalog.decode(System.TRANSPORT, PASTE_CODE, reason)
        bound = cycle.bindings.by_qb(cycle.company, qb)
        rows: tuple[Mapping[str, Any], ...] = (
            {
                "side": "QuickBooks", "qb_id": record.id, "type": record.qb_type,
                "name": record.name, "bound_to": bound.sf.id if bound else None,
                "state": f"{self._field} = {seen.value}", "value": seen.value,
            },
            {
                "side": "Salesforce", "qb_id": payload.get("QuickBooks_ID__c") if payload else None,
                "type": _sobject_name(cycle, seen.value),
                "name": payload.get("Name") if payload else None,
                "bound_to": _bound_qb(cycle, seen.value, self._role(record)),
                "state": "in Salesforce" if payload is not None else "not found",
            },
        )  # fmt: skip
        role = self._role(record)
        flow = VENDOR_FLOW if role is Role.VENDOR else FLOW_OF[expected]
        self.problems.append(PasteProblem(qb, flow, seen.value, status, reason, rows))
        cycle.log(None, "bind", status, f"on the review list: {reason}", qb)


def _sobject_name(cycle: Cycle, value: str) -> str | None:
    sobject = sobject_of(value, cycle.key_prefixes) if is_id(value) else None
    return sobject.value if sobject is not None else None


def _bound_qb(cycle: Cycle, value: str, role: Role) -> str | None:
    sobject = sobject_of(value, cycle.key_prefixes) if is_id(value) else None
    if sobject is None or not targets_of(sobject, role):
        return None
    binding = cycle.bindings.by_sf(cycle.company, SfRef(sobject, normalize(value), role))
    return binding.qb.id if binding is not None else None
