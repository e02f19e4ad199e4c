"""A record's page as data: its binding and how it was made, both sides' values as far as sfqb
knows them, every attempt on it decoded, and its review items; and finding a record."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sfqb.domain.bindings import Binding
from sfqb.domain.entities import QbRef, SfRef
from sfqb.domain.sfid import same_id
from sfqb.services.log import LogRow, log_rows
from sfqb.services.names import KnownRecord, RecordNames, id_keys
from sfqb.store import Attempt, LogCriteria, ReviewItem, ReviewStatus, Store
from sfqb.sync.records import flow_of

MAX_ATTEMPTS = 200
MAX_FOUND = 50
MAX_SEARCH = 200


class RecordNotFound(LookupError):
    """No record of that Id in the company (as far as sfqb has seen)."""


class SearchError(ValueError):
    """A search sfqb cannot run (too long); the text says why."""


@dataclass(frozen=True, slots=True)
class BindingInfo:
    """The binding of a record and how it was made."""

    salesforce: str
    quickbooks: str
    made_by: str  # "sfqb", "person" or "review"
    how: str  # in words
    made_at: datetime
    synced_at: datetime | None  # None until a cycle sends the record's values to it


@dataclass(frozen=True, slots=True)
class SideValues:
    """One side's values as far as sfqb knows them, and where they come from."""

    source: str  # in words: "as last read from Salesforce", ...
    seen_at: datetime | None
    values: dict[str, str]


@dataclass(frozen=True, slots=True)
class ReviewEntry:
    """A review item of the record."""

    id: int
    status: str
    flow: str
    reason: str
    system: str | None
    code: str | None
    meaning: str | None
    created_at: datetime
    resolution: str | None
    resolved_at: datetime | None
    candidates: list[dict[str, str]]


@dataclass(frozen=True, slots=True)
class RecordPage:
    """Everything sfqb knows of one record of a company."""

    company: str
    record_id: str
    sf: SfRef | None
    qb: QbRef | None
    salesforce: str | None
    salesforce_id: str | None
    salesforce_name: str | None
    quickbooks: str | None
    quickbooks_id: str | None
    quickbooks_name: str | None
    binding: BindingInfo | None
    salesforce_values: SideValues | None
    quickbooks_values: SideValues | None
    attempts: list[LogRow]
    review: list[ReviewEntry]

    @property
    def name(self) -> str:
        """The record's name (either side's), else its Id."""
        return self.salesforce_name or self.quickbooks_name or self.record_id

    @property
    def open_review(self) -> list[ReviewEntry]:
        """The items still waiting for a person."""
        return [r for r in self.review if r.status == ReviewStatus.OPEN.value]


def find_records(names: RecordNames, company: str, text: str) -> list[KnownRecord]:
    """The records of a company a person means by a name (or a part) or either side's Id."""
    if len(text) > MAX_SEARCH:
        raise SearchError(f"the search is too long (at most {MAX_SEARCH} characters)")
    return names.find(company, text)[:MAX_FOUND]


def _located(store: Store, names: RecordNames, company: str, record_id: str) -> KnownRecord:
    text = record_id.strip()
    if not text or len(text) > MAX_SEARCH:
        raise RecordNotFound(f"no record {record_id[:MAX_SEARCH]!r} in company {company!r}")
    for known in names.known(company):
        if (known.sf is not None and same_id(text, known.sf.id)) or (
            known.qb is not None and text.upper() == known.qb.id.upper()
        ):
            return known
    sf_ids, qb_ids = id_keys(text)
    seen = store.journal.page(
        LogCriteria(company=company, sf_ids=sf_ids, qb_ids=qb_ids), limit=1
    )  # a record sfqb only logged (one it could not read, say)
    if not seen:
        raise RecordNotFound(f"sfqb knows no record {text!r} in company {company!r}")
    a = seen[0]
    sf = a.sf if a.sf is not None and same_id(text, a.sf.id) else None
    qb = a.qb if sf is None else None
    return KnownRecord(sf, qb or a.qb, None, None)


