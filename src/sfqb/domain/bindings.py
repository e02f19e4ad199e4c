"""Bindings: which Salesforce record is which QuickBooks record, one to one per company.

The Salesforce side is a record in a role (`SfRef.role`): an Account may be bound once as a
customer and once as a vendor, never twice in the same role.

`BindingSet` is the in-memory reference semantics; the store implements the same rules with
unique constraints on (company, sf) and (company, qb).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sfqb.domain.entities import QbRef, Role, SfRef, targets_of


class BindingError(Exception):
    """Base of binding errors; the message is one line."""


class InvalidBinding(BindingError):
    """A binding whose two sides cannot be the same record (e.g. an Account bound to an Item)."""


class BindingNotFound(BindingError):
    """No binding for the record asked about."""


class BindingConflict(BindingError):
    """A record is already bound: naming the record asked for and the one it is bound to."""

    def __init__(self, company: str, sf: SfRef, qb: QbRef, existing: Binding) -> None:
        self.company = company
        self.sf = sf
        self.qb = qb
        self.existing = existing
        side = f"Salesforce {existing.sf}" if existing.sf == sf else f"QuickBooks {existing.qb}"
        super().__init__(
            f"cannot bind Salesforce {sf} to QuickBooks {qb} in company {company!r}: "
            f"{side} is already bound (Salesforce {existing.sf} <-> QuickBooks {existing.qb})"
        )


@dataclass(frozen=True, slots=True)
class Binding:
    """One Salesforce record bound to one QuickBooks record, with the last synced fingerprints.

    `fingerprint` is of the Salesforce-to-QuickBooks values last applied, `qb_fingerprint` of the
    QuickBooks-to-Salesforce values last seen; equal fingerprints mean "nothing new" (an echo).
    `version` is QuickBooks' modification stamp as last seen (Desktop's EditSequence, Online's
    SyncToken), opaque to sfqb; `sf_values` the Salesforce-to-QuickBooks values last applied,
    so a Mod sends only what changed since.
    """

    company: str
    sf: SfRef
    qb: QbRef
    fingerprint: str
    synced_at: datetime
    qb_fingerprint: str = ""
    version: str | None = None
    sf_values: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        if self.qb.kind not in targets_of(self.sf.sobject, self.sf.role):
            role = "" if self.sf.role is Role.MAIN else f" as {self.sf.role}"
            raise InvalidBinding(
                f"Salesforce {self.sf.sobject}{role} cannot be bound to QuickBooks {self.qb.kind}"
            )
        if not self.company:
            raise InvalidBinding("a binding needs a company")


class BindingSet:
    """Bindings held in memory, a bijection per company (unique on each side)."""

    def __init__(self) -> None:
        self._by_sf: dict[tuple[str, SfRef], Binding] = {}
        self._by_qb: dict[tuple[str, QbRef], Binding] = {}

    def __len__(self) -> int:
        return len(self._by_sf)

    def __iter__(self) -> Iterator[Binding]:
        return iter(list(self._by_sf.values()))

    def by_sf(self, company: str, sf: SfRef) -> Binding | None:
        """The binding of a Salesforce record, if any."""
        return self._by_sf.get((company, sf))

    def by_qb(self, company: str, qb: QbRef) -> Binding | None:
        """The binding of a QuickBooks record, if any."""
        return self._by_qb.get((company, qb))

    def for_company(self, company: str) -> list[Binding]:
        """Every binding of one company."""
        return [b for (c, _), b in self._by_sf.items() if c == company]

    def bind(self, binding: Binding) -> None:
        """Add a binding; BindingConflict when either side is already bound."""
        for existing in (
            self._by_sf.get((binding.company, binding.sf)),
            self._by_qb.get((binding.company, binding.qb)),
        ):
            if existing is not None:
                raise BindingConflict(binding.company, binding.sf, binding.qb, existing)
        self._put(binding)

    def unbind(self, company: str, ref: SfRef | QbRef) -> Binding:
        """Remove the binding of either side; BindingNotFound when there is none."""
        found = self.by_sf(company, ref) if isinstance(ref, SfRef) else self.by_qb(company, ref)
        if found is None:
            raise BindingNotFound(f"{ref} is not bound in company {company!r}")
        del self._by_sf[(company, found.sf)]
        del self._by_qb[(company, found.qb)]
        return found

    def rebind(
        self, company: str, sf: SfRef, qb: QbRef, fingerprint: str, synced_at: datetime
    ) -> Binding:
        """Point a bound Salesforce record at another QuickBooks record.

        BindingNotFound when `sf` is unbound; BindingConflict when `qb` is bound to another
        record. Nothing changes on error.
        """
        old = self.by_sf(company, sf)
        if old is None:
            raise BindingNotFound(f"Salesforce {sf} is not bound in company {company!r}")
        other = self.by_qb(company, qb)
        if other is not None and other.sf != sf:
            raise BindingConflict(company, sf, qb, other)
        new = Binding(company, sf, qb, fingerprint, synced_at)  # validates before mutating
        del self._by_qb[(company, old.qb)]
        self._put(new)
        return new

    def refresh(self, company: str, sf: SfRef, fingerprint: str, synced_at: datetime) -> Binding:
        """Record a new last-synced fingerprint; BindingNotFound when `sf` is unbound."""
        old = self.by_sf(company, sf)
        if old is None:
            raise BindingNotFound(f"Salesforce {sf} is not bound in company {company!r}")
        new = replace(old, fingerprint=fingerprint, synced_at=synced_at)
        self._put(new)
        return new

    def update(self, binding: Binding) -> Binding:
        """Store new fingerprints or edit sequence of an existing binding (same pair)."""
        old = self.by_sf(binding.company, binding.sf)
        if old is None or old.qb != binding.qb:
            raise BindingNotFound(f"{binding.sf} is not bound to {binding.qb}")
        self._put(binding)
        return binding

    def _put(self, binding: Binding) -> None:
        self._by_sf[(binding.company, binding.sf)] = binding
        self._by_qb[(binding.company, binding.qb)] = binding
