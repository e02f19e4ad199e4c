"""Which records name a customer, a parent, an invoice or a credit, and which carry a name.

Books files a record here whenever it is created, modified (touch), deleted or merged away, so
a balance or a name check reads the few records concerned instead of the whole company file;
the answers are exactly those of a scan of every record (tests/sandbox/qbd/test_index.py).
"""

from __future__ import annotations

from collections.abc import Iterable

from sfqb.sandbox.qbd.records import Record

# A key: (what, value), e.g. ("CustomerRef", ListID), ("TxnID", an invoice's TxnID applied by
# a payment line), ("Name", a casefolded Name).
Key = tuple[str, str]
REFS = ("CustomerRef", "ParentRef")
LINE_REFS = ("TxnID", "CreditTxnID")


def keys_of(record: Record) -> set[Key]:
    """The keys a record is filed under."""
    keys: set[Key] = set()
    for name in REFS:
        ref_id = record.ref_id(name)
        if ref_id:
            keys.add((name, ref_id))
    for line in record.lines:
        for name in LINE_REFS:
            value = line.get(name)
            if isinstance(value, str) and value:
                keys.add((name, value))
    name_value = record.fields.get("Name")
    if isinstance(name_value, str):
        # A Name with a colon (only a seeded one could have it) would not match the last part
        # of a FullName: it is filed under "" and every name look-up checks it.
        keys.add(("Name", "" if ":" in name_value else name_value.casefold()))
    return keys


class RecordIndex:
    """Record IDs by key, each list in the records' creation order."""

    def __init__(self, records: Iterable[Record] = ()) -> None:
        self._keys: dict[str, set[Key]] = {}
        self._ids: dict[Key, set[str]] = {}
        self._order: dict[str, int] = {}
        self._next = 0
        for record in records:
            self.file(record)

    def file(self, record: Record) -> None:
        """(Re)file a record under its current keys."""
        if record.id not in self._order:
            self._order[record.id] = self._next
            self._next += 1
        new = keys_of(record)
        old = self._keys.get(record.id, set())
        for key in old - new:
            self._discard(key, record.id)
        for key in new - old:
            self._ids.setdefault(key, set()).add(record.id)
        self._keys[record.id] = new

    def drop(self, record_id: str) -> None:
        """Forget a deleted record."""
        for key in self._keys.pop(record_id, set()):
            self._discard(key, record_id)
        self._order.pop(record_id, None)

    def ids(self, what: str, value: str) -> list[str]:
        """The IDs filed under (what, value), oldest record first."""
        found = self._ids.get((what, value), set())
        return sorted(found, key=self._order.__getitem__)

    def position(self, record_id: str) -> int:
        """A filed record's place in creation order."""
        return self._order[record_id]

    def _discard(self, key: Key, record_id: str) -> None:
        ids = self._ids.get(key)
        if ids is not None:
            ids.discard(record_id)
            if not ids:
                del self._ids[key]
