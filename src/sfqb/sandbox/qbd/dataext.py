"""Custom fields: DataExtDefAdd/Query and DataExtAdd/Mod/Del values on records or the company.

Intuit's pages the rules come from (developer.intuit.com, QuickBooks Desktop SDK):
* "Data extensions: custom fields and private data" (tutorial): public custom fields
  (OwnerID 0) exist only on customers, employees, items and vendors, are STR255TYPE, and
  QuickBooks allows a fixed number per list (data/custom_fields.yaml has the numbers).
* OSR DataExtAdd / DataExtMod: "Both DataExtAdd and DataExtMod cause a Modify event to be
  generated for the parent object ... The Time Modified value for that parent object is also
  updated" - the parent gets a new TimeModified and EditSequence; DataExtRet carries neither,
  so a later Mod with the EditSequence read before gets 3200. DataExtMod "can only be invoked"
  when the object has a value, and "cannot be used to clear the field": DataExtDel does that.
Not documented, chosen strictly: DataExtDefAdd with no free slot and DataExtAdd on an object
that already has a value are refused with 3180 (QuickBooks' "error when saving"); an empty
DataExtMod value is refused with 3210; DataExtDel also modifies the parent.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable

from lxml import etree

from sfqb.connectors.qbd.qbxml import custom_field_rules
from sfqb.sandbox.qbd.books import Books
from sfqb.sandbox.qbd.fields import element_text, parse_value, qb_text
from sfqb.sandbox.qbd.records import DataExtDef, Record, data_ext_key, format_time
from sfqb.sandbox.qbd.schema import FieldSpec, Status
from sfqb.sync.slots import full_list

Handler = Callable[[etree._Element, etree._Element], Status | None]
GUID = re.compile(r"0|\{[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}\}")
REF = FieldSpec("ListObjRef", "ref")
TYPES = {
    "AMTTYPE": None,
    "DATETIMETYPE": None,
    "INTTYPE": None,
    "PERCENTTYPE": None,
    "PRICETYPE": None,
    "QUANTYPE": None,
    "STR1024TYPE": 1024,
    "STR255TYPE": 255,
}


PUBLIC = "0"


CUSTOM_FIELDS = custom_field_rules()


def _sub(parent: etree._Element, tag: str, text: str) -> None:
    etree.SubElement(parent, tag).text = text


class DataExtHandlers:
    """Definitions are unique per OwnerID and name; values are kept per record."""

    def __init__(self, books: Books) -> None:
        self._books = books

    def table(self) -> dict[str, Handler]:
        """Request name (without Rq) -> handler."""
        return {
            "DataExtDefAdd": self.def_add,
            "DataExtDefQuery": self.def_query,
            "DataExtAdd": lambda rq, rs: self.set_value(rq, rs, "DataExtAdd"),
            "DataExtMod": lambda rq, rs: self.set_value(rq, rs, "DataExtMod"),
            "DataExtDel": self.delete_value,
        }

    def shapes(self) -> dict[str, tuple[str, tuple[str, ...]]]:
        """Request name -> (body element, children it must have)."""
        value = ("OwnerID", "DataExtName", "DataExtValue")
        return {
            "DataExtDefAdd": ("DataExtDefAdd", ("OwnerID", "DataExtName", "DataExtType")),
            "DataExtAdd": ("DataExtAdd", value),
            "DataExtMod": ("DataExtMod", value),
            "DataExtDel": ("DataExtDel", ("OwnerID", "DataExtName")),
        }

    def _owner(self, body: etree._Element) -> str:
        owner = element_text(body, "OwnerID") or ""
        if not GUID.fullmatch(owner):
            raise self._books.schema.status("invalid_id", value=owner, field="OwnerID")
        return owner.upper()

    def find_def(self, owner: str, name: str) -> DataExtDef | None:
        """The definition for an owner and (case-insensitive) name."""
        key = data_ext_key(owner, name)
        return next(
            (d for d in self._books.state.data_ext_defs if data_ext_key(d.owner_id, d.name) == key),
            None,
        )

    def def_add(self, request: etree._Element, rs: etree._Element) -> Status | None:
        """DataExtDefAddRq: 3100 when the owner already has a field of that name."""
        books = self._books
        books.check_permission(("DataExtDef",), "Add")
        body = request.find("DataExtDefAdd")
        assert body is not None
        owner = self._owner(body)
        name = qb_text(element_text(body, "DataExtName") or "")
        if len(name) > 31:
            raise books.schema.status("too_long", value=name, field="DataExtName")
        data_type = element_text(body, "DataExtType") or ""
        if data_type not in TYPES:
            raise books.schema.status(
                "invalid_value", field="DataExtType", value=data_type, detail="Unknown type."
            )
        if self.find_def(owner, name) is not None:
            raise books.schema.status("name_in_use", value=name)
        assign = [(e.text or "").strip() for e in body.findall("AssignToObject")]
        if owner == PUBLIC:
            self.check_public(name, data_type, assign)
        definition = DataExtDef(owner, books.state.next("data_ext_id"), name, data_type, assign)
        books.state.data_ext_defs.append(definition)
        self._render_def(rs, definition)
        return None

    def check_public(self, name: str, data_type: str, assign: list[str]) -> None:
        """A custom field: STR255TYPE, on the name lists or items only, and a free slot."""
        books = self._books
        if data_type != CUSTOM_FIELDS["type"]:
            raise books.schema.status(
                "invalid_value",
                field="DataExtType",
                value=data_type,
                detail=f"A custom field must be {CUSTOM_FIELDS['type']}.",
            )
        wrong = [a for a in assign if a not in CUSTOM_FIELDS["lists"]]
        if wrong or not assign:
            raise books.schema.status(
                "invalid_value",
                field="AssignToObject",
                value=wrong[0] if wrong else "",
                detail="Custom fields are only for customers, vendors, employees and items.",
            )
        public = (d.assign_to for d in books.state.data_ext_defs if d.owner_id == PUBLIC)
        limits = CUSTOM_FIELDS["editions"][books.settings.edition]
        full = full_list(public, limits, assign)
        if full is not None:
            raise books.schema.status(
                "save_failed",
                kind=f'DataExtDef "{name}"',
                detail=f"All custom fields of {full} are in use.",
            )

    def _render_def(self, rs: etree._Element, definition: DataExtDef) -> None:
        ret = etree.SubElement(rs, "DataExtDefRet")
        _sub(ret, "OwnerID", definition.owner_id)
        _sub(ret, "DataExtID", str(definition.data_ext_id))
        _sub(ret, "DataExtName", definition.name)
        _sub(ret, "DataExtType", definition.type)
        for target in definition.assign_to:
            _sub(ret, "AssignToObject", target)
        _sub(ret, "DataExtListRequire", "false")
        _sub(ret, "DataExtTxnRequire", "false")
        _sub(ret, "DataExtFormatString", "")

    def def_query(self, request: etree._Element, rs: etree._Element) -> Status | None:
        """DataExtDefQueryRq, optionally filtered by OwnerID or AssignToObject."""
        books = self._books
        books.check_permission(("DataExtDef",), "Query")
        owners = {(e.text or "").strip().upper() for e in request.findall("OwnerID")}
        targets = {(e.text or "").strip() for e in request.findall("AssignToObject")}
        count = 0
        for definition in books.state.data_ext_defs:
            if owners and definition.owner_id not in owners:
                continue
            if targets and not targets & set(definition.assign_to):
                continue
            self._render_def(rs, definition)
            count += 1
        return None if count else books.schema.info("no_match")

    def _target(self, body: etree._Element) -> tuple[Record | None, str]:
        books = self._books
        list_type = element_text(body, "ListDataExtType")
        txn_type = element_text(body, "TxnDataExtType")
        if list_type is not None:
            ref = body.find("ListObjRef")
            kinds = books.family_kinds("item") if list_type == "Item" else (list_type,)
            value = parse_value(books.schema, REF, ref) if ref is not None else {}
            return books.resolve(value, kinds, list_type, "DataExt"), list_type
        if txn_type is not None:
            txn_id = element_text(body, "TxnID") or ""
            return books.get(txn_id, "TxnID", (txn_type,)), txn_type
        return None, "Company"

    def _defined_for(self, body: etree._Element) -> tuple[DataExtDef, Record | None, str]:
        """The definition named in `body`, assigned to the target's object type, and the target.

        OSR DataExtAdd: the definition "must already be defined for the target object type".
        """
        books = self._books
        owner = self._owner(body)
        name = element_text(body, "DataExtName") or ""
        definition = self.find_def(owner, name)
        if definition is None:
            raise books.schema.status("not_found", value=name)
        target, target_type = self._target(body)
        if target is not None and definition.assign_to and target_type not in definition.assign_to:
            raise books.schema.status("not_found", value=f"{definition.name} on {target_type}")
        return definition, target, data_ext_key(owner, definition.name)

    def set_value(self, request: etree._Element, rs: etree._Element, op: str) -> Status | None:
        """DataExtAddRq (no value yet, else 3180) / DataExtModRq (the value must exist: 3120)."""
        books = self._books
        books.check_permission(("DataExt",), "Add" if op == "DataExtAdd" else "Mod")
        body = request.find(op)
        assert body is not None
        definition, target, key = self._defined_for(body)
        raw = body.find("DataExtValue")
        value = qb_text((raw.text or "") if raw is not None else "")
        limit = TYPES[definition.type]
        if limit is not None and len(value) > limit:
            raise books.schema.status("too_long", value=value, field="DataExtValue")
        values = target.data_ext if target is not None else books.state.company_data_ext
        if op == "DataExtMod" and key not in values:
            raise books.schema.status("not_found", value=definition.name)
        if op == "DataExtMod" and not value:
            raise books.schema.status(
                "invalid_value",
                field="DataExtValue",
                value="",
                detail="DataExtMod cannot clear a value: use DataExtDel.",
            )
        if op == "DataExtAdd" and key in values:
            raise books.schema.status(
                "save_failed",
                kind=f'DataExt "{definition.name}"',
                detail="The object already has a value for this field: use DataExtMod.",
            )
        if target is not None:
            books.check_lock_mod(target)
            books.touch(target)
        stored = {
            "OwnerID": definition.owner_id,
            "DataExtName": definition.name,
            "DataExtType": definition.type,
            "DataExtValue": value,
        }
        values[key] = stored
        ret = etree.SubElement(rs, "DataExtRet")
        for field in ("OwnerID", "DataExtName", "DataExtType", "DataExtValue"):
            _sub(ret, field, stored[field])
        return None

    def delete_value(self, request: etree._Element, rs: etree._Element) -> Status | None:
        """DataExtDelRq: clears the value (3120 when there is none); the parent is modified."""
        books = self._books
        books.check_permission(("DataExt",), "Del")
        body = request.find("DataExtDel")
        assert body is not None
        definition, target, key = self._defined_for(body)
        values = target.data_ext if target is not None else books.state.company_data_ext
        if key not in values:
            raise books.schema.status("not_found", value=definition.name)
        if target is not None:
            books.check_lock_mod(target)
            books.touch(target)
        del values[key]
        ret = etree.SubElement(rs, "DataExtDelRet")
        _sub(ret, "OwnerID", definition.owner_id)
        _sub(ret, "DataExtName", definition.name)
        for tag in ("ListDataExtType", "ListObjRef", "TxnDataExtType", "TxnID"):
            source = body.find(tag)
            if source is not None:
                ret.append(copy.deepcopy(source))
        _sub(ret, "TimeDeleted", format_time(books.now()))
        return None
