"""Runs parsed SOQL against the org: filters, date literals, ordering, shaping of records."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sfqb.sandbox.salesforce.errors import OrgError
from sfqb.sandbox.salesforce.ids import IdError, normalize
from sfqb.sandbox.salesforce.org import Org, Record
from sfqb.sandbox.salesforce.schema import FieldDef, ObjectDef
from sfqb.sandbox.salesforce.soql import (
    BoolOp,
    Comparison,
    Condition,
    Count,
    FieldRef,
    InList,
    Like,
    Literal,
    Not,
    Query,
    SoqlError,
    like_regex,
    parse,
)
from sfqb.sandbox.salesforce.values import to_json

Predicate = Callable[[Record], bool]
_IDS = frozenset({"id", "reference"})


@dataclass(frozen=True)
class QueryResult:
    """All matching records, already shaped as JSON objects; paging is the caller's job."""

    total_size: int
    records: list[dict[str, Any]]


def run_query(org: Org, text: str, include_deleted: bool, version: str) -> QueryResult:
    """Parse and run one SOQL query; errors come out as OrgError (MALFORMED_QUERY and friends)."""
    try:
        query = parse(text)
    except SoqlError as exc:
        raise OrgError("MALFORMED_QUERY", str(exc)) from None
    obj = org.schema.object(query.sobject)
    if obj is None:
        raise OrgError(
            "INVALID_TYPE",
            f"sObject type '{query.sobject}' is not supported. If you are attempting to use a "
            "custom object, be sure to append the '__c' after the entity name.",
        )
    runner = _Runner(org, version, include_deleted)
    with org.lock:
        rows = runner.select(obj, query, org.records(obj.name, include_deleted))
        if any(isinstance(f, Count) for f in query.fields):
            return QueryResult(len(rows), [])
        return QueryResult(len(rows), [runner.shape(obj, query, r) for r in rows])


