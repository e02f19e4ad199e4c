"""Bindings in the database, with BindingSet's semantics enforced by unique constraints.

Unique (company, sf_object, sf_id, sf_role) and (company, qb_kind, qb_id) make the bindings a
bijection per company and role even across processes; a violated constraint becomes the
domain's BindingConflict.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sfqb.domain.bindings import Binding, BindingConflict, BindingNotFound
from sfqb.domain.entities import QbKind, QbRef, Role, SfObject, SfRef
from sfqb.store.common import Sessions, StoreError, require_aware, to_jsonable
from sfqb.store.models import BindingRow


def _binding(row: BindingRow | Row[Any]) -> Binding:
    return Binding(
        company=row.company,
        sf=SfRef(SfObject(row.sf_object), row.sf_id, Role(row.sf_role)),
        qb=QbRef(QbKind(row.qb_kind), row.qb_id),
        fingerprint=row.fingerprint,
        synced_at=row.synced_at,
        qb_fingerprint=row.qb_fingerprint,
        version=row.qb_version,
        sf_values=dict(row.sf_values) if row.sf_values is not None else None,
    )


def _write(row: BindingRow, binding: Binding) -> None:
    """Copy everything but the company and Salesforce side from `binding` into `row`."""
    for column, value in written(binding).items():
        setattr(row, column, value)


def written(binding: Binding, *, plain: bool = False) -> dict[str, Any]:
    """The columns `_write` sets, for a bulk statement."""
    values = binding.sf_values
    if values is not None:
        values = dict(values) if plain else to_jsonable(values)
    return {
        "qb_kind": binding.qb.kind.value, "qb_id": binding.qb.id,
        "fingerprint": binding.fingerprint, "qb_fingerprint": binding.qb_fingerprint,
        "qb_version": binding.version, "sf_values": values,
        "synced_at": require_aware(binding.synced_at, "synced_at"),
    }  # fmt: skip


def _sf_is(company: str, sf: SfRef) -> ColumnElement[bool]:
    return and_(
        BindingRow.company == company,
        BindingRow.sf_object == sf.sobject.value,
        BindingRow.sf_id == sf.id,
        BindingRow.sf_role == sf.role.value,
    )


def _qb_is(company: str, qb: QbRef) -> ColumnElement[bool]:
    return and_(
        BindingRow.company == company,
        BindingRow.qb_kind == qb.kind.value,
        BindingRow.qb_id == qb.id,
    )


class Bindings:
    """The bindings table; the same methods and errors as `sfqb.domain.bindings.BindingSet`."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    # -- reads -----------------------------------------------------------------------------

    def _one(self, where: ColumnElement[bool]) -> BindingRow | None:
        with self._sessions() as db:
            return db.scalar(select(BindingRow).where(where))

    def by_sf(self, company: str, sf: SfRef) -> Binding | None:
        """The binding of a Salesforce record, if any."""
        row = self._one(_sf_is(company, sf))
        return _binding(row) if row else None

    def by_qb(self, company: str, qb: QbRef) -> Binding | None:
        """The binding of a QuickBooks record, if any."""
        row = self._one(_qb_is(company, qb))
        return _binding(row) if row else None

    def for_company(self, company: str) -> list[Binding]:
        """Every binding of one company, oldest first."""
        with self._sessions() as db:
            rows = db.scalars(
                select(BindingRow).where(BindingRow.company == company).order_by(BindingRow.id)
            )
            return [_binding(r) for r in rows]

    def __len__(self) -> int:
        with self._sessions() as db:
            return db.scalar(select(func.count()).select_from(BindingRow)) or 0

    def __iter__(self) -> Iterator[Binding]:
        with self._sessions() as db:
            rows = list(db.scalars(select(BindingRow).order_by(BindingRow.id)))
        return iter([_binding(r) for r in rows])

    # -- writes ----------------------------------------------------------------------------

    def _conflict(self, company: str, sf: SfRef, qb: QbRef, check_sf: bool) -> BindingConflict:
        existing = (self.by_sf(company, sf) if check_sf else None) or self.by_qb(company, qb)
        if existing is None:  # the other writer has unbound it again meanwhile
            raise StoreError(
                f"binding Salesforce {sf} to QuickBooks {qb} in company {company!r} collided "
                "with a concurrent change; try again"
            )
        return BindingConflict(company, sf, qb, existing)

    def bind(self, binding: Binding) -> None:
        """Add a binding; BindingConflict when either side is already bound."""
        row = BindingRow(
            company=binding.company,
            sf_object=binding.sf.sobject.value,
            sf_id=binding.sf.id,
            sf_role=binding.sf.role.value,
        )
        _write(row, binding)
        try:
            with self._sessions.begin() as db:
                db.add(row)
        except IntegrityError:
            raise self._conflict(binding.company, binding.sf, binding.qb, True) from None

    def unbind(self, company: str, ref: SfRef | QbRef) -> Binding:
        """Remove the binding of either side; BindingNotFound when there is none."""
        where = _sf_is(company, ref) if isinstance(ref, SfRef) else _qb_is(company, ref)
        with self._sessions.begin() as db:
            row = db.scalar(select(BindingRow).where(where).with_for_update())
            if row is None:
                raise BindingNotFound(f"{ref} is not bound in company {company!r}")
            found = _binding(row)
            db.execute(delete(BindingRow).where(BindingRow.id == row.id))
            return found

    def _bound_sf(self, db: Session, company: str, sf: SfRef) -> BindingRow:
        row = db.scalar(select(BindingRow).where(_sf_is(company, sf)).with_for_update())
        if row is None:
            raise BindingNotFound(f"Salesforce {sf} is not bound in company {company!r}")
        return row

    def rebind(
        self, company: str, sf: SfRef, qb: QbRef, fingerprint: str, synced_at: datetime
    ) -> Binding:
        """Point a bound Salesforce record at another QuickBooks record.

        BindingNotFound when `sf` is unbound; BindingConflict when `qb` is bound to another
        record. Nothing changes on error. The QuickBooks-side state starts afresh, as in
        BindingSet.
        """
        try:
            with self._sessions.begin() as db:
                row = self._bound_sf(db, company, sf)
                other = db.scalar(select(BindingRow).where(_qb_is(company, qb)))
                if other is not None and other.id != row.id:
                    raise BindingConflict(company, sf, qb, _binding(other))
                new = Binding(company, sf, qb, fingerprint, synced_at)  # validates first
                _write(row, new)
                db.flush()
        except IntegrityError:
            raise self._conflict(company, sf, qb, False) from None
        return new

    def refresh(self, company: str, sf: SfRef, fingerprint: str, synced_at: datetime) -> Binding:
        """Record a new last-synced fingerprint; BindingNotFound when `sf` is unbound."""
        with self._sessions.begin() as db:
            row = self._bound_sf(db, company, sf)
            row.fingerprint = fingerprint
            row.synced_at = require_aware(synced_at, "synced_at")
            db.flush()
            return _binding(row)

    def update(self, binding: Binding) -> Binding:
        """Store new fingerprints, edit sequence or values of an existing binding (same pair)."""
        with self._sessions.begin() as db:
            row = db.scalar(
                select(BindingRow).where(_sf_is(binding.company, binding.sf)).with_for_update()
            )
            if row is None or (row.qb_kind, row.qb_id) != (binding.qb.kind.value, binding.qb.id):
                raise BindingNotFound(f"{binding.sf} is not bound to {binding.qb}")
            _write(row, binding)
            db.flush()
            return _binding(row)
