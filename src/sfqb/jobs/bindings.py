"""Binding records by hand: one service behind `sfqb bind`, `sfqb unbind` and review's --bind.

A binding made by a person takes effect the same way whichever command made it: the record's
queue row is due again (the next cycle sends its values to the bound record, or adds it after an
unbind), and its open review items are resolved with their alerts. An Id that is not of the
form of the company's QuickBooks (its target profile's `ids`) is refused before anything is
written; an Id sfqb has not seen in
QuickBooks (not a listed candidate) is kept as a request that the next cycle checks by reading
the record (`sfqb.sync.rebinding`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sfqb.codes import Catalog
from sfqb.domain.bindings import Binding, BindingConflict, BindingError
from sfqb.domain.entities import InvalidRef, QbKind, QbRef, SfObject, SfRef, role_of_flow
from sfqb.domain.qbd_ids import InvalidQbId
from sfqb.domain.sfid import is_id, same_id
from sfqb.domain.status import Remedy
from sfqb.jobs.alerts import AlertKind
from sfqb.store import QueueItem, QueueStatus, ReviewItem, ReviewStatus, Store
from sfqb.sync.records import BindOrigin, BindRequest, flow_of
from sfqb.sync.target import TargetProfile


class NotBound(BindingError):
    """Unbind of a record that has no binding; the text is one line."""


class NotQueued(BindingError):
    """A binding request for a record sfqb has never read from Salesforce."""


class AlertResolver(Protocol):
    """What the desks need of the alerts: resolving one (AlertCenter fits)."""

    def resolve(self, company: str, kind: str, key: str | None = None) -> int:
        """Resolve the open alerts of this kind and key."""
        ...


@dataclass(frozen=True, slots=True)
class Resolution:
    """What settling an item did: the item (closed, or open while a request waits), the queue
    row after it, in words."""

    item: ReviewItem
    queue: QueueItem | None
    done: str


@dataclass(frozen=True, slots=True)
class Bound:
    """A binding made by hand, the record's queue row after it, and the items it resolved."""

    binding: Binding
    queue: QueueItem | None
    resolved: list[Resolution]


@dataclass(frozen=True, slots=True)
class BindingView:
    """A binding as a person reads it: the names on both sides and how it was made."""

    binding: Binding
    sf_name: str | None
    qb_name: str | None

    @property
    def by_hand(self) -> bool:
        """True for a binding a person made that no sync has used yet (no values sent)."""
        return not self.binding.fingerprint

    def to_json(self) -> dict[str, object]:
        """The binding as `sfqb bindings --json` prints it."""
        b = self.binding
        return {
            "company": b.company, "salesforce_object": b.sf.sobject.value,
            "salesforce_id": b.sf.id, "salesforce_name": self.sf_name,
            "quickbooks_kind": b.qb.kind.value, "quickbooks_id": b.qb.id,
            "quickbooks_name": self.qb_name, "bound_by_hand": self.by_hand,
            "synced_at": None if self.by_hand else b.synced_at.isoformat(),
            "bound_at": b.synced_at.isoformat(),
        }  # fmt: skip


def sf_of(item: ReviewItem) -> SfRef | None:
    """The Salesforce record of a record item (None for company items)."""
    try:
        return SfRef(SfObject(item.source_type), item.source_id, role_of_flow(item.flow))
    except ValueError:
        return None


def qb_of(item: ReviewItem) -> QbRef | None:
    """The QuickBooks record of an item about one (a pasted Id that binds nothing), else None."""
    try:
        return QbRef(QbKind(item.source_type), item.source_id)
    except ValueError:
        return None


def pending_text(profile: TargetProfile) -> str:
    """What a bind asked for by hand waits for, in words."""
    return f"will bind after QuickBooks confirms the record at {profile.next_contact}"


def _not_an_id(text: str, known: list[str], profile: TargetProfile) -> None:
    """InvalidRef when `text` is neither a Salesforce Id nor a whole Id of the company's
    QuickBooks (`profile.ids`): most often an Id cut short when copied."""
    if is_id(text):
        return
    near = sorted(k for k in known if k.upper().startswith(text.upper()) and k != text)
    hint = f" Did you mean {near[0]}?" if near else ""
    try:
        qb_id = profile.check_id(text)
    except InvalidQbId as exc:
        if "-" in text or text.isdigit():  # QuickBooks' kind of Id, not this company's form
            raise InvalidQbId(f"{exc}{hint}") from None
        raise InvalidRef(
            f"{text!r} is not a Salesforce Id (15 or 18 letters and digits; this one has "
            f"{len(text)}) nor a QuickBooks Id; was it cut short?{hint}"
        ) from None
    profile.ids.cut_short(qb_id, {k for k in known if not is_id(k)})
    if near:
        raise InvalidRef(f"{text!r} is not a whole QuickBooks Id; was it cut short?{hint}")