class _Runner:
    def __init__(self, org: Org, version: str, include_deleted: bool) -> None:
        self.org = org
        self.version = version
        self.include_deleted = include_deleted
        self.today = org.now().date()
        self._children: dict[tuple[str, str], dict[str, list[Record]]] = {}

    def select(self, obj: ObjectDef, query: Query, rows: list[Record]) -> list[Record]:
        for item in query.fields:
            if isinstance(item, FieldRef):
                self.resolve(obj, item)
            elif isinstance(item, Query):
                self.validate_subquery(obj, item)
        if query.where is not None:
            keep = self.compile(obj, query.where)
            rows = [r for r in rows if keep(r)]
        for order in reversed(query.order):
            self.resolve(obj, order.field)
            # reverse=True also reverses where nulls land, so flip the null rank for DESC.
            nulls_high = order.nulls_last != order.descending
            key = self.sort_key(obj, order.field, nulls_high)
            rows.sort(key=key, reverse=order.descending)
        start = query.offset or 0
        end = start + query.limit if query.limit is not None else None
        return rows[start:end]

    def resolve(self, obj: ObjectDef, ref: FieldRef) -> FieldDef:
        """The field a (possibly dotted) path names; INVALID_FIELD when there is none."""
        path = _own_path(obj, ref)
        current = obj
        for rel in path[:-1]:
            ref_field = current.parent_field(rel)
            target = self.org.schema.object(ref_field.reference_to or "") if ref_field else None
            if target is None:
                raise _no_column(ref.text, obj.name)
            current = target
        found = current.field(path[-1])
        if found is None:
            raise _no_column(ref.text, obj.name)
        return found

    def getter(self, obj: ObjectDef, ref: FieldRef) -> Callable[[Record], Any]:
        """How a filter or sort reads `ref` off each record: a field of the record itself is
        one look-up, its path resolved once (a change query tests every record of a table)."""
        path = _own_path(obj, ref)
        if len(path) == 1:
            found = obj.field(path[0])
            assert found is not None
            name = found.name
            return lambda record: record.get(name)
        return lambda record: self.value(obj, ref, record)

    def value(self, obj: ObjectDef, ref: FieldRef, record: Record | None) -> Any:
        path = _own_path(obj, ref)
        current = obj
        for rel in path[:-1]:
            ref_field = current.parent_field(rel)
            assert ref_field is not None and ref_field.reference_to
            target = self.org.schema.object(ref_field.reference_to)
            assert target is not None
            parent_id = record.get(ref_field.name) if record else None
            record = self.org.peek(target.name, parent_id) if parent_id else None
            current = target
        found = current.field(path[-1])
        assert found is not None
        return record.get(found.name) if record else None

    def sort_key(
        self, obj: ObjectDef, ref: FieldRef, nulls_high: bool
    ) -> Callable[[Record], tuple[int, Any]]:
        get = self.getter(obj, ref)

        def key(record: Record) -> tuple[int, Any]:
            value = get(record)
            if value is None:
                return (1 if nulls_high else -1, 0)
            return (0, value.lower() if isinstance(value, str) else value)

        return key

    def compile(self, obj: ObjectDef, cond: Condition) -> Predicate:
        if isinstance(cond, BoolOp):
            parts = [self.compile(obj, c) for c in cond.items]
            if cond.op == "AND":
                return lambda r: all(p(r) for p in parts)
            return lambda r: any(p(r) for p in parts)
        if isinstance(cond, Not):
            inner = self.compile(obj, cond.item)
            return lambda r: not inner(r)
        fdef = self.resolve(obj, cond.field)
        ref = cond.field
        if isinstance(cond, Like):
            if fdef.numeric or fdef.type in ("boolean", "date", "datetime"):
                raise OrgError("MALFORMED_QUERY", f"invalid operator on field {ref.text}: LIKE")
            regex = like_regex(cond.pattern)
            get = self.getter(obj, ref)
            return lambda r: (v := get(r)) is not None and bool(regex.fullmatch(str(v)))
        if isinstance(cond, InList):
            return self.in_list(obj, fdef, cond)
        assert isinstance(cond, Comparison)
        test, get = self.comparator(fdef, ref.text, cond.op, cond.value), self.getter(obj, ref)
        return lambda r: test(get(r))

    def in_list(self, obj: ObjectDef, fdef: FieldDef, cond: InList) -> Predicate:
        """`field [NOT] IN (...)`: the field's value is read once a record, and a list of Ids
        (a read of 200 records by Id) is one set lookup, not a test per Id."""
        ref = cond.field
        ids, tests = None, []
        if fdef.type in _IDS and all(lit.kind == "string" for lit in cond.values):
            ids = frozenset(self.operand(fdef, ref.text, lit) for lit in cond.values)
        else:
            tests = [self.comparator(fdef, ref.text, "=", lit) for lit in cond.values]

        get = self.getter(obj, ref)

        def found(record: Record) -> bool:
            value = get(record)
            return value in ids if ids is not None else any(t(value) for t in tests)

        return (lambda r: not found(r)) if cond.negated else found

    def comparator(self, fdef: FieldDef, name: str, op: str, lit: Literal) -> Callable[[Any], bool]:
        if lit.kind == "null":
            if op not in ("=", "!="):
                raise OrgError("MALFORMED_QUERY", f"null can only be compared with = or !=: {name}")
            return (lambda v: v is None) if op == "=" else (lambda v: v is not None)
        if lit.kind == "range" or (lit.kind == "date" and fdef.type == "datetime"):
            low, high = self.range(fdef, lit)
            return _range_test(op, low, high)
        target = self.operand(fdef, name, lit)
        return _compare_test(op, target, fold=isinstance(target, str) and fdef.type not in _IDS)

    def operand(self, fdef: FieldDef, name: str, lit: Literal) -> Any:
        kind = fdef.type
        wrong = OrgError(
            "MALFORMED_QUERY",
            f"value of filter criterion for field '{name}' must be of type {kind}",
        )
        if kind in _IDS:
            if lit.kind != "string":
                raise wrong
            try:
                return normalize(lit.value)
            except IdError:
                raise OrgError(
                    "INVALID_QUERY_FILTER_OPERATOR", f"invalid ID field: {lit.value}"
                ) from None
        if fdef.numeric:
            if lit.kind != "number":
                raise wrong
            return lit.value
        if kind == "boolean":
            if lit.kind != "boolean":
                raise wrong
            return lit.value
        if kind == "date":
            if lit.kind != "date":
                raise wrong
            return lit.value
        if kind == "datetime":
            if lit.kind != "datetime":
                raise wrong
            return lit.value
        if lit.kind != "string":
            raise wrong
        return lit.value.lower()

    def range(self, fdef: FieldDef, lit: Literal) -> tuple[Any, Any]:
        if fdef.type not in ("date", "datetime"):
            raise OrgError("MALFORMED_QUERY", f"date literal used on non-date field {fdef.name}")
        if lit.kind == "date":
            start, end = lit.value, lit.value + timedelta(days=1)
        else:
            start, end = _date_range(self.today, lit.value, lit.n or 0)
        if fdef.type == "date":
            return start, end
        return (datetime.combine(start, time(), UTC), datetime.combine(end, time(), UTC))

    def shape(self, obj: ObjectDef, query: Query, record: Record) -> dict[str, Any]:
        out: dict[str, Any] = {"attributes": self.attributes(obj.name, record["Id"])}
        for item in query.fields:
            if isinstance(item, Query):
                out[self.child_name(obj, item)] = self.children(obj, item, record)
            elif isinstance(item, FieldRef):
                self.put(obj, item, record, out)
        return out

    def attributes(self, sobject: str, record_id: str) -> dict[str, str]:
        url = f"/services/data/v{self.version}/sobjects/{sobject}/{record_id}"
        return {"type": sobject, "url": url}

    def put(self, obj: ObjectDef, ref: FieldRef, record: Record, out: dict[str, Any]) -> None:
        path = _own_path(obj, ref)
        current, target_out, rec = obj, out, record
        for rel in path[:-1]:
            ref_field = current.parent_field(rel)
            assert ref_field is not None and ref_field.reference_to
            parent_def = self.org.schema.object(ref_field.reference_to)
            assert parent_def is not None
            rel_name = ref_field.name[:-2]
            parent = (
                self.org.peek(parent_def.name, rec[ref_field.name]) if rec[ref_field.name] else None
            )
            if parent is None:
                target_out[rel_name] = None
                return
            existing = target_out.get(rel_name)
            if not isinstance(existing, dict):
                existing = {"attributes": self.attributes(parent_def.name, parent["Id"])}
                target_out[rel_name] = existing
            current, target_out, rec = parent_def, existing, parent
        fdef = current.field(path[-1])
        assert fdef is not None
        target_out[fdef.name] = to_json(rec.get(fdef.name))

    def child_name(self, obj: ObjectDef, sub: Query) -> str:
        rel = obj.child(sub.sobject)
        if rel is None:
            raise OrgError(
                "INVALID_TYPE",
                f"Didn't understand relationship '{sub.sobject}' in FROM part of query call.",
            )
        return rel.name

    def validate_subquery(self, obj: ObjectDef, sub: Query) -> None:
        """Check a subquery's relationship and fields once, before any row is shaped."""
        self.child_name(obj, sub)
        rel = obj.child(sub.sobject)
        child_def = self.org.schema.object(rel.child) if rel else None
        assert child_def is not None
        self.select(child_def, sub, [])

    def children(self, obj: ObjectDef, sub: Query, record: Record) -> dict[str, Any] | None:
        rel = obj.child(sub.sobject)
        assert rel is not None
        child_def = self.org.schema.object(rel.child)
        assert child_def is not None
        key = (child_def.name, rel.field)
        if key not in self._children:
            index: dict[str, list[Record]] = {}
            for row in self.org.records(child_def.name, self.include_deleted):
                index.setdefault(row[rel.field], []).append(row)
            self._children[key] = index
        rows = self.select(child_def, sub, list(self._children[key].get(record["Id"], [])))
        if not rows:
            return None
        shaped = [self.shape(child_def, sub, r) for r in rows]
        return {"totalSize": len(shaped), "done": True, "records": shaped}


