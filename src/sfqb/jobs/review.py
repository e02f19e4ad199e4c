"""The review list as a person works it: what each item is about, and how to settle it.

A record item (a Salesforce record sfqb could not sync by itself) is settled one of three
ways: bind it to a QuickBooks record, re-create it, or ignore it; `rename` is the fourth for a
name QuickBooks already has. A company item (a preference or permission holding a whole kind
of record) closes by itself when QuickBooks accepts a probe, or a person ignores it.
Settling an item closes it, makes the record's queue row due (or done, when ignored) and
resolves the item's alert.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sfqb.codes import Catalog
from sfqb.domain.entities import QbKind, QbRef, SfObject, SfRef, default_qb_kind
from sfqb.domain.policy import MatchRule
from sfqb.domain.status import DecodedStatus
from sfqb.jobs.bindings import AlertResolver, BindingDesk, Resolution, pending_text, qb_of
from sfqb.jobs.bindings import sf_of as _sf_of
from sfqb.jobs.comparison import CandidateView, compare_candidates
from sfqb.jobs.gateway import SalesforceSource
from sfqb.jobs.gather import payload_fingerprint
from sfqb.jobs.persist import BLOCK_SOURCE
from sfqb.jobs.person_acts import person_act
from sfqb.store import ConnectionSystem, QueueItem, QueueStatus, ReviewItem, ReviewStatus, Store
from sfqb.sync.records import BindOrigin, BindRequest, Direction, SfWrite, flow_of
from sfqb.sync.target import TargetProfile

_NAMED = (SfObject.ACCOUNT, SfObject.PRODUCT2)  # the records whose Name becomes QuickBooks' name


class ReviewError(ValueError):
    """A review request that cannot be carried out as asked; the text is one line."""


class RenameRefused(Exception):
    """Salesforce refused the new name; `status` is its decoded answer."""

    def __init__(self, sf: SfRef, status: DecodedStatus) -> None:
        super().__init__(f"Salesforce refused to rename {sf}: {status.code} {status.title}")
        self.sf = sf
        self.status = status


class NameStillTaken(ReviewError):
    """Re-creating would clash with the same QuickBooks name again; nothing was written."""

    def __init__(self, item: ReviewItem, name: str | None, taken: Sequence[Mapping[str, Any]]):
        shown = ", ".join(f"{c.get('type') or 'record'} {c.get('qb_id')}" for c in taken)
        super().__init__(
            f"QuickBooks still has the name {name or item.source_id!r} ({shown}): adding the "
            "record again would fail the same way"
        )
        self.item, self.name, self.taken = item, name, list(taken)


class Evidence(StrEnum):
    """What a review item's evidence is."""

    CANDIDATES = "candidates"  # 3100 / 6240: QuickBooks records with the same name
    CONFLICTS = "conflicts"  # 3200 / 5010: a field both sides changed
    DELETION = "deletion"  # 3120 / 610: the bound record is gone
    BINDING = "binding"  # a binding change asked for: the Salesforce record, bound, asked for
    HISTORY = "history"  # a transient failure past the last attempt
    OTHER = "other"
    NONE = "none"


_SHAPES: tuple[tuple[Evidence, frozenset[str]], ...] = (
    (Evidence.CANDIDATES, frozenset({"qb_id", "matches_rule"})),
    (Evidence.CONFLICTS, frozenset({"field", "salesforce", "quickbooks"})),
    (Evidence.HISTORY, frozenset({"at", "code"})),
    (Evidence.BINDING, frozenset({"side", "qb_id"})),
    (Evidence.DELETION, frozenset({"qb_id"})),
)


def evidence_kind(evidence: Sequence[Any]) -> Evidence:
    """Which kind of evidence a review item holds, from the shape the runner stored."""
    if not evidence:
        return Evidence.NONE
    first = evidence[0]
    if not isinstance(first, Mapping):
        return Evidence.OTHER
    return next((kind for kind, keys in _SHAPES if keys <= set(first)), Evidence.OTHER)


