"""A cycle's view of one company's bindings: read once, written once per batch.

The engine asks about a record's binding many times a cycle. `BindingCache` answers from
memory: the bindings of the records a cycle works on are read in a few queries up front
(`prefetch`), anything else once on first use, and the cycle's own changes (bind, update,
unbind) are kept in memory until `flush` writes them, inside the caller's transaction, with
the batch's queue and log rows (`sfqb.store.work`).

A flush first checks that the rows it changes are still as the cache read them; if another
writer (a person binding a record in the console meanwhile) changed one, it raises
`BindingsChanged` and the caller's transaction writes nothing of the batch. The records stay
in flight, as after a crash, and the next cycle looks them up in QuickBooks.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import replace
from typing import Any, cast

from sqlalchemy import ColumnElement, Row, Table, bindparam, delete, insert, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from sfqb.domain.bindings import Binding, BindingConflict, BindingNotFound
from sfqb.domain.entities import QbKind, QbRef, Role, SfObject, SfRef, targets_of
from sfqb.store.bindings import Bindings, _binding, _qb_is, _sf_is, written
from sfqb.store.common import Sessions, StoreError, chunks, require_aware, to_jsonable
from sfqb.store.models import BindingRow

PAGE = 500  # rows per page of `for_company`
# Read and written with Core statements: rows, not ORM instances (the cache keeps Bindings).
_TABLE = cast(Table, BindingRow.__table__)
HELD = 2000  # written-down bindings a cache keeps beyond its cycle's own records (`trim`)


class BindingsChanged(StoreError):
    """Bindings a batch changed were changed by someone else since the cycle read them."""


def _stored(binding: Binding, old: Binding | None = None) -> Binding:
    """`binding` as the store gives it back: UTC time, JSON-plain values (those of `old`, the
    cache's own and plain already, when it kept them)."""
    values = binding.sf_values
    if values is not None and (old is None or values is not old.sf_values):
        values = to_jsonable(values)
    return replace(
        binding, synced_at=require_aware(binding.synced_at, "synced_at"), sf_values=values
    )


class BindingCache:
    """The engine's BindingRepository for one company's cycle (see the module docstring).

    Other companies' bindings are passed through to the store uncached.
    """

    def __init__(self, sessions: Sessions, company: str) -> None:
        self._sessions = sessions
        self._limit = HELD
        self._store = Bindings(sessions)
        self.company = company
        self._sf: dict[SfRef, Binding | None] = {}  # what the cycle sees
        self._qb: dict[QbRef, Binding | None] = {}
        self._read_sf: dict[SfRef, Binding | None] = {}  # as last read or written in the store
        self._read_qb: dict[QbRef, Binding | None] = {}
        self._dirty_sf: set[SfRef] = set()
        self._dirty_qb: set[QbRef] = set()
        self._pinned: set[tuple[SfObject, str]] = set()  # kept by `trim` (every role)
        self._floor = 0  # entries `trim` kept last time: it trims again once `_limit` beyond
        self.queries = 0  # reads of the store, for tests and benchmarks

    # -- loading ---------------------------------------------------------------------------

    def _seen(self, row: Row[Any]) -> Binding:
        binding = _binding(row)
        self._read_sf.setdefault(binding.sf, binding)
        self._read_qb.setdefault(binding.qb, binding)
        self._sf.setdefault(binding.sf, binding)  # the cycle's own changes stay in front
        self._qb.setdefault(binding.qb, binding)
        return binding

    def _absent_sf(self, sf: SfRef) -> None:
        self._read_sf.setdefault(sf, None)
        self._sf.setdefault(sf, None)

    def _absent_qb(self, qb: QbRef) -> None:
        self._read_qb.setdefault(qb, None)
        self._qb.setdefault(qb, None)

    def prefetch(
        self, sf: Iterable[SfRef] = (), qb: Iterable[QbRef] = (), *, pin: bool = False
    ) -> None:
        """Read the bindings of these records in a few queries (those not read yet).

        `pin`: `trim` never forgets those of `sf` (a cycle's records and the parents they
        reference, asked for by every batch: forgotten, each was read again one by one).
        """
        sf = set(sf)
        if pin:
            self._pinned.update((r.sobject, r.id) for r in sf)
        want_sf = {r for r in sf if r not in self._sf}
        want_qb = {r for r in qb if r not in self._qb}
        with self._sessions() as db:
            for sobject in sorted({r.sobject for r in want_sf}):
                ids = sorted(r.id for r in want_sf if r.sobject is sobject)
                self._load(db, ids, BindingRow.sf_object == sobject.value, BindingRow.sf_id)
            for kind in sorted({r.kind for r in want_qb}):
                ids = sorted(r.id for r in want_qb if r.kind is kind)
                self._load(db, ids, BindingRow.qb_kind == kind.value, BindingRow.qb_id)
        for ref in want_sf:  # the query read every role of the record: none found is none
            for role in Role:
                if targets_of(ref.sobject, role):  # a role the object can play
                    self._absent_sf(SfRef(ref.sobject, ref.id, role))
        for other in want_qb:
            self._absent_qb(other)

    def _load(
        self,
        db: Session,
        ids: list[str],
        side: ColumnElement[bool],
        column: InstrumentedAttribute[str],
    ) -> None:
        for chunk in chunks(ids):
            query = select(_TABLE).where(
                BindingRow.company == self.company, side, column.in_(chunk)
            )
            self.queries += 1
            for row in db.execute(query):
                self._seen(row)

    # -- reads -----------------------------------------------------------------------------

    def by_sf(self, company: str, sf: SfRef) -> Binding | None:
        """The binding of a Salesforce record, if any."""
        if company != self.company:
            return self._store.by_sf(company, sf)
        if sf not in self._sf:
            with self._sessions() as db:
                self.queries += 1
                row = db.execute(select(_TABLE).where(_sf_is(company, sf))).first()
                if row is not None:
                    self._seen(row)
            self._absent_sf(sf)
        return self._sf[sf]

    def by_qb(self, company: str, qb: QbRef) -> Binding | None:
        """The binding of a QuickBooks record, if any."""
        if company != self.company:
            return self._store.by_qb(company, qb)
        if qb not in self._qb:
            with self._sessions() as db:
                self.queries += 1
                row = db.execute(select(_TABLE).where(_qb_is(company, qb))).first()
                if row is not None:
                    self._seen(row)
            self._absent_qb(qb)
        return self._qb[qb]

    def for_company(self, company: str) -> Iterator[Binding]:
        """Every binding of the company, the cycle's unwritten changes included, oldest first.

        Read in pages of PAGE rows, each in a short session, and not kept: the cache holds the
        records the cycle works on, never the whole company.
        """
        if company != self.company:
            yield from self._store.for_company(company)
            return
        after = 0
        while True:
            with self._sessions() as db:
                self.queries += 1
                query = (
                    select(_TABLE)
                    .where(BindingRow.company == company, BindingRow.id > after)
                    .order_by(BindingRow.id)
                    .limit(PAGE)
                )
                rows = list(db.execute(query))
            for row in rows:
                stored = _binding(row)
                # the cycle's own change of it (or its unbinding) stays in front
                mine = self._sf.get(stored.sf, stored)
                if mine is not None:
                    yield mine
            if len(rows) < PAGE:
                break
            after = rows[-1].id
        for sf in self._dirty_sf:  # bound by the cycle, not in the store yet
            mine = self._sf[sf]
            if mine is not None and self._read_sf.get(sf) is None:
                yield mine

    # -- writes (kept until `flush`) -----------------------------------------------------------

    def _put(self, sf: SfRef, qb: QbRef, binding: Binding | None) -> None:
        self._sf[sf], self._qb[qb] = binding, binding
        self._dirty_sf.add(sf)
        self._dirty_qb.add(qb)

    def bind(self, binding: Binding) -> None:
        """Add a binding; BindingConflict when either side is already bound."""
        if binding.company != self.company:
            self._store.bind(binding)
            return
        company = binding.company
        for existing in (self.by_sf(company, binding.sf), self.by_qb(company, binding.qb)):
            if existing is not None:
                raise BindingConflict(binding.company, binding.sf, binding.qb, existing)
        self._put(binding.sf, binding.qb, _stored(binding))

    def update(self, binding: Binding) -> Binding:
        """Store new fingerprints, version or values of an existing binding (same pair)."""
        if binding.company != self.company:
            return self._store.update(binding)
        old = self.by_sf(binding.company, binding.sf)
        if old is None or old.qb != binding.qb:
            raise BindingNotFound(f"{binding.sf} is not bound to {binding.qb}")
        stored = _stored(binding, old)
        self._put(binding.sf, binding.qb, stored)
        return stored

    def unbind(self, company: str, ref: SfRef | QbRef) -> Binding:
        """Remove the binding of either side; BindingNotFound when there is none."""
        if company != self.company:
            return self._store.unbind(company, ref)
        found = self.by_sf(company, ref) if isinstance(ref, SfRef) else self.by_qb(company, ref)
        if found is None:
            raise BindingNotFound(f"{ref} is not bound in company {company!r}")
        self._put(found.sf, found.qb, None)
        return found

    @property
    def held(self) -> int:
        """How many Salesforce records' bindings (or their absence) the cache holds."""
        return len(self._sf)

    def trim(self, keep: Collection[SfRef] = ()) -> int:
        """Forget the bindings read or written down so far, but those of `keep` (the cycle's
        own records) and those pinned by `prefetch`, once the cache holds more than its limit
        beyond what the last trim kept, and nothing unwritten; a binding asked for again is
        read again. A cycle reading QuickBooks' changes page by page (a whole company's
        records, after a first load) holds a page's bindings, not every one; a cycle whose own
        records alone pass the limit is not trimmed again after every batch. Returns how many
        it forgot."""
        if self.dirty or len(self._sf) + len(self._qb) <= self._floor + self._limit:
            return 0
        kept = {sf for sf in keep if sf in self._sf}
        kept.update(sf for sf in self._sf if (sf.sobject, sf.id) in self._pinned)
        kept_qb = {b.qb for sf in kept if (b := self._sf[sf]) is not None}
        forgotten = len(self._sf) - len(kept)
        self._sf = {sf: self._sf[sf] for sf in kept}
        self._read_sf = {sf: self._read_sf[sf] for sf in kept if sf in self._read_sf}
        self._qb = {qb: self._qb[qb] for qb in kept_qb if qb in self._qb}
        self._read_qb = {qb: self._read_qb[qb] for qb in kept_qb if qb in self._read_qb}
        self._floor = len(self._sf) + len(self._qb)
        return forgotten

    # -- writing down ------------------------------------------------------------------------

    @property
    def dirty(self) -> bool:
        """True when the cycle changed bindings not yet flushed."""
        return bool(self._dirty_sf or self._dirty_qb)

    def flush(self, db: Session) -> None:
        """Write the cycle's changes in `db`'s transaction (the caller commits).

        BindingsChanged, with nothing written, when a row changed since the cache read it.
        """
        if not self.dirty:
            return
        rows = self._current(db)
        by_sf = {(r.sf_object, r.sf_id, r.sf_role): r for r in rows}
        by_qb = {(r.qb_kind, r.qb_id): r for r in rows}
        for sf in self._dirty_sf:
            row = by_sf.get((sf.sobject.value, sf.id, sf.role.value))
            self._check(self._read_sf.get(sf), row, f"Salesforce {sf}")
        for qb in self._dirty_qb:
            row = by_qb.get((qb.kind.value, qb.id))
            self._check(self._read_qb.get(qb), row, f"QuickBooks {qb}")
        kept: list[tuple[Row[Any], Binding]] = []
        gone: list[int] = []
        for row in rows:  # rows whose pair changes go first: the new pairs are unique then
            sf = SfRef(SfObject(row.sf_object), row.sf_id, Role(row.sf_role))
            final = self._sf.get(sf)
            if final is not None and final.qb == QbRef(QbKind(row.qb_kind), row.qb_id):
                kept.append((row, final))
            else:
                gone.append(row.id)
        for part in chunks(gone):
            db.execute(delete(_TABLE).where(_TABLE.c.id.in_(part)))
        db.flush()
        kept_sf = {final.sf for _, final in kept}
        # Changed and new rows are written in one statement each (the cache's bindings are
        # JSON-plain already: `_stored`).
        changed = [
            {"row_id": row.id, **written(final, plain=True)}
            for row, final in kept
            if final != _binding(row)
        ]
        added = [
            {"company": self.company, "sf_object": sf.sobject.value, "sf_id": sf.id,
             "sf_role": sf.role.value, **written(final, plain=True)}
            for sf in sorted(
                self._dirty_sf - kept_sf, key=lambda r: (r.sobject.value, r.id, r.role.value)
            )
            if (final := self._sf[sf]) is not None
        ]  # fmt: skip
        if changed:
            db.execute(update(_TABLE).where(_TABLE.c.id == bindparam("row_id")), changed)
        if added:  # the ids are not needed back
            db.execute(insert(_TABLE), added)

    def _current(self, db: Session) -> list[Row[Any]]:
        """The store's rows of every record the cycle changed, locked for the write."""
        found: dict[int, Row[Any]] = {}
        for sobject in {r.sobject for r in self._dirty_sf}:
            ids = sorted(r.id for r in self._dirty_sf if r.sobject is sobject)
            for chunk in chunks(ids):
                query = select(_TABLE).where(
                    BindingRow.company == self.company,
                    BindingRow.sf_object == sobject.value,
                    BindingRow.sf_id.in_(chunk),
                )
                found.update((r.id, r) for r in db.execute(query.with_for_update()))
        for kind in {r.kind for r in self._dirty_qb}:
            ids = sorted(r.id for r in self._dirty_qb if r.kind is kind)
            for chunk in chunks(ids):
                query = select(_TABLE).where(
                    BindingRow.company == self.company,
                    BindingRow.qb_kind == kind.value,
                    BindingRow.qb_id.in_(chunk),
                )
                found.update((r.id, r) for r in db.execute(query.with_for_update()))
        return sorted(found.values(), key=lambda r: r.id)

    @staticmethod
    def _check(read: Binding | None, row: Row[Any] | None, what: str) -> None:
        now = _binding(row) if row is not None else None
        if now != read:
            raise BindingsChanged(
                f"the binding of {what} was changed by someone else during the cycle; "
                "the batch's records stay in flight and are looked up next cycle"
            )

    def flushed(self) -> None:
        """The caller committed the last flush: what the cycle sees is now the store's."""
        for sf in self._dirty_sf:
            self._read_sf[sf] = self._sf[sf]
        for qb in self._dirty_qb:
            self._read_qb[qb] = self._qb[qb]
        self._dirty_sf.clear()
        self._dirty_qb.clear()