def _own_path(obj: ObjectDef, ref: FieldRef) -> list[str]:
    """`ref`'s path from `obj`, without the object's own name in front (Account.Name)."""
    path = list(ref.path)
    return path[1:] if len(path) > 1 and path[0].lower() == obj.name.lower() else path


def _no_column(name: str, sobject: str) -> OrgError:
    return OrgError(
        "INVALID_FIELD",
        f"No such column '{name}' on entity '{sobject}'. If you are attempting to use a custom "
        "field, be sure to append the '__c' after the custom field name.",
    )


def _compare_test(op: str, target: Any, fold: bool) -> Callable[[Any], bool]:
    def norm(value: Any) -> Any:
        return value.lower() if fold and isinstance(value, str) else value

    tests: dict[str, Callable[[Any], bool]] = {
        "=": lambda v: v is not None and norm(v) == target,
        "!=": lambda v: v is None or norm(v) != target,
        "<": lambda v: v is not None and norm(v) < target,
        "<=": lambda v: v is not None and norm(v) <= target,
        ">": lambda v: v is not None and norm(v) > target,
        ">=": lambda v: v is not None and norm(v) >= target,
    }
    return tests[op]


def _range_test(op: str, low: Any, high: Any) -> Callable[[Any], bool]:
    tests: dict[str, Callable[[Any], bool]] = {
        "=": lambda v: v is not None and low <= v < high,
        "!=": lambda v: v is None or not low <= v < high,
        "<": lambda v: v is not None and v < low,
        "<=": lambda v: v is not None and v < high,
        ">": lambda v: v is not None and v >= high,
        ">=": lambda v: v is not None and v >= low,
    }
    return tests[op]


def _date_range(today: date, name: str, n: int) -> tuple[date, date]:
    day = timedelta(days=1)
    if name in ("TODAY", "YESTERDAY", "TOMORROW"):
        start = today + {"TODAY": 0, "YESTERDAY": -1, "TOMORROW": 1}[name] * day
        return start, start + day
    if name == "LAST_N_DAYS":
        return today - n * day, today + day
    if name == "NEXT_N_DAYS":
        return today + day, today + (n + 1) * day
    if name == "N_DAYS_AGO":
        return today - n * day, today - (n - 1) * day
    if name == "LAST_90_DAYS":
        return today - 90 * day, today + day
    if name == "NEXT_90_DAYS":
        return today + day, today + 91 * day
    shift = {"LAST": -1, "THIS": 0, "NEXT": 1}[name.split("_", maxsplit=1)[0]]
    unit = name.split("_")[1]
    if unit == "WEEK":
        start = today - ((today.weekday() + 1) % 7) * day + shift * 7 * day
        return start, start + 7 * day
    if unit == "MONTH":
        month_index = today.year * 12 + today.month - 1 + shift
        year, month = divmod(month_index, 12)
        start = date(year, month + 1, 1)
        return start, start + calendar.monthrange(year, month + 1)[1] * day
    year = today.year + shift
    return date(year, 1, 1), date(year + 1, 1, 1)