@dataclass(frozen=True, slots=True)
class ReviewEntry:
    """A review item with its decoded status, the record's name and its evidence."""

    item: ReviewItem
    status: DecodedStatus | None
    name: str | None
    evidence: Evidence
    pending: str | None = None  # a bind asked on the review list, waiting for QuickBooks
    comparison: tuple[CandidateView, ...] = ()  # the record beside each same-named candidate
    actions: tuple[str, ...] = ()  # what a person can do with it: bind, recreate, rename, ignore
    resolved_by: str | None = None  # a Salesforce user's edit that settled it, in words

    @property
    def is_company(self) -> bool:
        """True for a company-level message (a block), not one record's item."""
        return self.item.source_type == BLOCK_SOURCE

    def to_json(self) -> dict[str, Any]:
        """The item as `sfqb review --json` prints it."""
        item, status = self.item, self.status
        return {
            "id": item.id,
            "company": item.company,
            "kind": "company" if self.is_company else "record",
            "flow": item.flow,
            "record": None if self.is_company else f"{item.source_type}/{item.source_id}",
            "block": item.source_id if self.is_company else None,
            "name": self.name,
            "reason": item.reason,
            "code": f"{item.system}:{item.code}" if item.system and item.code else None,
            "title": status.title if status else None,
            "meaning": item.meaning or (status.meaning if status else None),
            "fix": list(status.fix) if status else [],
            "evidence_kind": self.evidence.value,
            "evidence": list(item.candidates),
            "pending": self.pending,
            "comparison": [c.to_json() for c in self.comparison],
            "actions": list(self.actions),
            "status": item.status.value,
            "resolution": item.resolution,
            "resolved_by": self.resolved_by,
            "closed_by": item.resolved_by,
            "assigned_to": item.assigned_to,
            "created_at": item.created_at.isoformat(),
            "resolved_at": item.resolved_at.isoformat() if item.resolved_at else None,
        }


