"""An op's mapped fields -> the JSON body QuickBooks Online takes.

References arrive resolved by the engine: the neutral `QbRef`, today's `{"ListID": id}` (or
`{"TxnID": id}`), or `{"value": id}`; each is sent as `{"value": id}`. A company setting names
its record (`{"FullName": "Sales"}`, the policy's income account or tax code): QuickBooks Online
takes only Ids, so the name is looked up (`NamedRefs`). Decimals go as JSON numbers, dates as
ISO text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sfqb.domain.entities import QbRef
from sfqb.domain.status import System

# Which entity a reference field names (the entities of Intuit's ReferenceType fields sfqb maps).
REF_ENTITY = {
    "IncomeAccountRef": "Account",
    "ExpenseAccountRef": "Account",
    "AssetAccountRef": "Account",
    "DepositToAccountRef": "Account",
    "ItemRef": "Item",
    "CustomerRef": "Customer",
    "ParentRef": "Customer",  # a sub-customer's parent (sfqb maps no other parent)
    "ClassRef": "Class",
    "SalesTermRef": "Term",
    "PaymentMethodRef": "PaymentMethod",
    "TaxCodeRef": "TaxCode",
    "SalesTaxCodeRef": "TaxCode",
    "TxnTaxCodeRef": "TaxCode",
    "DefaultTaxCodeRef": "TaxCode",
}
# In US companies a line's TaxCodeRef is the literal TAX or NON, not a TaxCode's Id (Intuit's
# "Manage sales tax for US locales" page).
US_TAX_CODES = frozenset({"TAX", "NON"})
_ID_KEYS = ("value", "ListID", "TxnID")

NameLookup = Callable[[str, str], str | None]


class BodyError(ValueError):
    """The fields cannot become a QuickBooks Online body: the status to answer, by code."""

    def __init__(self, code: str, message: str, system: System = System.QBO) -> None:
        super().__init__(message)
        self.system = system
        self.code = code


def _reference(key: str, value: Mapping[str, Any], lookup: NameLookup) -> dict[str, str]:
    for id_key in _ID_KEYS:
        if value.get(id_key):
            return {"value": str(value[id_key])}
    name = value.get("FullName") or value.get("name")
    if not name:
        raise BodyError("2020", f"{key} names no record")
    entity = REF_ENTITY.get(key.rsplit("/", 1)[-1], "")
    if entity == "TaxCode" and str(name).upper() in US_TAX_CODES:
        return {"value": str(name).upper()}
    found = lookup(entity, str(name)) if entity else None
    if found is None:
        raise BodyError(
            "2500", f'Invalid Reference Id: QuickBooks Online has no active {entity} "{name}"'
        )
    return {"value": found, "name": str(name)}


def to_json(value: Any, lookup: NameLookup, key: str = "") -> Any:
    """`value` as QuickBooks Online JSON (references as {"value": id})."""
    if isinstance(value, QbRef):
        return {"value": value.id}
    if isinstance(value, Mapping):
        if key.endswith("Ref"):
            return _reference(key, value, lookup)
        return {str(k): to_json(v, lookup, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v, lookup, key) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def check_lines(lines: object) -> None:
    """Refuse a partial Line array: a sparse update's Line replaces every line of the
    transaction (Intuit's sparse-update notes), so each line must be whole."""
    if not isinstance(lines, list | tuple):
        raise BodyError("MAPPING_REFUSED", "Line must be the whole list of lines", System.TRANSPORT)
    for n, line in enumerate(lines):
        detail = line.get("DetailType") if isinstance(line, Mapping) else None
        if not detail or line.get("Amount") is None or not isinstance(line.get(detail), Mapping):
            raise BodyError(
                "MAPPING_REFUSED",
                f"Line {n + 1} is not a whole line (DetailType, Amount and {detail or 'its detail'}"
                " are required): lines are sent whole or not at all",
                System.TRANSPORT,
            )


def body(
    fields: Mapping[str, Any],
    lookup: NameLookup,
    *,
    qb_id: str | None = None,
    version: str | None = None,
) -> dict[str, Any]:
    """The body of a create (no `qb_id`) or of a sparse update of record `qb_id`."""
    if "Line" in fields:
        check_lines(fields["Line"])
    out: dict[str, Any] = to_json(dict(fields), lookup)
    if qb_id is not None:
        if version is None:
            raise BodyError("2020", "an update needs the record's SyncToken")
        out.update({"Id": qb_id, "SyncToken": version, "sparse": True})
    return out