class BindingDesk:
    """Makes, asks for and removes bindings by hand; every collaborator is passed in.

    `profile_of` gives a company's target profile: the form its QuickBooks Ids take.
    """

    def __init__(
        self,
        store: Store,
        catalog: Catalog,
        alerts: AlertResolver,
        *,
        clock: Callable[[], datetime],
        profile_of: Callable[[str], TargetProfile],
    ) -> None:
        self._store, self._catalog, self._alerts = store, catalog, alerts
        self._clock, self._profile_of = clock, profile_of

    def bind(self, company: str, sf: SfRef, qb: QbRef, *, by: str | None = None) -> Bound:
        """Bind `sf` to `qb` now; the next cycle sends the record's values to it (Mod).

        InvalidQbId for an Id not of the company's QuickBooks' form; BindingConflict when `qb` is
        bound to another record, or `sf` to another QuickBooks record that is not known to be
        gone (an open 3120 item says it is). Nothing is written on error. `by` names the
        person, kept on the items it resolves.
        """
        qb = QbRef(qb.kind, self._profile_of(company).check_id(qb.id))
        bindings, now = self._store.bindings, self._clock()
        current = bindings.by_sf(company, sf)
        # No fingerprint yet: the next cycle sends the record's values to the bound record.
        if current is not None and current.qb != qb and self._gone(company, sf):
            bindings.rebind(company, sf, qb, "", now)
        elif current is None or current.qb != qb:
            bindings.bind(Binding(company, sf, qb, "", now))  # BindingConflict when bound
        binding = bindings.by_sf(company, sf)
        assert binding is not None
        row = self.requeue(company, sf)
        done = f"bound Salesforce {sf} to QuickBooks {qb}; the next cycle sends its values"
        resolved = [
            self.close(item, row, done, ReviewStatus.RESOLVED, by=by)
            for item in self._store.review.items(company)
            if sf_of(item) == sf
        ]
        return Bound(binding, row, resolved)

    def listing(self, company: str) -> list[BindingView]:
        """The company's bindings with the names on both sides.

        The Salesforce name is the record's as last read; the QuickBooks name is the one sfqb
        last wrote, or the candidate's name for a binding made by hand from the review list.
        """
        views = []
        candidates = {
            str(c.get("qb_id")): c.get("name")
            for item in self._store.review.items(company, None)
            for c in item.candidates
            if isinstance(c, Mapping) and c.get("qb_id")
        }
        read = {(r.flow, r.source): r for r in self._store.queue.of_company(company)}
        for b in self._store.bindings.for_company(company):
            row = read.get((flow_of(b.sf), b.sf))  # one query for all, not one each
            sf_name = row.payload.get("Name") if row is not None else None
            sent = (b.sf_values or {}).get("Name") if b.fingerprint else None
            qb_name = sent or candidates.get(b.qb.id)
            views.append(
                BindingView(
                    b,
                    sf_name if isinstance(sf_name, str) else None,
                    qb_name if isinstance(qb_name, str) else None,
                )
            )
        return views

    def request(self, company: str, sf: SfRef, kind: QbKind, qb_id: str) -> QueueItem:
        """Ask the next cycle to bind `sf` to `qb_id` once it has read that QuickBooks record.

        The Id's form and its bindings in sfqb are checked now (InvalidQbId, BindingConflict);
        whether QuickBooks has it, of the right kind and free, only QuickBooks can say.
        """
        qb = QbRef(kind, self._profile_of(company).check_id(qb_id))
        other = self._store.bindings.by_qb(company, qb)
        if other is not None and other.sf != sf:
            raise BindingConflict(company, sf, qb, other)
        row = self._store.queue.get(company, flow_of(sf), sf)
        if row is None:
            raise NotQueued(f"Salesforce {sf} was never read by sfqb in company {company!r}")
        asked = BindRequest(qb.id, BindOrigin.REVIEW)
        if row.status is not QueueStatus.INFLIGHT:
            row = self._store.queue.requeue(row.id, now=self._clock())
        return self._store.queue.set_bind_request(row.id, asked.to_json())

    def unbind(self, company: str, record_id: str) -> Binding:
        """Remove the binding of a record named by either side's Id; NotBound when none.

        A Salesforce Id may be given in its 15- or 18-character form. An Id of neither system's
        form (cut short when copied) is refused as such (InvalidRef), naming the bound Id it
        starts, if any. QuickBooks_ID__c in Salesforce is left as it is (sfqb writes the new Id
        when the record is next synced), so the next read does not take it for a person's edit.
        """
        text = record_id.strip()
        every = self._store.bindings.for_company(company)
        match = next(
            (b for b in every if same_id(text, b.sf.id) or text.upper() == b.qb.id.upper()),
            None,
        )
        if match is None:
            known = [b.sf.id for b in every] + [b.qb.id for b in every]
            _not_an_id(text, known, self._profile_of(company))
            raise NotBound(f"{text} is not bound in company {company!r}")
        return self._store.bindings.unbind(company, match.sf)

    def _gone(self, company: str, sf: SfRef) -> bool:
        """True when an open item of the record says its bound QuickBooks record is gone."""
        return any(
            sf_of(item) == sf
            and item.system is not None
            and item.code is not None
            and self._catalog.decode(item.system, item.code).remedy is Remedy.RECREATE_UNBOUND
            for item in self._store.review.items(company)
        )

    def requeue(self, company: str, sf: SfRef) -> QueueItem | None:
        """Make the record's queue row due now (a row in flight is left to its cycle)."""
        row = self._store.queue.get(company, flow_of(sf), sf)
        if row is None or row.status is QueueStatus.INFLIGHT:
            return row
        return self._store.queue.requeue(row.id, now=self._clock())

    def close(
        self,
        item: ReviewItem,
        row: QueueItem | None,
        done: str,
        status: ReviewStatus,
        *,
        by: str | None = None,
    ) -> Resolution:
        """Close a review item with what was done (by whom), and resolve its alert."""
        closed = self._store.review.close(item.id, done, status, now=self._clock(), by=by)
        self._alerts.resolve(item.company, AlertKind.RECORD_NEEDS_PERSON, f"review:{item.id}")
        return Resolution(closed, row, done)