class ReviewDesk:
    """Lists and settles review items; every collaborator is passed in.

    `profile_of` gives a company's target profile (the form its QuickBooks Ids take).
    """

    def __init__(
        self,
        store: Store,
        catalog: Catalog,
        alerts: AlertResolver,
        *,
        clock: Callable[[], datetime],
        profile_of: Callable[[str], TargetProfile],
        match_rule: Callable[[str], MatchRule] | None = None,
    ) -> None:
        self._store, self._catalog, self._clock = store, catalog, clock
        self._match_rule, self._profile_of = match_rule, profile_of
        # Binding by hand follows one rule whichever command asks (`sfqb bind`, --bind).
        self._bindings = BindingDesk(store, catalog, alerts, clock=clock, profile_of=profile_of)

    # -- reading ---------------------------------------------------------------------------

    def entries(
        self, companies: Iterable[str], *, include_closed: bool = False, limit: int = 500
    ) -> list[ReviewEntry]:
        """The items of these companies (open ones unless `include_closed`), oldest first."""
        found: list[ReviewEntry] = []
        status = None if include_closed else ReviewStatus.OPEN
        for company in companies:
            found += [self.entry(i) for i in self._store.review.items(company, status, limit=limit)]
        return found

    def entry(self, item: ReviewItem) -> ReviewEntry:
        """One item, decoded."""
        status = None
        if item.system is not None and item.code is not None:
            status = self._catalog.decode(item.system, item.code, item.reason)
        name = pending = None
        comparison: list[CandidateView] = []
        sf = _sf_of(item)
        if sf is not None:
            row = self._store.queue.get(item.company, item.flow, sf)
            value = row.payload.get("Name") if row is not None else None
            name = value if isinstance(value, str) else None
            asked = BindRequest.from_json(row.bind_request if row is not None else None)
            if asked is not None and asked.origin is BindOrigin.REVIEW:
                waits = pending_text(self._profile_of(item.company))
                pending = f"bind to {asked.qb_id} asked: {waits}"
            if evidence_kind(item.candidates) is Evidence.CANDIDATES:
                rule = self._match_rule(item.company) if self._match_rule else None
                payload = row.payload if row is not None else {}
                comparison = compare_candidates(payload, item.candidates, rule)
        elif qb_of(item) is not None and item.candidates:  # a QuickBooks record's own item
            first = item.candidates[0]
            value = first.get("name") if isinstance(first, Mapping) else None
            name = value if isinstance(value, str) else None
        kind = evidence_kind(item.candidates)
        actions = self.actions(item, kind)
        by = person_act(self._store, item, sf) if sf is not None else None
        return ReviewEntry(item, status, name, kind, pending, tuple(comparison), actions, by)

    def actions(self, item: ReviewItem, kind: Evidence) -> tuple[str, ...]:
        """What a person can do with an open item in this company: never an action the
        company cannot perform (a rename needs its Salesforce connection)."""
        sf = _sf_of(item)
        if item.status is not ReviewStatus.OPEN:
            return ()
        if sf is None:
            return ("ignore",)
        found = ["bind", "recreate", "ignore"]
        connected = self._store.connections.get(item.company, ConnectionSystem.SALESFORCE)
        if kind is Evidence.CANDIDATES and sf.sobject in _NAMED and connected is not None:
            found.insert(2, "rename")
        return tuple(found)

    def open_item(self, item_id: int, company: str | None = None) -> ReviewItem:
        """The open item `item_id` (of `company`, when given); ReviewError otherwise."""
        item = self._store.review.get(item_id)
        if item is None:
            raise ReviewError(f"no review item {item_id}; `sfqb review` lists the open ones")
        if company is not None and item.company != company:
            raise ReviewError(
                f"review item {item_id} belongs to company {item.company!r}, not {company!r}"
            )
        if item.status is not ReviewStatus.OPEN:
            raise ReviewError(f"review item {item_id} is already {item.status.value}")
        return item

    # -- settling --------------------------------------------------------------------------

    def bind(
        self, item_id: int, qb_id: str, company: str | None = None, *, by: str | None = None
    ) -> Resolution:
        """Bind the record to QuickBooks record `qb_id`.

        A candidate the item lists is bound at once (the next cycle sends the record's values
        to it). Any other Id is asked of the next cycle, which reads it from QuickBooks and
        binds it only if it exists, is free and is of the record's kind; the item stays open
        until then. InvalidQbId (nothing written) for an Id not of the company's QuickBooks'
        form (its target profile's);
        BindingConflict when `qb_id` is bound to another record, or the record to another
        QuickBooks record that still exists. `by` names the person who settled it.
        """
        item = self._record_item(item_id, company, "--bind")
        sf = _sf_of(item)
        assert sf is not None
        profile = self._profile_of(item.company)
        if not qb_id.strip():
            raise ReviewError(f"--bind needs {profile.ids.name}")
        qb_id = profile.check_id(qb_id)
        kind = _kind_for(item, sf, qb_id)
        if _listed(item, qb_id):
            bound = self._bindings.bind(item.company, sf, QbRef(kind, qb_id), by=by)
            return next(r for r in bound.resolved if r.item.id == item.id)
        profile.ids.cut_short(qb_id, self._known_ids(item))
        row = self._bindings.request(item.company, sf, kind, qb_id)
        asked = f"bind to QuickBooks {kind} {qb_id} asked: {pending_text(profile)}"
        return Resolution(item, row, asked)

    def recreate(
        self,
        item_id: int,
        company: str | None = None,
        *,
        rename_to: str | None = None,
        salesforce: SalesforceSource | None = None,
        anyway: bool = False,
        by: str | None = None,
    ) -> Resolution:
        """Clear the record's binding (if any); the next cycle adds it to QuickBooks afresh.

        An item whose name QuickBooks already has would fail the same way: NameStillTaken
        (nothing written) unless `rename_to` renames the record in Salesforce in the same step
        (through `salesforce`) or `anyway` (the QuickBooks record was renamed there).
        """
        item = self._record_item(item_id, company, "--recreate")
        sf = _sf_of(item)
        assert sf is not None
        if rename_to is not None:
            if salesforce is None:
                raise ReviewError("a rename needs the company's Salesforce connection")
            closed, _row = self.rename(item.company, sf, rename_to, salesforce, by=by)
            renamed = next((r for r in closed if r.item.id == item.id), None)
            if renamed is not None:
                return renamed
        elif not anyway and evidence_kind(item.candidates) is Evidence.CANDIDATES:
            taken = [c for c in item.candidates if isinstance(c, Mapping) and c.get("qb_id")]
            if taken:
                raise NameStillTaken(item, self.entry(item).name, taken)
        unbound = ""
        if self._store.bindings.by_sf(item.company, sf) is not None:
            old = self._store.bindings.unbind(item.company, sf)
            unbound = f"unbound it from QuickBooks {old.qb}; "
        row = self._requeue(item, sf)
        done = f"{unbound}the next cycle adds Salesforce {sf} to QuickBooks"
        return self._close(item, row, done, ReviewStatus.RESOLVED, by)

    def ignore(
        self, item_id: int, company: str | None = None, *, by: str | None = None
    ) -> Resolution:
        """Close the item as ignored; a record's row is done until it changes in Salesforce."""
        item = self.open_item(item_id, company)
        sf, qb = _sf_of(item), qb_of(item)
        row = None
        if qb is not None:
            done = f"ignored: sfqb leaves QuickBooks {qb} as it is until its binding field changes"
        elif sf is not None:
            row = self._store.queue.get(item.company, item.flow, sf)
            if row is not None and row.status is not QueueStatus.DONE:
                row = self._store.queue.mark(row.id, QueueStatus.DONE, now=self._clock())
            done = f"ignored: sfqb leaves Salesforce {sf} alone until it changes in Salesforce"
        else:
            done = (
                f"ignored the company message {item.source_id}: the records it set aside are tried "
                "again next cycle, and QuickBooks' answer decides whether it returns"
            )
        return self._close(item, row, done, ReviewStatus.IGNORED, by)

    def rename(
        self,
        company: str,
        sf: SfRef,
        name: str,
        salesforce: SalesforceSource,
        *,
        by: str | None = None,
    ) -> tuple[list[Resolution], QueueItem | None]:
        """Rename the record in Salesforce, close its open items, queue it under the new name.

        RenameRefused with the decoded status when Salesforce refuses the write (nothing else
        changes); connector errors (SalesforceError) propagate.
        """
        name = name.strip()
        if not name:
            raise ReviewError("the new name is empty")
        if sf.sobject not in _NAMED:
            raise ReviewError(
                f"{sf} is an {sf.sobject.value}: only Accounts and Products (Product2) are "
                "renamed; QuickBooks names nothing after an Opportunity"
            )
        flow = flow_of(sf)
        write = SfWrite(sf.sobject.value, sf.id, {"Name": name}, flow, Direction.SF_TO_QB)
        (result,) = salesforce.write([write])
        if not result.ok:
            raise RenameRefused(sf, result.statuses[0])
        row = self._store.queue.get(company, flow, sf)
        if row is not None and row.status is not QueueStatus.INFLIGHT:
            payload = {**row.payload, "Name": name}
            self._store.queue.enqueue(
                company, flow, Direction.SF_TO_QB, sf, payload=payload,
                fingerprint=payload_fingerprint(payload), now=self._clock(),
            )  # fmt: skip
            row = self._store.queue.requeue(row.id, now=self._clock())
        closed = [
            self._close(item, row, f'renamed in Salesforce to "{name}"', ReviewStatus.RESOLVED, by)
            for item in self._store.review.items(company)
            if _sf_of(item) == sf
        ]
        return closed, row

    # -- helpers ---------------------------------------------------------------------------

    def _record_item(self, item_id: int, company: str | None, option: str) -> ReviewItem:
        item = self.open_item(item_id, company)
        if item.source_type == BLOCK_SOURCE:
            raise ReviewError(
                f"review item {item_id} is a company message ({item.source_id}): it closes by "
                "itself once QuickBooks accepts one of the records set aside (sfqb sends one each "
                f"cycle to test); {option} does not apply, only --ignore"
            )
        if (qb := qb_of(item)) is not None:
            raise ReviewError(
                f"review item {item_id} is about QuickBooks {qb}: {option} does not apply; "
                "correct or clear its binding field in QuickBooks (sfqb binds a right Id at the "
                "next session), or use --ignore"
            )
        if _sf_of(item) is None:
            raise ReviewError(f"review item {item_id} is not about a Salesforce record")
        return item

    def _known_ids(self, item: ReviewItem) -> set[str]:
        """The QuickBooks Ids sfqb has seen in the company: candidates and bindings."""
        found = {b.qb.id for b in self._store.bindings.for_company(item.company)}
        for other in self._store.review.items(item.company, None, limit=10_000):
            found |= {
                str(c["qb_id"]).upper()
                for c in other.candidates
                if isinstance(c, Mapping) and c.get("qb_id")
            }
        return found

    def _requeue(self, item: ReviewItem, sf: SfRef) -> QueueItem | None:
        return self._bindings.requeue(item.company, sf)

    def _close(
        self,
        item: ReviewItem,
        row: QueueItem | None,
        done: str,
        status: ReviewStatus,
        by: str | None = None,
    ) -> Resolution:
        return self._bindings.close(item, row, done, status, by=by)


def _listed(item: ReviewItem, qb_id: str) -> bool:
    """True when the item lists `qb_id` as a candidate (a record QuickBooks reported)."""
    return evidence_kind(item.candidates) is Evidence.CANDIDATES and any(
        isinstance(c, Mapping) and str(c.get("qb_id", "")).upper() == qb_id for c in item.candidates
    )


def _kind_for(item: ReviewItem, sf: SfRef, qb_id: str) -> QbKind:
    """The binding kind: the candidate's own type when the item lists it, else the flow's."""
    for candidate in item.candidates:
        if isinstance(candidate, Mapping) and candidate.get("qb_id") == qb_id:
            try:  # a type named as its kind; an item subtype (ItemService...) is the flow's
                return QbKind(str(candidate.get("type")))
            except ValueError:
                break
    return default_qb_kind(sf.sobject)
