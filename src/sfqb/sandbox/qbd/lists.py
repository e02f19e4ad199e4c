"""Handlers for list objects: the entities, the Item kinds and the company's other lists."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from lxml import etree

from sfqb.sandbox.qbd.books import Books
from sfqb.sandbox.qbd.fields import check_id, element_text, merge, parse_fields
from sfqb.sandbox.qbd.queries import QueryEngine, date_range, in_range, range_match, text_match
from sfqb.sandbox.qbd.records import Record, Value
from sfqb.sandbox.qbd.refs import resolve_refs
from sfqb.sandbox.qbd.schema import KindSpec, Status

Handler = Callable[[etree._Element, etree._Element], Status | None]
ACTIVE_STATUSES = ("ActiveOnly", "InactiveOnly", "All")


# The deepest Sublevel a hierarchical list record may have (see ListHandlers._check_depth).
MAX_SUBLEVEL = 4


class ListHandlers:
    """Add, Mod and Query for every list kind, plus ItemQuery over all item kinds."""

    def __init__(self, books: Books, queries: QueryEngine) -> None:
        self._books = books
        self._queries = queries
        self._kinds = [k for k in books.schema.kinds.values() if not k.is_txn]

    def table(self) -> dict[str, Handler]:
        """Request name (without Rq) -> handler."""
        handlers: dict[str, Handler] = {}
        for kind in self._kinds:
            handlers[f"{kind.name}Add"] = partial(self.add, kind)
            handlers[f"{kind.name}Mod"] = partial(self.mod, kind)
            handlers[f"{kind.name}Query"] = partial(self.query, (kind,), self.object_types(kind))
        items = tuple(k for k in self._kinds if k.family == "item")
        handlers["ItemQuery"] = partial(self.query, items, ("Item",))
        # TermsQuery returns StandardTerms and DateDrivenTerms (the sandbox keeps the first).
        terms = tuple(k for k in self._kinds if k.family == "terms")
        handlers["TermsQuery"] = partial(self.query, terms, ("Terms",))
        return handlers

    def shapes(self) -> dict[str, tuple[str, tuple[str, ...]]]:
        """Request name -> (body element, children it must have) for the structural check."""
        shapes: dict[str, tuple[str, tuple[str, ...]]] = {}
        for kind in self._kinds:
            required = tuple(f.name for f in kind.fields if f.required)
            shapes[f"{kind.name}Add"] = (f"{kind.name}Add", required)
            shapes[f"{kind.name}Mod"] = (f"{kind.name}Mod", ("ListID", "EditSequence"))
        return shapes

    @staticmethod
    def object_types(kind: KindSpec) -> tuple[str, ...]:
        """The names a `denied` setting may use for this kind (an item is also "Item")."""
        return (kind.name, "Item") if kind.family == "item" else (kind.name,)

    # --- Add / Mod ------------------------------------------------------------------------

    def add(self, kind: KindSpec, request: etree._Element, rs: etree._Element) -> Status | None:
        """<Kind>AddRq: checks rights, preferences, values and the name space, then stores."""
        books = self._books
        books.check_permission(self.object_types(kind), "Add")
        books.check_feature(kind.needs)
        body = request.find(f"{kind.name}Add")
        assert body is not None  # the structural check ran first
        values = parse_fields(books.schema, kind.fields, body, mod=False)
        self.prepare(kind, values, None)
        books.check_lock_add(kind)
        record = books.create(kind, values)
        rs.append(books.render(record))
        return None

    def prepare(self, kind: KindSpec, values: dict[str, Value], record: Record | None) -> None:
        """Validate new values (needs, Name, ParentRef, name space); canonicalizes refs."""
        books = self._books
        for spec in kind.fields:
            if spec.name in values:
                books.check_feature(spec.needs)
        if kind.name == "Employee" and record is None and "Name" not in values:
            parts = [values.get(n) for n in ("FirstName", "MiddleName", "LastName")]
            values["Name"] = " ".join(p for p in parts if isinstance(p, str) and p)
        if kind.name == "SalesRep" and "Initial" in values:
            values["Name"] = values["Initial"]  # a SalesRepRef names the rep by its initials
        resolve_refs(books, kind.fields, values, kind.name)
        name = values.get("Name", record.name() if record else "")
        if not isinstance(name, str) or not name.strip() or ":" in name:
            raise books.schema.status(
                "invalid_value",
                field="Name",
                value=name,
                detail="A name must not be empty or contain a colon (:).",
            )
        parent: Record | None = None
        if "ParentRef" in values:
            same = (
                ("Customer",)
                if kind.family == "entity"
                else tuple(k.name for k in self._kinds if k.family == "item")
            )
            ref_type = "Customer" if kind.family == "entity" else "Item"
            parent = books.resolve(values["ParentRef"], same, ref_type, kind.name)
            if record is not None and self._descends(parent, record):
                raise books.schema.status(
                    "invalid_value", field="ParentRef", value=parent.id, detail="A loop of parents."
                )
            values["ParentRef"] = {"ListID": parent.id}
        elif record is not None and record.ref_id("ParentRef"):
            parent = books.state.records.get(record.ref_id("ParentRef") or "")
        full_name = f"{books.full_name(parent)}:{name}" if parent else name
        if parent is not None:
            self._check_depth(full_name, record)
        books.check_name_free(kind.family, full_name, record.id if record else None)
        if record is not None and "CurrencyRef" in values:
            self._currency_fixed(kind, record, values["CurrencyRef"])

    def _currency_fixed(self, kind: KindSpec, record: Record, wanted: Value) -> None:
        """3180 for a new currency on a name that transactions use: QuickBooks Desktop help,
        "Multicurrency and files updated from earlier versions": "You can't change the currency
        of a name/account if there are transactions recorded for them"."""
        books = self._books
        if record.fields.get("CurrencyRef") in (None, wanted):
            return
        if books.index.ids("CustomerRef", record.id):
            raise books.schema.status(
                "save_failed",
                kind=kind.name,
                detail="You can't change the currency of a name with transactions recorded.",
            )

    def _check_depth(self, full_name: str, record: Record | None) -> None:
        """A hierarchical list holds at most five levels (a top-level name and four below it).

        Source: the QQube (Clearify) "Multi-Level Lists" page: "Some QuickBooks lists have
        multiple levels (up to a total of 5)", e.g. CUSTOMER:SUBJOB_A:...:SUBJOB_D. Intuit's
        qbXML reference is silent on the limit and on the status of a deeper name: the sandbox
        refuses it as an invalid ParentRef (3210), the stricter reading. A record moved under a
        new parent takes its own children down with it, so they count too.
        """
        below = self._height(record) if record is not None else 0
        if full_name.count(":") + below > MAX_SUBLEVEL:
            raise self._books.schema.status(
                "invalid_value",
                field="ParentRef",
                value=full_name,
                detail=f"A list holds at most {MAX_SUBLEVEL + 1} levels of names.",
            )

    def _height(self, record: Record) -> int:
        """How many levels of children hang below `record` (0 for none)."""
        children = self._books.with_key("ParentRef", record.id)
        return 1 + max((self._height(c) for c in children), default=-1) if children else 0

    def _descends(self, candidate: Record, ancestor: Record) -> bool:
        current: Record | None = candidate
        seen: set[str] = set()
        while current is not None and current.id not in seen:
            if current.id == ancestor.id:
                return True
            seen.add(current.id)
            current = self._books.state.records.get(current.ref_id("ParentRef") or "")
        return False

    def mod(self, kind: KindSpec, request: etree._Element, rs: etree._Element) -> Status | None:
        """<Kind>ModRq: ListID + EditSequence, then the changed fields."""
        books = self._books
        books.check_permission(self.object_types(kind), "Mod")
        body = request.find(f"{kind.name}Mod")
        assert body is not None
        record = books.get(element_text(body, "ListID") or "", "ListID", (kind.name,))
        edit_sequence = element_text(body, "EditSequence") or ""
        if edit_sequence != record.edit_sequence:
            raise books.schema.status("stale_edit_sequence", value=edit_sequence)
        books.check_feature(kind.needs)
        values = parse_fields(books.schema, kind.fields, body, mod=True)
        self.prepare(kind, values, record)
        books.check_lock_mod(record)
        merge(kind.fields, record.fields, values)
        books.touch(record)
        rs.append(books.render(record))
        return None

    # --- Query ----------------------------------------------------------------------------

    def query(
        self,
        kinds: tuple[KindSpec, ...],
        object_types: tuple[str, ...],
        request: etree._Element,
        rs: etree._Element,
    ) -> Status | None:
        """<Kind>QueryRq / ItemQueryRq: by ListID, by FullName, or by filters."""
        books = self._books
        books.check_permission(object_types, "Query")
        names = tuple(k.name for k in kinds)
        owner_ids = [(e.text or "").strip() for e in request.findall("OwnerID")]
        include = [(e.text or "").strip() for e in request.findall("IncludeRetElement")]

        def select() -> tuple[list[Record], list[str]]:
            return self._select(names, request)

        def render(record: Record) -> etree._Element:
            return books.render(record, owner_ids=owner_ids, include=include)

        return self._queries.run(request, rs, select, render)

    def _select(
        self, names: tuple[str, ...], request: etree._Element
    ) -> tuple[list[Record], list[str]]:
        books = self._books
        found: list[Record] = []
        missing: list[str] = []
        ids = [(e.text or "").strip() for e in request.findall("ListID")]
        full_names = [(e.text or "").strip() for e in request.findall("FullName")]
        if ids:
            for raw in ids:
                record = books.state.records.get(check_id(books.schema, raw, "ListID"))
                if record is not None and record.kind in names:
                    found.append(record)
                else:
                    missing.append(raw)
            return found, missing
        if full_names:
            for name in full_names:
                match = books.by_full_name(names, name)
                if match is None:
                    missing.append(name)
                else:
                    found.append(match)
            return found, missing
        status = element_text(request, "ActiveStatus") or "ActiveOnly"
        if status not in ACTIVE_STATUSES:
            raise books.schema.status(
                "invalid_value", field="ActiveStatus", value=status, detail="Unknown status."
            )
        bounds = date_range(books, request, "FromModifiedDate", "ToModifiedDate")
        name_filter = request.find("NameFilter")
        name_range = request.find("NameRangeFilter")
        for record in books.records(names):
            if status == "ActiveOnly" and not record.is_active:
                continue
            if status == "InactiveOnly" and record.is_active:
                continue
            full_name = books.full_name(record)
            if (
                in_range(record.time_modified, bounds)
                and text_match(full_name, name_filter, "Name")
                and range_match(full_name, name_range, "FromName", "ToName")
            ):
                found.append(record)
        found.sort(key=lambda r: books.full_name(r).casefold())
        return found, missing