def record_page(store: Store, names: RecordNames, company: str, record_id: str) -> RecordPage:
    """The page of the record a Salesforce or QuickBooks Id names; RecordNotFound otherwise
    (also for a record of another company)."""
    known = _located(store, names, company, record_id)
    sf, qb = known.sf, known.qb
    binding = store.bindings.by_sf(company, sf) if sf else None
    if binding is None and qb is not None:
        binding = store.bindings.by_qb(company, qb)
    if binding is not None:
        sf, qb = binding.sf, binding.qb
    items = _review_items(store, company, sf, qb)
    sf_ids = frozenset({sf.id, sf.id[:15]}) if sf else frozenset()
    qb_ids = frozenset({qb.id}) if qb else frozenset()
    attempts = store.journal.page(
        LogCriteria(company=company, sf_ids=sf_ids, qb_ids=qb_ids), limit=MAX_ATTEMPTS
    )
    return RecordPage(
        company=company, record_id=sf.id if sf else qb.id if qb else record_id, sf=sf, qb=qb,
        salesforce=str(sf) if sf else None, salesforce_id=sf.id if sf else None,
        salesforce_name=names.sf(company, sf) if sf else known.sf_name,
        quickbooks=str(qb) if qb else None, quickbooks_id=qb.id if qb else None,
        quickbooks_name=names.qb(company, qb) if qb else known.qb_name,
        binding=_binding_info(binding, items, attempts) if binding else None,
        salesforce_values=_sf_values(store, company, sf),
        quickbooks_values=_qb_values(qb, binding, items),
        attempts=log_rows(attempts, names),
        review=[_entry(i) for i in items],
    )  # fmt: skip


def _review_items(
    store: Store, company: str, sf: SfRef | None, qb: QbRef | None
) -> list[ReviewItem]:
    found: list[ReviewItem] = []
    if sf is not None:
        found += store.review.of_record(company, sf.sobject.value, sf.id)
    if qb is not None:
        found += store.review.of_record(company, qb.kind.value, qb.id)
    return sorted(found, key=lambda i: i.id, reverse=True)


def _binding_info(
    binding: Binding, items: list[ReviewItem], attempts: list[Attempt]
) -> BindingInfo:
    sf, qb = str(binding.sf), str(binding.qb)
    by_review = next(
        (
            i
            for i in items
            if i.status is ReviewStatus.RESOLVED
            and (i.resolution or "").startswith("bound")
            and qb.split(" ", 1)[1] in (i.resolution or "")
        ),
        None,
    )
    synced = binding.synced_at if binding.fingerprint else None
    if by_review is not None:
        when = by_review.resolved_at or by_review.created_at
        how = f"bound by a person from the review list (item {by_review.id})"
        return BindingInfo(sf, qb, "review", how, when, synced)
    if not binding.fingerprint:
        how = "bound by a person; the next cycle sends the record's values to it"
        return BindingInfo(sf, qb, "person", how, binding.synced_at, None)
    # The oldest logged attempt naming both sides is when sfqb made the pair, as far as logged.
    paired = [a.created_at for a in attempts if a.qb == binding.qb and a.sf == binding.sf]
    how = "bound by sfqb when it created or matched the QuickBooks record"
    return BindingInfo(sf, qb, "sfqb", how, min(paired, default=binding.synced_at), synced)


def _plain(values: Mapping[str, Any]) -> dict[str, str]:
    """Field values as text; Salesforce's `attributes` and nested records left out."""
    return {
        str(k): "" if v is None else str(v)
        for k, v in values.items()
        if k != "attributes" and not isinstance(v, (dict, list))
    }


def _sf_values(store: Store, company: str, sf: SfRef | None) -> SideValues | None:
    if sf is None:
        return None
    row = store.queue.get(company, flow_of(sf), sf)
    if row is None or not row.payload:
        return None
    return SideValues("as last read from Salesforce", row.updated_at, _plain(row.payload))


def _qb_values(
    qb: QbRef | None, binding: Binding | None, items: list[ReviewItem]
) -> SideValues | None:
    if binding is not None and binding.fingerprint and binding.sf_values:
        source = "as sfqb last applied them to QuickBooks"
        return SideValues(source, binding.synced_at, _plain(binding.sf_values))
    if qb is None:
        return None
    for item in items:
        for c in item.candidates:
            if isinstance(c, Mapping) and str(c.get("qb_id", "")).upper() == qb.id.upper():
                source = "as QuickBooks showed them when sfqb held the record for review"
                return SideValues(source, item.created_at, _plain(c))
    return None


def _entry(item: ReviewItem) -> ReviewEntry:
    return ReviewEntry(
        id=item.id, status=item.status.value, flow=item.flow, reason=item.reason,
        system=item.system.value if item.system else None, code=item.code, meaning=item.meaning,
        created_at=item.created_at, resolution=item.resolution, resolved_at=item.resolved_at,
        candidates=[_plain(c) for c in item.candidates if isinstance(c, Mapping)],
    )  # fmt: skip
