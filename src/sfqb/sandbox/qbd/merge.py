"""Deleting a record and merging two list entries, as a QuickBooks Desktop user does it.

The user renames an entry to the name of another entry of the same list and confirms the merge
("Lists: Merging list entries", QuickBooks Desktop help). Intuit's SDK page on the same act
("Requests that merge accounts customers vendors classes", developer.intuit.com/app/developer/
qbdesktop/docs/develop/tutorials/requests-that-merge-accounts-customers-vendors-classes):
the merge-from object goes away and every transaction that referenced it now references the
merge-to object. Where the pages are silent, the sandbox takes the reading that tells an
integration least, and says so below.
"""

from __future__ import annotations

from sfqb.sandbox.qbd.books import Books, SandboxError
from sfqb.sandbox.qbd.records import Deletion, Record, Value


def users(books: Books, record: Record) -> list[Record]:
    """Records that reference `record` (transactions, lines, sub-records, payments)."""
    found = []
    for other in books.state.records.values():
        refs = [v for v in other.fields.values() if isinstance(v, dict)]
        refs += [v for line in other.lines for v in line.values() if isinstance(v, dict)]
        if any(ref.get("ListID") == record.id for ref in refs):
            found.append(other)
    return found


def delete(books: Books, record: Record) -> Deletion:
    """Delete a record as a QuickBooks user would, and log it for the deleted queries."""
    kind = books.kind(record)
    if not kind.is_txn and users(books, record):
        raise SandboxError(f"{kind.name} {books.full_name(record)!r} is used and cannot be deleted")
    if record.kind == "Invoice":
        for payment in books.with_key("TxnID", record.id, ("ReceivePayment",)):
            payment.lines = [x for x in payment.lines if x.get("TxnID") != record.id]
            books.index.file(payment)
    del books.state.records[record.id]
    books.index.drop(record.id)
    books.holds.discard(record.id)
    name = record.text("RefNumber") or "" if kind.is_txn else books.full_name(record)
    deletion = Deletion(
        kind.del_type, record.id, record.time_created, books.now(), name, kind.is_txn
    )
    books.state.deletions.append(deletion)
    return deletion


def merge(books: Books, source: Record, target: Record) -> Deletion:
    """Merge `source` into `target`: references move, `source` is deleted and logged."""
    kind = books.kind(source)
    if kind.is_txn or kind.family not in ("entity", "item"):
        raise SandboxError(f"{kind.name} records cannot be merged")
    if source.id == target.id:
        raise SandboxError("a record cannot be merged into itself")
    if source.kind != target.kind:
        # Only entries of the same list (and, for items, the same item type) merge.
        raise SandboxError(f"a {source.kind} cannot be merged into a {target.kind}")
    if any(r.ref_id("ParentRef") == source.id for r in books.records((source.kind,))):
        # The help allows only one side to have sub-entries; stricter: never the merged one.
        raise SandboxError(f"{books.full_name(source)!r} has sub-entries and cannot be merged")
    for other in books.state.records.values():
        # The transactions keep their TimeModified: the pages do not say a merge modifies
        # them, so an integration cannot count on seeing them among the changes.
        _repoint(other.fields, source.id, target.id)
        for line in other.lines:
            _repoint(line, source.id, target.id)
        books.index.file(other)
    # The merged-away entry's custom-field values are not carried over (the pages are silent;
    # stricter: the survivor keeps only its own), and its deletion names it by its own name.
    name = books.full_name(source)
    del books.state.records[source.id]
    books.index.drop(source.id)
    books.holds.discard(source.id)
    deletion = Deletion(kind.del_type, source.id, source.time_created, books.now(), name, False)
    books.state.deletions.append(deletion)
    return deletion


def _repoint(values: dict[str, Value], old: str, new: str) -> None:
    for key, value in values.items():
        if isinstance(value, dict) and value.get("ListID") == old:
            values[key] = {"ListID": new}
