"""A dry run of a cycle: what the next sync would create, update, skip or hold, and why.

`preview` reads the same inputs as `SyncRunner.gather` and `start` (Salesforce's changes since
the checkpoints inside each flow's filter, the due queue rows of the flows that are on) and
plans them like `Cycle` does, but writes nothing: no queue rows, checkpoints, runs, attempts
or bindings, and nothing on either side. The changed records a flow's filter leaves out are
listed too, as "outside filter", so a company sees what its filter does before a cycle runs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sfqb.domain.entities import QbRef, SfObject, SfRef
from sfqb.jobs.gateway import SalesforceSource
from sfqb.jobs.gather import payload_fingerprint, salesforce_since, select_flows
from sfqb.mapping import Mapped, Mapper, MappingChange, MappingInputError, Owner, RecordNotEligible
from sfqb.mapping.soql import Condition, render
from sfqb.store import QueueItem, QueueStatus, Store
from sfqb.sync.credits import sale_kind
from sfqb.sync.fields import changed_fields, references
from sfqb.sync.ownership import writable
from sfqb.sync.plan import Action, Change, plan
from sfqb.sync.records import ORDER_FLOW, Direction, flow_sources, sf_ref
from sfqb.sync.target import TargetProfile

# Where the runner starts reading a stream that has no checkpoint yet.
_OPPORTUNITY_FLOW = "opportunity_to_invoice"


class PreviewAction(StrEnum):
    """What the next cycle would do with a record."""

    CREATE = "create"
    UPDATE = "update"
    SKIP = "skip"
    WAIT = "wait"
    NOT_ELIGIBLE = "not eligible"
    REFUSED = "refused"
    OUTSIDE = "outside filter"


_ACTIONS = {
    Action.ADD: PreviewAction.CREATE,
    Action.MOD: PreviewAction.UPDATE,
    Action.SKIP: PreviewAction.SKIP,
    Action.WAIT: PreviewAction.WAIT,
}


@dataclass(frozen=True, slots=True)
class PreviewItem:
    """One Salesforce record in the dry run."""

    record: SfRef
    flow: str
    action: PreviewAction
    reason: str
    name: str = ""
    qb: QbRef | None = None
    changes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "record": str(self.record),
            "sobject": self.record.sobject.value,
            "id": self.record.id,
            "name": self.name,
            "flow": self.flow,
            "action": self.action.value,
            "reason": self.reason,
            "quickbooks": str(self.qb) if self.qb else None,
            "changes": list(self.changes),
        }


def describe_change(change: MappingChange) -> str:
    """One mapping change in words, e.g. `Name: 'A very long…' -> 'A very' (max_length)`."""
    return f"{change.field}: {change.original!r} -> {change.sent!r} ({change.rule})"


def preview(
    store: Store,
    salesforce_source: SalesforceSource,
    mapper: Mapper,
    company: str,
    flows: Sequence[str] | None = None,
    *,
    profile: TargetProfile,
    now: datetime | None = None,
    transaction_type: str | None = None,
) -> list[PreviewItem]:
    """What a cycle of `company` would do now, in plan order, then the records it would not map
    and those outside their flow's filter.

    Reads Salesforce through `salesforce_source` (never enqueues), adds the due queue rows and
    plans them against the stored bindings (`profile`: the company's target). Flows switched
    off (in the console, or by the config file) are left out. An opportunity becomes the
    flow's target kind (the company's, from `mapper`) unless `transaction_type` says otherwise.
    Writes nothing.
    """
    configured = mapper.flows.flows
    defaults_off = [n for n, f in configured.items() if not f.enabled]
    off = store.flow_settings.disabled(company, defaults_off)
    sources = flow_sources(mapper.flows)
    chosen = tuple((f, o) for f, o in select_flows(flows, sources) if f not in off)
    now = now or datetime.now(UTC)
    outside: list[PreviewItem] = []
    pending = _pending(
        store, salesforce_source, company, chosen, now=now, mapper=mapper, outside=outside
    )
    items: list[PreviewItem] = []
    mapped: dict[SfRef, tuple[str, Mapping[str, Any], Mapped]] = {}
    for ref, (flow, payload) in pending.items():
        # An Opportunity of the company's credit type is previewed as the credit memo it becomes.
        kind = (
            sale_kind(payload, mapper.policy, transaction_type)
            if flow == _OPPORTUNITY_FLOW
            else None
        )
        if flow == ORDER_FLOW:  # an Order's kind is the company's order_target
            kind = mapper.policy.order_target.value
        name = str(payload.get("Name") or payload.get("OrderNumber") or "")
        try:
            mapped[ref] = (flow, payload, mapper.map(flow, payload, kind=kind))
        except RecordNotEligible as exc:
            items.append(PreviewItem(ref, flow, PreviewAction.NOT_ELIGIBLE, exc.reason, name))
        except MappingInputError as exc:
            items.append(PreviewItem(ref, flow, PreviewAction.REFUSED, str(exc), name))
    changes = [
        Change(ref, m.fingerprint, tuple(references(m.fields)), profile.kind_of(m.kind))
        for ref, (_, _, m) in mapped.items()
    ]
    planned: list[PreviewItem] = []
    for op in plan(company, changes, store.bindings).operations:
        flow, payload, result = mapped[op.sf]
        action, reason = _ACTIONS[op.action], op.reason
        if op.action is Action.MOD:
            action, reason = _update(store, mapper, company, op.sf, flow=flow, result=result)
        planned.append(
            PreviewItem(
                op.sf,
                flow,
                action,
                reason,
                str(payload.get("Name") or ""),
                op.qb,
                tuple(describe_change(c) for c in result.changes),
            )
        )
    return planned + items + outside


def _pending(
    store: Store,
    source: SalesforceSource,
    company: str,
    chosen: tuple[tuple[str, SfObject], ...],
    *,
    now: datetime,
    mapper: Mapper,
    outside: list[PreviewItem],
) -> dict[SfRef, tuple[str, Mapping[str, Any]]]:
    """The records a cycle would work on, as `gather` then `start` would find them; the
    changed records a flow's filter leaves out are added to `outside`."""
    pending: dict[SfRef, tuple[str, Mapping[str, Any]]] = {}
    for flow, sobject in chosen:
        since = salesforce_since(store, source, company, sobject.value)
        where = mapper.flows[flow].where
        payloads = _read(source, flow, sobject, since, where=where, outside=outside)
        out = mapper.kept_out(flow)  # the vendor rule's Accounts are no new customers
        vendors = (
            {str(p["Id"]) for p in source.read(sobject.value, since, out)[0]} if out else set()
        )
        for payload in payloads:
            ref = sf_ref(flow, sobject, str(payload["Id"]))
            if ref.id in vendors and not store.bindings.by_sf(company, ref):
                continue
            row = store.queue.get(company, flow, ref)
            # enqueue() leaves a row with the same fingerprint as it is unless it is pending.
            if (
                row is None
                or row.fingerprint != payload_fingerprint(payload)
                or row.status
                in (
                    QueueStatus.PENDING,
                    QueueStatus.INFLIGHT,
                )
            ):
                pending[ref] = (flow, payload)
    # A record one flow of its object leaves out and another takes (an Account that is not a
    # vendor) is not "outside": only what no flow takes is, once (its first flow's filter).
    seen = {(ref.sobject, ref.id) for ref in pending}
    kept = []
    for item in outside:
        if (item.record.sobject, item.record.id) not in seen:
            seen.add((item.record.sobject, item.record.id))
            kept.append(item)
    outside[:] = kept
    names = {f for f, _ in chosen}
    rows: list[QueueItem] = store.queue.due(company, now)
    rows += [r for r in store.queue.open_items(company) if r.status is QueueStatus.INFLIGHT]
    for row in rows:
        if (
            row.direction is Direction.SF_TO_QB
            and row.flow in names
            and isinstance(row.source, SfRef)
            and row.source not in pending
        ):
            pending[row.source] = (row.flow, row.payload)
    return pending


