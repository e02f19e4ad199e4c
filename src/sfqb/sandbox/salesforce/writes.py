"""Record writes: single sObject calls, upsert by external ID, and sObject Collections."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from sfqb.sandbox.salesforce.errors import OrgError, unable_to_lock
from sfqb.sandbox.salesforce.faults import Faults
from sfqb.sandbox.salesforce.ids import IdError, normalize
from sfqb.sandbox.salesforce.org import MultipleMatches, Org

MAX_COLLECTION = 200
_ROLLED_BACK = OrgError(
    "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    "Record rolled back because not all records were valid and the request was using AllOrNone "
    "header",
)


class _RollBack(Exception):
    """Raised inside an allOrNone transaction so the org restores its records."""


class Writer:
    """Applies writes to the org, failing record writes when the faults say so."""

    def __init__(self, org: Org, faults: Faults) -> None:
        self.org = org
        self.faults = faults

    def create(self, sobject: str, body: Mapping[str, Any]) -> str:
        """Create one record; returns its Id."""
        self.org.describe(sobject)
        if self.faults.take_lock():
            raise unable_to_lock(None)
        return self.org.create(sobject, body)

    def update(self, sobject: str, record_id: str, body: Mapping[str, Any]) -> None:
        """Update one record."""
        self.org.get(sobject, record_id)
        if self.faults.take_lock(_canon(record_id)):
            raise unable_to_lock(_canon(record_id))
        self.org.update(sobject, record_id, body)

    def delete(self, sobject: str, record_id: str) -> None:
        """Delete one record."""
        self.org.get(sobject, record_id)
        if self.faults.take_lock(_canon(record_id)):
            raise unable_to_lock(_canon(record_id))
        self.org.delete(sobject, record_id)

    def upsert(
        self, sobject: str, field: str, value: str, body: Mapping[str, Any]
    ) -> tuple[str, bool]:
        """Create or update by external ID; returns (Id, created)."""
        matches = self.org.match(sobject, field, value)
        if self.faults.take_lock(matches[0] if len(matches) == 1 else None):
            raise unable_to_lock(matches[0] if len(matches) == 1 else None)
        return self.org.upsert(sobject, field, value, body)

    def collection(self, method: str, body: Any, ids: list[str], all_or_none: bool) -> list[Any]:
        """POST (create), PATCH (update) or DELETE on /composite/sobjects; results in order."""
        if method == "DELETE":
            _check_size(ids)
            steps = [self._delete_step(i) for i in ids]
            return self._run(steps, all_or_none, with_created=False)
        records, all_or_none = _records(body)
        _check_size(records)
        for record in records:
            _type_of(record)
        if method == "POST":
            steps = [self._create_step(r) for r in records]
        else:
            steps = [self._update_step(r) for r in records]
        return self._run(steps, all_or_none, with_created=False)

    def collection_upsert(self, sobject: str, field: str, body: Any) -> list[Any]:
        """PATCH /composite/sobjects/{sobject}/{field}: upsert up to 200 records by external ID."""
        obj = self.org.describe(sobject)
        fdef = obj.field(field)
        if fdef is None or not fdef.external_id:
            raise OrgError(
                "INVALID_FIELD",
                f"Field name provided, {field} is not an External ID or indexed field",
            )
        records, all_or_none = _records(body)
        _check_size(records)
        values = [str(r.get(fdef.name) or "").lower() for r in records]
        repeated = {v for v, n in Counter(values).items() if v and n > 1}
        steps = [
            self._upsert_step(obj.name, fdef.name, record, value in repeated)
            for record, value in zip(records, values, strict=True)
        ]
        return self._run(steps, all_or_none, with_created=True)

    def _run(
        self,
        steps: list[Callable[[], tuple[str | None, bool]]],
        all_or_none: bool,
        with_created: bool,
    ) -> list[Any]:
        outcomes: list[tuple[str | None, bool, OrgError | None]] = []

        def apply() -> None:
            for step in steps:
                try:
                    record_id, created = step()
                    outcomes.append((record_id, created, None))
                except OrgError as exc:
                    outcomes.append((exc.record_id, False, exc))
            if all_or_none and any(err for _, _, err in outcomes):
                raise _RollBack

        try:
            with self.org.transaction():
                apply()
        except _RollBack:
            outcomes = [
                (None if err is None and created else rid, False, err or _ROLLED_BACK)
                for rid, created, err in outcomes
            ]
        results = []
        for record_id, created, err in outcomes:
            row: dict[str, Any] = {} if record_id is None else {"id": record_id}
            row["success"] = err is None
            row["errors"] = [] if err is None else [err.to_record_error()]
            if with_created:
                row["created"] = created
            results.append(row)
        return results

    def _create_step(self, record: Mapping[str, Any]) -> Callable[[], tuple[str | None, bool]]:
        def step() -> tuple[str | None, bool]:
            if "Id" in record:
                raise OrgError("INVALID_FIELD", "cannot specify Id in an insert call", ["Id"])
            return self.create(_type_of(record), record), True

        return step

    def _update_step(self, record: Mapping[str, Any]) -> Callable[[], tuple[str | None, bool]]:
        def step() -> tuple[str | None, bool]:
            raw = record.get("Id")
            if not raw:
                raise OrgError("MISSING_ARGUMENT", "Id not specified in an update call")
            record_id = _known_id(str(raw))
            try:
                self.update(_type_of(record), record_id, record)
            except OrgError as exc:
                raise _with_id(_cross_ref(exc), record_id) from None
            return record_id, False

        return step

    def _delete_step(self, raw: str) -> Callable[[], tuple[str | None, bool]]:
        def step() -> tuple[str | None, bool]:
            record_id = _known_id(raw)
            sobject = self.org.sobject_of(record_id)
            if sobject is None:
                raise _with_id(OrgError("MALFORMED_ID", f"malformed id {raw}"), record_id)
            try:
                self.delete(sobject, record_id)
            except OrgError as exc:
                raise _with_id(_cross_ref(exc), record_id) from None
            return record_id, False

        return step

    def _upsert_step(
        self, sobject: str, field: str, record: Mapping[str, Any], repeated: bool
    ) -> Callable[[], tuple[str | None, bool]]:
        def step() -> tuple[str | None, bool]:
            value = record.get(field)
            if _type_of(record).lower() != sobject.lower():
                raise OrgError("INVALID_TYPE", f"Record type must be {sobject}")
            if value in (None, ""):
                raise OrgError("MISSING_ARGUMENT", f"{field} not specified", [field])
            if repeated:
                raise OrgError(
                    "DUPLICATE_EXTERNAL_ID", f"Duplicate external id specified: {value}", [field]
                )
            try:
                return self.upsert(sobject, field, str(value), record)
            except MultipleMatches as exc:
                raise OrgError(
                    "DUPLICATE_EXTERNAL_ID",
                    f"{field}: more than one record found for external id field: {exc.ids}",
                    [field],
                ) from None

        return step


def _records(body: Any) -> tuple[list[Mapping[str, Any]], bool]:
    if not isinstance(body, dict) or not isinstance(body.get("records"), list):
        raise OrgError("JSON_PARSER_ERROR", "Expected an object with a records array")
    records = body["records"]
    if not all(isinstance(r, dict) for r in records):
        raise OrgError("JSON_PARSER_ERROR", "Each record must be a JSON object")
    return records, bool(body.get("allOrNone", False))


def _check_size(items: list[Any]) -> None:
    if len(items) > MAX_COLLECTION:
        raise OrgError(
            "EXCEEDED_ID_LIMIT",
            f"record limit reached. cannot submit more than {MAX_COLLECTION} records into this "
            "call",
        )


def _type_of(record: Mapping[str, Any]) -> str:
    attributes = record.get("attributes")
    kind = attributes.get("type") if isinstance(attributes, dict) else None
    if not isinstance(kind, str) or not kind:
        raise OrgError("INVALID_TYPE", "Must send a concrete entity type.")
    return kind


def _canon(record_id: str) -> str:
    try:
        return normalize(record_id)
    except IdError:
        return record_id


def _known_id(raw: str) -> str:
    try:
        return normalize(raw)
    except IdError:
        raise OrgError("MALFORMED_ID", f"malformed id {raw}") from None


def _cross_ref(exc: OrgError) -> OrgError:
    if exc.error_code == "NOT_FOUND":
        return OrgError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
    return exc


def _with_id(exc: OrgError, record_id: str) -> OrgError:
    exc.record_id = record_id
    return exc
