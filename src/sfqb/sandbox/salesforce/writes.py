"""Record writes: single sObject calls, upsert by external ID, and sObject Collections."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from sfqb.sandbox.salesforce.errors import OrgError, unable_to_lock
from sfqb.sandbox.salesforce.faults import Faults, RecordFault
from sfqb.sandbox.salesforce.ids import IdError, normalize
from sfqb.sandbox.salesforce.org import MultipleMatches, Org

MAX_COLLECTION = 200
# "If the request body includes objects of more than one type, they are processed as chunks
# ... A single request can process up to 10 chunks." (Create/Update Records Using sObject
# Collections, REST API Developer Guide). The page gives no error code for an 11th chunk: the
# sandbox refuses the whole request with StatusCode EXCEEDED_MAX_TYPES_LIMIT and the platform's
# own text for this limit (the stricter reading).
MAX_CHUNKS = 10
_TOO_MANY_CHUNKS = (
    "Cannot have more than 10 chunks in a single operation. Please rearrange the data to "
    "reduce chunking."
)
# A System.LimitException cannot be caught: the whole save is rolled back. The docs do not say
# how sObject Collections report it; the sandbox fails every record of the request with the
# trigger error and saves none (the stricter reading).
_CPU_LIMIT = "sfqbTrigger: System.LimitException: Apex CPU time limit exceeded"
_DUPLICATE_RULE = "Use one of these records?"
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
        refusal = self.faults.refusal(_canon(record_id))
        if refusal is not None:
            message = refusal.message
            if refusal.fault is RecordFault.DUPLICATE_RULE and not message:
                message = _DUPLICATE_RULE
            raise OrgError(refusal.fault.value, message, refusal.fields)
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
        types = [_type_of(record).lower() for record in records]
        chunks = sum(1 for i, kind in enumerate(types) if i == 0 or kind != types[i - 1])
        if chunks > MAX_CHUNKS:
            raise OrgError("EXCEEDED_MAX_TYPES_LIMIT", _TOO_MANY_CHUNKS)
        budget = self.faults.cpu_budget
        if budget is not None and len(records) > budget:
            error = OrgError("CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY", _CPU_LIMIT)
            return [{"success": False, "errors": [error.to_record_error()]} for _ in records]
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
        values = [str(_value(r, fdef.name) or "").lower() for r in records]
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
            # allOrNone false: "continue with the independent creation of other objects in
            # the request" (sObject Collections, REST API Developer Guide): each record stands
            # alone, nothing is rolled back, so the org is not copied for every request.
            with self.org.transaction(restore=all_or_none):
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
            if _id_of(record) is not None:
                raise OrgError("INVALID_FIELD", "cannot specify Id in an insert call", ["Id"])
            return self.create(_type_of(record), record), True

        return step

    def _update_step(self, record: Mapping[str, Any]) -> Callable[[], tuple[str | None, bool]]:
        def step() -> tuple[str | None, bool]:
            raw = _id_of(record)
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
            value = _value(record, field)
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


def _value(record: Mapping[str, Any], name: str) -> Any:
    """A field of a request body under any spelling of its name: field names are
    case-insensitive (the sObject Collections update example itself writes "id"); the value is
    kept as given, so record Ids stay case-sensitive."""
    lowered = name.lower()
    return next((v for k, v in record.items() if k.lower() == lowered), None)


def _id_of(record: Mapping[str, Any]) -> Any:
    return _value(record, "Id")


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