def _read(
    source: SalesforceSource,
    flow: str,
    sobject: SfObject,
    since: Mapping[str, datetime],
    *,
    where: Condition | None,
    outside: list[PreviewItem],
) -> list[dict[str, Any]]:
    """A flow's changed records inside its filter; those it leaves out go to `outside`."""
    if where is None:
        return source.read(sobject.value, since)[0]
    payloads, _ = source.read(sobject.value, since, where)
    kept = {str(p["Id"]) for p in payloads}
    reason = f"outside the flow's filter: {render(where)}"
    for payload in source.read(sobject.value, since)[0]:
        if str(payload["Id"]) not in kept:
            ref, name = sf_ref(flow, sobject, str(payload["Id"])), str(payload.get("Name") or "")
            outside.append(PreviewItem(ref, flow, PreviewAction.OUTSIDE, reason, name))
    return payloads


def _update(
    store: Store, mapper: Mapper, company: str, sf: SfRef, *, flow: str, result: Mapped
) -> tuple[PreviewAction, str]:
    """An update names the fields it would send; with none left it is a skip."""
    binding = store.bindings.by_sf(company, sf)
    if binding is None:  # planning saw it bound; it cannot have gone in a dry run
        return PreviewAction.UPDATE, "changed since the last sync"
    allowed = writable(mapper.flows[flow], Owner.SALESFORCE, True)
    fields = changed_fields(result.fields, binding.sf_values, allowed)
    if not fields:
        return PreviewAction.SKIP, "no field Salesforce owns changed since the last sync"
    return PreviewAction.UPDATE, f"changed since the last sync: {', '.join(sorted(fields))}"
