"""Records as a person names them: each record's name beside its Id, the record sfqb's own
statuses are about (the parent a record waits for), and finding a record by name or Id."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sfqb.codes import Catalog
from sfqb.codes.words import system_text
from sfqb.domain.entities import QbRef, SfObject, SfRef
from sfqb.domain.sfid import IdError, normalize, same_id
from sfqb.domain.status import System
from sfqb.jobs.bindings import BindingDesk, BindingView
from sfqb.mapping import fold_name
from sfqb.services.targets import profile_of
from sfqb.store import Attempt, Store
from sfqb.sync.records import flow_of

# "Product2 01t8d000000GC7SAAW" inside a message sfqb wrote (its own codes' details).
_SF_IN_TEXT = re.compile(rf"\b({'|'.join(o.value for o in SfObject)}) ([0-9A-Za-z]{{15,18}})\b")
_CODE_IN_TEXT = re.compile(rf"\b({'|'.join(s.value for s in System)}) (\S+)")


@dataclass(frozen=True, slots=True)
class KnownRecord:
    """A record sfqb knows in a company: its Salesforce and/or QuickBooks side, named."""

    sf: SfRef | None
    qb: QbRef | None
    sf_name: str | None
    qb_name: str | None


class RecordNames:
    """The names sfqb knows for records: Salesforce's as last read (the queued payload) and
    QuickBooks' from the bindings (`BindingDesk.listing`)."""

    def __init__(self, store: Store, listing: Callable[[str], list[BindingView]]) -> None:
        self._store, self._listing = store, listing
        self._sf: dict[tuple[str, SfRef], str | None] = {}
        self._qb: dict[str, dict[str, str]] = {}

    def sf(self, company: str, ref: SfRef) -> str | None:
        """The Salesforce record's name as last read, or None."""
        key = (company, ref)
        if key not in self._sf:
            row = self._store.queue.get(company, flow_of(ref), ref)
            name = row.payload.get("Name") if row is not None else None
            self._sf[key] = name if isinstance(name, str) and name else None
        return self._sf[key]

    def qb(self, company: str, ref: QbRef) -> str | None:
        """The QuickBooks record's name as sfqb knows it from its binding, or None."""
        if company not in self._qb:
            self._qb[company] = {
                v.binding.qb.id: v.qb_name for v in self._listing(company) if v.qb_name
            }
        return self._qb[company].get(ref.id)

    def records(self, attempt: Attempt) -> list[str]:
        """ "SF Account 001... "Name"" and "QB Customer 8000... "Name"", as far as known."""
        lines = []
        if attempt.sf is not None:
            lines.append(f"SF {attempt.sf}{_quoted(self.sf(attempt.company, attempt.sf))}")
        if attempt.qb is not None:
            lines.append(f"QB {attempt.qb}{_quoted(self.qb(attempt.company, attempt.qb))}")
        return lines

    def detail(self, attempt: Attempt) -> str | None:
        """The specifics of one of sfqb's own statuses (which parent a record waits for, and
        why), with the records named and codes in words; None when the title says it all."""
        if attempt.system is not System.TRANSPORT or not attempt.message:
            return None
        if attempt.message == attempt.title or attempt.message in attempt.action_taken:
            return None

        def named(found: re.Match[str]) -> str:
            ref = SfRef(SfObject(found[1]), found[2])
            return f"{found[0]}{_quoted(self.sf(attempt.company, ref))}"

        text = _SF_IN_TEXT.sub(named, attempt.message)
        return _CODE_IN_TEXT.sub(lambda m: f"{system_text(m[1])} {m[2]}", text)

    def matches(self, attempt: Attempt, wanted: str) -> bool:
        """True when the attempt is about the record a person named by Id (either system,
        either Salesforce form) or by name (either side's, compared as sfqb compares names)."""
        text = wanted.strip()
        if attempt.sf is not None and same_id(text, attempt.sf.id):
            return True
        if attempt.qb is not None and text.upper() == attempt.qb.id.upper():
            return True
        folded = fold_name(text)
        names = [
            self.sf(attempt.company, attempt.sf) if attempt.sf else None,
            self.qb(attempt.company, attempt.qb) if attempt.qb else None,
        ]
        return any(n is not None and fold_name(n) == folded for n in names)

    def known(self, company: str) -> list[KnownRecord]:
        """Every record of a company sfqb has read or bound, each once (bound pairs together)."""
        found: dict[SfRef | QbRef, KnownRecord] = {}
        for view in self._listing(company):
            b = view.binding
            found[b.sf] = found[b.qb] = KnownRecord(b.sf, b.qb, view.sf_name, view.qb_name)
        for row in self._store.queue.of_company(company):
            if row.source in found:
                continue
            name = row.payload.get("Name")
            named = name if isinstance(name, str) and name else None
            if isinstance(row.source, SfRef):
                found[row.source] = KnownRecord(row.source, None, named, None)
            else:
                found[row.source] = KnownRecord(None, row.source, None, named)
        unique = {id(r): r for r in found.values()}
        return list(unique.values())

    def find(self, company: str, text: str, *, exact: bool = False) -> list[KnownRecord]:
        """The records a person means by `text`: either side's Id (a Salesforce Id in either
        form), or a name (folded as sfqb compares names; a part of it unless `exact`)."""
        wanted = text.strip()
        if not wanted:
            return []
        folded = fold_name(wanted)

        def named(name: str | None) -> bool:
            if name is None or not folded:
                return False
            return fold_name(name) == folded if exact else folded in fold_name(name)

        return [
            r
            for r in self.known(company)
            if (r.sf is not None and same_id(wanted, r.sf.id))
            or (r.qb is not None and wanted.upper() == r.qb.id.upper())
            or named(r.sf_name)
            or named(r.qb_name)
        ]


def id_keys(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """The Salesforce Ids (both forms) and QuickBooks Id a typed Id may stand for."""
    wanted = text.strip()
    sf: set[str] = set()
    try:
        id18 = normalize(wanted)
        sf = {id18, id18[:15]}
    except IdError:
        pass
    return frozenset(sf), frozenset({wanted}) if wanted else frozenset()


def of_record(
    attempts: Sequence[Attempt], names: RecordNames, wanted: str, limit: int
) -> list[Attempt]:
    """The attempts about the record a person named, newest first, at most `limit`."""
    return [a for a in attempts if names.matches(a, wanted)][:limit]


def _quoted(name: str | None) -> str:
    return f' "{name}"' if name else ""


class _NoAlerts:
    """The listing of bindings resolves no alert; the desk only needs something to hold."""

    def resolve(self, company: str, kind: str, key: str | None = None) -> int:
        return 0


def record_names(store: Store, catalog: Catalog, clock: Callable[[], datetime]) -> RecordNames:
    """Record names over a store, as `sfqb log` builds them (bindings' names included)."""
    desk = BindingDesk(store, catalog, _NoAlerts(), clock=clock, profile_of=profile_of(store))
    return RecordNames(store, desk.listing)
