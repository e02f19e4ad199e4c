"""Transactions that name a customer or item QuickBooks has inactive.

QuickBooks does not take a transaction for an inactive name (the sandbox answers 3140, see
`sfqb.sandbox.qbd.books.check_active`). The cycle reads the bound customers and items its
pending transactions name (by ListID, which returns inactive records too: ActiveStatus belongs
to the ListFilter of qbxml120.xsd only), and before a transaction names an inactive one the
company's `on_inactive` policy decides: `reactivate` sends a Mod with the
profile's active flag (IsActive, QuickBooks Online's Active) true first,
`review` puts the transaction on the review list naming the inactive record.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from sfqb.domain.bindings import Binding
from sfqb.domain.entities import QbRef
from sfqb.domain.policy import OnInactive
from sfqb.domain.status import DecodedStatus, System
from sfqb.sync.fields import qb_refs, references
from sfqb.sync.inbound import TRANSACTION_TYPES
from sfqb.sync.ops import Pair, QbAction, QbOp, QbRecord, QbResult

if TYPE_CHECKING:
    from sfqb.sync.cycle import Cycle


@dataclass(slots=True)
class _Reactivation:
    """One inactive record being made active, and the transactions waiting for it."""

    record: QbRecord
    waiting: list[QbOp] = field(default_factory=list)


class Inactive:
    """The inactive customers and items of one cycle, and what the policy does about them."""

    def __init__(self, cycle: Cycle) -> None:
        self._cycle = cycle
        # Keyed by kind and id: QuickBooks Online numbers each entity on its own (Customer 1
        # and Item 1 are two records), QuickBooks Desktop's ListIDs are unique anyway.
        self._inactive: dict[QbRef, QbRecord] = {}
        self._reactivating: dict[QbRef, _Reactivation] = {}

    def ops(self) -> list[Pair]:
        """One read per list type of the bound records the changed transactions name."""
        cycle = self._cycle
        wanted: dict[str, set[str]] = {}
        for sf, mapped in cycle.canonical.items():
            own = cycle.bindings.by_sf(cycle.company, sf)
            if mapped.kind not in TRANSACTION_TYPES or (
                own and own.fingerprint == mapped.fingerprint
            ):
                continue
            for parent in references(mapped.fields):
                binding = cycle.bindings.by_sf(cycle.company, parent)
                if binding is not None:
                    qb_type = cycle.profile.read_type_of(binding.qb.kind)
                    wanted.setdefault(qb_type, set()).add(binding.qb.id)
        return [
            (QbOp("", QbAction.READ, qb_type, ids=tuple(sorted(ids))), self._read)
            for qb_type, ids in wanted.items()
        ]

    def _read(self, _op: QbOp, result: QbResult) -> None:
        for record in result.records:
            self.seen(record)

    def _key(self, record: QbRecord) -> QbRef:
        return QbRef(self._cycle.profile.kind_of(record.qb_type), record.id)

    def seen(self, record: QbRecord) -> None:
        """Note a customer or item as QuickBooks has it now."""
        if not self._cycle.profile.binds(record.qb_type):
            return
        if record.fields.get(self._cycle.profile.active_field) is False:
            self._inactive[self._key(record)] = record
        else:
            self._inactive.pop(self._key(record), None)

    def held(self, op: QbOp) -> bool:
        """True when `op` names an inactive record: it is reviewed, or sent after the record
        is made active again (by the company's policy)."""
        refs = qb_refs(op.fields)
        named = [self._inactive[r] for r in sorted(refs, key=str) if r in self._inactive]
        if not named or op.sf is None:
            return False
        cycle = self._cycle
        if cycle.policy.on_inactive is OnInactive.REVIEW:
            record = named[0]
            status = self.status(record)
            cycle.review(
                op.sf,
                status,
                f'{_what(record)} "{record.name or record.id}" is inactive in QuickBooks',
                op.action.value,
                {"qb_id": record.id, "type": record.qb_type, "name": record.name, "inactive": True},
            )
            return True
        for record in named:
            self._reactivate(record, op)
        return True

    def status(self, record: QbRecord) -> DecodedStatus:
        """The decoded status that names an inactive record."""
        message = f'The {_what(record)} "{record.name or record.id}" is inactive in QuickBooks'
        return self._cycle.catalog.decode(System.TRANSPORT, "PARENT_INACTIVE", message)

    def _reactivate(self, record: QbRecord, op: QbOp) -> None:
        pending = self._reactivating.get(self._key(record))
        if pending is not None:
            pending.waiting.append(op)
            return
        pending = self._reactivating[self._key(record)] = _Reactivation(record, [op])
        binding = self._cycle.bindings.by_qb(
            self._cycle.company, QbRef(self._cycle.profile.kind_of(record.qb_type), record.id)
        )
        mod = QbOp(
            "",
            QbAction.MOD,
            record.qb_type,
            qb_id=record.id,
            version=record.version,
            fields={self._cycle.profile.active_field: True},
        )
        self._cycle.ask(mod, lambda _op, result: self._reactivated(pending, result, binding))

    def _reactivated(
        self, pending: _Reactivation, result: QbResult, binding: Binding | None
    ) -> None:
        cycle, record = self._cycle, pending.record
        fresh = result.records[0] if result.ok and result.records else None
        if fresh is None:
            for op in pending.waiting:
                assert op.sf is not None
                cycle.review(
                    op.sf,
                    result.status,
                    f'{_what(record)} "{record.name or record.id}" is inactive in QuickBooks '
                    "and could not be made active",
                    op.action.value,
                    {"qb_id": record.id, "type": record.qb_type, "name": record.name},
                )
            return
        self._inactive.pop(self._key(record), None)
        if binding is not None:  # its next Mod needs the new edit sequence
            cycle.bindings.update(replace(binding, version=fresh.version))
        for op in pending.waiting:
            assert op.sf is not None
            cycle.log(
                op.sf,
                op.action.value,
                self.status(record),
                f'made {_what(record)} "{record.name or record.id}" active again in QuickBooks '
                "(on_inactive: reactivate) before sending",
            )
            cycle.ask(op, first=False)


def _what(record: QbRecord) -> str:
    return record.qb_type if record.qb_type in ("Customer", "Vendor") else "Item"
