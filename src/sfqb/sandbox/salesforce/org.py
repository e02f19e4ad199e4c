"""The in-memory org: records per sObject, validation, timestamps, the delete log."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sfqb.sandbox.salesforce import rules
from sfqb.sandbox.salesforce.clock import system_clock
from sfqb.sandbox.salesforce.config import Clock
from sfqb.sandbox.salesforce.errors import (
    OrgError,
    entity_deleted,
    malformed_id,
    not_found,
)
from sfqb.sandbox.salesforce.ids import IdError, IdMinter, normalize
from sfqb.sandbox.salesforce.schema import ObjectDef, Schema
from sfqb.sandbox.salesforce.values import coerce, truncate_ms

Record = dict[str, Any]


@dataclass(frozen=True)
class Deletion:
    """One entry of the delete log (what getDeleted reports)."""

    sobject: str
    id: str
    deleted: datetime


class Org:
    """Records of every sObject, kept as typed values; all methods are thread-safe.

    Records returned by `get` and `records` are copies. Timestamps come from `clock`,
    truncated to milliseconds.
    """

    def __init__(
        self, clock: Clock | None = None, schema: Schema | None = None, pod: str = "8d"
    ) -> None:
        self.clock: Clock = clock or system_clock
        self.schema = schema or Schema.load()
        self.lock = threading.RLock()
        self._minter = IdMinter(pod)
        self._data: dict[str, dict[str, Record]] = {name: {} for name in self.schema.objects}
        self._deleted: list[Deletion] = []
        # (sObject, unique field) -> lowercased value -> Ids that held it (`_holding`)
        self._unique: dict[tuple[str, str], dict[str, dict[str, None]]] = {}
        self.org_id = ""
        self.refresh()
        self.user_id = ""
        self.user_id = self.create(
            "User", {"Username": "integration@sfqb.example", "LastName": "Integration"}
        )
        self._data["User"][self.user_id].update(
            CreatedById=self.user_id, LastModifiedById=self.user_id
        )
        self.standard_pricebook_id = self.create(
            "Pricebook2", {"Name": "Standard Price Book", "IsActive": True}
        )
        self._data["Pricebook2"][self.standard_pricebook_id]["IsStandard"] = True

    def refresh(self) -> str:
        """Give the org a new Id, as a sandbox refresh (a copy of production) does."""
        with self.lock:
            now = self.now()
            record: Record = dict.fromkeys(self.schema.objects["Organization"].fields)
            self.org_id = self._minter.mint("00D")
            record.update(
                Id=self.org_id, Name="sfqb sandbox org", OrganizationType="Developer Edition",
                IsSandbox=True, IsDeleted=False, CreatedDate=now, LastModifiedDate=now,
                SystemModstamp=now,
            )  # fmt: skip
            self._data["Organization"] = {self.org_id: record}
            return self.org_id

    def now(self) -> datetime:
        """The clock's time, UTC, millisecond precision."""
        return truncate_ms(self.clock())

    def describe(self, sobject: str) -> ObjectDef:
        """The schema of `sobject`; NOT_FOUND when the org has no such type."""
        obj = self.schema.object(sobject)
        if obj is None:
            raise OrgError(
                "NOT_FOUND", f"The requested resource does not exist: {sobject}", [], 404
            )
        return obj

    def create(self, sobject: str, values: Mapping[str, Any]) -> str:
        """Insert a record; returns its 18-character Id."""
        obj = self.describe(sobject)
        with self.lock:
            typed = self._typed(obj, values, creating=True)
            missing = [n for n in obj.required if typed.get(n) in (None, "")]
            if missing:
                raise OrgError(
                    "REQUIRED_FIELD_MISSING",
                    f"Required fields are missing: [{', '.join(missing)}]",
                    missing,
                )
            record: Record = dict.fromkeys(obj.fields)
            record.update(typed)
            rules.check_and_derive(self, obj, record, None)
            self._check_unique(obj, record, None)
            now = self.now()
            record_id = self._minter.mint(obj.prefix)
            record.update(
                Id=record_id,
                IsDeleted=False,
                CreatedDate=now,
                LastModifiedDate=now,
                SystemModstamp=now,
                CreatedById=self.user_id or None,
                LastModifiedById=self.user_id or None,
            )
            self._data[obj.name][record_id] = record
            self._indexed(obj.name, record)
            rules.after_write(self, obj, record)
            return record_id

    def update(
        self, sobject: str, record_id: str, values: Mapping[str, Any], *, by: str | None = None
    ) -> None:
        """Change fields of a live record, as the user `by` (default: the integration user).

        `by` stands for a person editing the record in Salesforce's UI; LastModifiedById takes
        that user's Id.
        """
        obj = self.describe(sobject)
        with self.lock:
            if by is not None and by not in self._data["User"]:
                raise OrgError("INVALID_CROSS_REFERENCE_KEY", f"no User {by}", [])
            record = self._live(obj, record_id)
            typed = self._typed(obj, values, creating=False)
            blanked = [n for n in obj.required if n in typed and typed[n] in (None, "")]
            if blanked:
                raise OrgError(
                    "REQUIRED_FIELD_MISSING",
                    f"Required fields are missing: [{', '.join(blanked)}]",
                    blanked,
                )
            candidate = {**record, **typed}
            rules.check_and_derive(self, obj, candidate, record)
            self._check_unique(obj, candidate, record["Id"])
            record.update(candidate)
            self._indexed(obj.name, record)
            self.touch(obj.name, record["Id"], by=by)
            rules.after_write(self, obj, record)

    def touch(self, sobject: str, record_id: str, *, by: str | None = None) -> None:
        """Stamp LastModifiedDate and SystemModstamp with the clock's time.

        LastModifiedById becomes the user who made the change ("ID of the User who last updated
        this record", Salesforce's SOAP API Developer Guide, "System Fields",
        https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/system_fields.htm).
        """
        with self.lock:
            record = self._data[sobject][record_id]
            now = self.now()
            user = by or self.user_id
            record.update(LastModifiedDate=now, SystemModstamp=now, LastModifiedById=user)

    def delete(self, sobject: str, record_id: str) -> None:
        """Move a record (and cascading children) to the recycle bin and log the deletion."""
        obj = self.describe(sobject)
        with self.lock:
            record = self._live(obj, record_id)
            rules.check_delete(self, obj, record)
            for rel in obj.children.values():
                if rel.cascade:
                    for child in list(self._data[rel.child].values()):
                        if child[rel.field] == record["Id"] and not child["IsDeleted"]:
                            self.delete(rel.child, child["Id"])
            now = self.now()
            record.update(IsDeleted=True, SystemModstamp=now)
            self._deleted.append(Deletion(obj.name, record["Id"], now))
            rules.after_write(self, obj, record)

    def upsert(
        self, sobject: str, field: str, value: str, values: Mapping[str, Any]
    ) -> tuple[str, bool]:
        """Create or update by external ID; returns (Id, created). 300 when several match."""
        obj = self.describe(sobject)
        fdef = obj.field(field)
        if fdef is None or not (fdef.external_id or fdef.name == "Id"):
            raise not_found(
                f"Provided external ID field does not exist or is not accessible: {field}"
            )
        given = next((v for k, v in values.items() if k.lower() == fdef.name.lower()), None)
        if given is not None and str(given).lower() != value.lower():
            raise OrgError(
                "INVALID_FIELD",
                f"The value of the external ID field in the URL ({value}) and in the body "
                f"({given}) differ",
                [fdef.name],
            )
        body = {k: v for k, v in values.items() if k.lower() != fdef.name.lower()}
        with self.lock:
            matches = self.match(obj.name, fdef.name, value)
            if len(matches) > 1:
                raise MultipleMatches(obj.name, matches)
            if matches:
                self.update(obj.name, matches[0], body)
                return matches[0], False
            return self.create(obj.name, {**body, fdef.name: value}), True

    def match(self, sobject: str, field: str, value: str) -> list[str]:
        """Ids of live records whose `field` equals `value` (case-insensitive, like Salesforce)."""
        obj = self.describe(sobject)
        fdef = obj.field(field)
        if fdef is None:
            return []
        if fdef.name == "Id":
            found = self.peek(obj.name, value)
            return [found["Id"]] if found and not found["IsDeleted"] else []
        wanted = value.lower()
        with self.lock:
            return [
                r["Id"]
                for r in self._data[obj.name].values()
                if not r["IsDeleted"]
                and r[fdef.name] is not None
                and str(r[fdef.name]).lower() == wanted
            ]

    def get(self, sobject: str, record_id: str) -> Record:
        """A copy of a live record; NOT_FOUND, MALFORMED_ID or ENTITY_IS_DELETED otherwise."""
        obj = self.describe(sobject)
        with self.lock:
            return dict(self._live(obj, record_id))

    def peek(self, sobject: str, record_id: str) -> Record | None:
        """The stored record (deleted or not) or None; the caller must not modify it."""
        try:
            key = normalize(record_id)
        except IdError:
            return None
        with self.lock:
            return self._data.get(sobject, {}).get(key)

    def records(self, sobject: str, include_deleted: bool = False) -> list[Record]:
        """Copies of all records of `sobject`, in creation order."""
        obj = self.describe(sobject)
        with self.lock:
            rows = self._data[obj.name].values()
            return [dict(r) for r in rows if include_deleted or not r["IsDeleted"]]

    def deletions(self, sobject: str, start: datetime, end: datetime) -> list[Deletion]:
        """Deletions of `sobject` with start <= deleted date < end."""
        obj = self.describe(sobject)
        with self.lock:
            return [d for d in self._deleted if d.sobject == obj.name and start <= d.deleted < end]

    def updated_ids(self, sobject: str, start: datetime, end: datetime) -> list[str]:
        """Ids of live records whose SystemModstamp is in [start, end)."""
        obj = self.describe(sobject)
        with self.lock:
            return [
                r["Id"]
                for r in self._data[obj.name].values()
                if not r["IsDeleted"] and start <= r["SystemModstamp"] < end
            ]

    def sobject_of(self, record_id: str) -> str | None:
        """The sObject an Id belongs to, from its key prefix."""
        obj = self.schema.by_prefix(record_id[:3])
        return obj.name if obj else None

    @contextmanager
    def transaction(self, *, restore: bool = True) -> Iterator[None]:
        """Hold the lock; on an exception restore every record and the delete log (without
        `restore`, only hold the lock: the copy of every record costs as much as the org)."""
        with self.lock:
            if not restore:
                yield
                return
            saved = {s: {i: dict(r) for i, r in rows.items()} for s, rows in self._data.items()}
            log = list(self._deleted)
            try:
                yield
            except BaseException:
                self._data = saved
                self._deleted = log
                raise

    def _live(self, obj: ObjectDef, record_id: str) -> Record:
        try:
            key = normalize(record_id)
        except IdError:
            raise malformed_id(obj.name, record_id) from None
        if key[:3] != obj.prefix:
            raise malformed_id(obj.name, record_id)
        record = self._data[obj.name].get(key)
        if record is None:
            raise not_found()
        if record["IsDeleted"]:
            raise entity_deleted()
        return record

    def _typed(self, obj: ObjectDef, values: Mapping[str, Any], creating: bool) -> Record:
        typed: Record = {}
        refused = []
        for name, value in values.items():
            if name == "attributes":
                continue
            fdef = obj.field(name)
            if fdef is None:
                raise OrgError(
                    "INVALID_FIELD", f"No such column '{name}' on sobject of type {obj.name}"
                )
            if fdef.name == "Id" and not creating:
                continue
            if not fdef.writable:
                refused.append(fdef.name)
                continue
            typed[fdef.name] = coerce(fdef, value, obj.name)
        if refused:
            raise OrgError(
                "INVALID_FIELD_FOR_INSERT_UPDATE",
                f"Unable to create/update fields: {', '.join(refused)}. Please check the security "
                "settings of this field and verify that it is read/write for your profile or "
                "permission set.",
                refused,
            )
        return typed

    def _check_unique(self, obj: ObjectDef, record: Record, own_id: str | None) -> None:
        for fdef in obj.fields.values():
            value = record.get(fdef.name)
            if not fdef.unique or value is None:
                continue
            for other in self._holding(obj.name, fdef.name, str(value)):
                if other != own_id:
                    raise OrgError(
                        "DUPLICATE_VALUE",
                        f"duplicate value found: {fdef.name} duplicates value on record with "
                        f"id: {other}",
                    )

    def _holding(self, sobject: str, field: str, value: str) -> list[str]:
        """`match` for a uniqueness check, through an index of the field's values (a write-back
        of 500 external Ids scanned every record of the object 500 times): the Ids that ever
        held the value (`_indexed` only adds: a rolled-back transaction leaves extra ones),
        checked against the records as they are."""
        if field == "Id":
            return self.match(sobject, field, value)
        index = self._unique.get((sobject, field))
        if index is None:
            index = self._unique[(sobject, field)] = {}
            for record in self._data[sobject].values():
                if record[field] is not None:
                    index.setdefault(str(record[field]).lower(), {})[record["Id"]] = None
        wanted, rows = value.lower(), self._data[sobject]
        return [
            i
            for i in index.get(wanted, {})
            if (r := rows.get(i)) is not None
            and not r["IsDeleted"]
            and r[field] is not None
            and str(r[field]).lower() == wanted
        ]

    def _indexed(self, sobject: str, record: Record) -> None:
        """Add a record just written to the indexes `_holding` built for its object."""
        for (name, field), index in self._unique.items():
            if name == sobject and record.get(field) is not None:
                index.setdefault(str(record[field]).lower(), {})[record["Id"]] = None

    def _raw(self, sobject: str) -> dict[str, Record]:
        """The live storage of one sObject, for rules that maintain derived fields."""
        return self._data[sobject]


class MultipleMatches(OrgError):
    """An external-ID value matched several records (HTTP 300)."""

    def __init__(self, sobject: str, ids: list[str]) -> None:
        super().__init__("MULTIPLE_CHOICES", f"{len(ids)} {sobject} records match", status=300)
        self.sobject = sobject
        self.ids = ids
