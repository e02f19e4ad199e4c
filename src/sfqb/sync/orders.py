"""What the Salesforce Order flow adds to a cycle: the kind its company setting chooses, checked
before anything is sent, and no change sent to a QuickBooks document that is already closed.

- A kind the target cannot take (QuickBooks Online has no sales orders) holds every order for
  the company with one message (the preflight file's `kinds.<kind>.refused`).
- A kind the target may lack (sales orders: Desktop Premier and Enterprise, with the
  preference on) is checked at the start of the cycle: the edition HostQuery names and a
  one-record query of the kind (3250 when off) set the preferences the preflight's features
  read, so the orders are held with the exact setting to change.
- A change of a bound order (edited while a draft, or a reduction order activated) is a Mod
  with every line (the order's products as they now stand). Before it goes, the document is
  read: when the preflight's `closed` rules say it is invoiced, paid or closed, the order goes
  to the review list with why, and nothing is sent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from sfqb.domain.status import Category, System
from sfqb.sync.ops import QbAction, QbOp, QbRecord, QbResult
from sfqb.sync.preflight import preflight
from sfqb.sync.records import ORDER_FLOW, PendingChange

if TYPE_CHECKING:
    from sfqb.sync.cycle import Cycle

Pair = tuple[QbOp, Callable[[QbOp, QbResult], None]]


class Orders:
    """The order flow's checks for one cycle."""

    def __init__(self, cycle: Cycle) -> None:
        self._cycle = cycle
        self._facts = preflight(cycle.profile.preflight)
        self.lift_stale()

    def refused(self, change: PendingChange) -> bool:
        """Hold `change` when its flow's kind setting names a kind the target's map lacks."""
        cycle = self._cycle
        kind = cycle.kind_for(change)
        flow = cycle.mapper.flows[change.flow]
        if change.flow != ORDER_FLOW or kind is None or kind in flow.kinds:
            return False
        spec = dict(self._facts.get("kinds", {}).get(kind) or {})
        offered = ", ".join(flow.kinds)
        message = " ".join(
            str(
                spec.get("refused") or f"This QuickBooks has no {kind}: use one of {offered}."
            ).split()
        )
        status = cycle.catalog.decode(System.TRANSPORT, "KIND_REFUSED", message)
        cycle.holds.refuse(f"{kind}:add", status, message, change.sf)
        return True

    def lift_stale(self) -> None:
        """Lift the company holds of a kind the setting no longer chooses (order_target
        changed from SalesOrder to Invoice: its hold has no record left to test it)."""
        holds = self._cycle.holds
        chosen = self._cycle.policy.order_target.value
        for key in list(holds.blocks):
            kind = key.split(":")[0].split("[")[0]
            if kind in (self._facts.get("kinds") or {}) and kind != chosen:
                holds.cleared.add(key)

    def reading_ops(self) -> list[Pair]:
        """The edition and the probe of every kind the cycle's records map to that needs them."""
        cycle = self._cycle
        wanted = {m.kind for m in cycle.canonical.values()}
        pairs: list[Pair] = []
        for kind, spec in dict(self._facts.get("kinds") or {}).items():
            if kind not in wanted:
                continue
            editions = spec.get("editions")
            if editions:
                pairs.append((QbOp("", QbAction.READ_FIELD_SLOTS, "Host"), self._edition(editions)))
            probe = spec.get("probe")
            if probe:
                op = QbOp("", QbAction.READ_CHANGED, kind, since=cycle.clock())
                pairs.append((op, self._probe(str(probe))))
        return pairs

    def _edition(self, spec: Mapping[str, Any]) -> Callable[[QbOp, QbResult], None]:
        def then(_op: QbOp, result: QbResult) -> None:
            if result.ok and result.records:
                edition = result.records[0].id
                self._cycle.holds.note(str(spec["preference"]), edition in spec["have"])

        return then

    def _probe(self, preference: str) -> Callable[[QbOp, QbResult], None]:
        def then(_op: QbOp, result: QbResult) -> None:
            if result.ok:
                self._cycle.holds.note(preference, True)
            elif result.status.category is Category.FEATURE_OFF:  # not on, or not this edition
                self._cycle.holds.note(preference, False)

        return then

    def guarded(self, mod: QbOp) -> bool:
        """Send an order's Mod only after a read says its document is still open (True: the
        read was asked for and the Mod follows it, or not)."""
        cycle = self._cycle
        change = cycle.changes.get(mod.sf) if mod.sf is not None else None
        rules = [r for r in self._facts.get("closed") or () if r["kind"] == mod.qb_type]
        if change is None or change.flow != ORDER_FLOW or not rules:
            return False
        read = replace(mod, action=QbAction.READ, ids=(mod.qb_id or "",), fields={})
        cycle.ask(read, self._then_send(mod, rules), first=False)
        return True

    def _then_send(
        self, mod: QbOp, rules: Sequence[Mapping[str, Any]]
    ) -> Callable[[QbOp, QbResult], None]:
        cycle = self._cycle
        fresh_version = cycle.remedies.with_fresh_version(mod)

        def then(op: QbOp, result: QbResult) -> None:
            fresh = next((r for r in result.records if r.id == mod.qb_id), None)
            reason = closed_reason(fresh, rules) if fresh is not None else None
            if reason is None or mod.sf is None:
                fresh_version(op, result)
                return
            name = (fresh.name if fresh is not None else None) or mod.qb_id
            sent = ", ".join(sorted(mod.fields))
            detail = f"{mod.qb_type} {name}: {reason}; the order's change ({sent}) was not sent"
            status = cycle.catalog.decode(System.TRANSPORT, "DOCUMENT_CLOSED", detail)
            details = {"qb_type": mod.qb_type, "qb_id": mod.qb_id, "closed": reason}
            cycle.review(mod.sf, status, detail, mod.action.value, details)

        return then


def closed_reason(record: QbRecord, rules: Sequence[Mapping[str, Any]]) -> str | None:
    """Why a read document counts as closed by the preflight's `closed` rules (None: open)."""
    fields = record.fields
    for rule in rules:
        if "field" in rule and _truthy(fields.get(rule["field"])):
            return str(rule["reason"])
        if "below" in rule:
            low, high = (_number(fields.get(name)) for name in rule["below"])
            if low is not None and high is not None and low < high:
                return str(rule["reason"])
        equals = rule.get("equals") or {}
        if equals and all(str(fields.get(k)) == str(v) for k, v in equals.items()):
            return str(rule["reason"])
    return None


def _truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    number = _number(value)
    if number is not None:
        return number != 0
    return bool(value)


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None or isinstance(value, list | tuple | dict):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None
