"""Typed Salesforce records: frozen dataclasses built from REST/SOQL JSON.

Each mapped attribute names its Salesforce field in the dataclass field metadata, so the SOQL
field list and the parser come from one place. Fields a query returns that no attribute maps
are kept, read-only, in `extras`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from types import MappingProxyType
from typing import Annotated, Any, ClassVar, TypeVar, cast, get_origin, get_type_hints

_EMPTY: Mapping[str, Any] = MappingProxyType({})
_ADDRESS_PARTS = ("Street", "City", "State", "PostalCode", "Country")


class RecordShapeError(ValueError):
    """A record in a Salesforce response lacks a field sfqb needs or has the wrong type."""


@dataclass(frozen=True, slots=True)
class Sf:
    """Annotation marking an attribute as the Salesforce field `api_name` of the given kind.

    Kinds: str, decimal, int, bool, date, datetime, and address (the five fields of a
    compound address sharing the prefix `api_name`, e.g. BillingStreet ... BillingCountry).
    """

    api_name: str
    kind: str = "str"


@dataclass(frozen=True, slots=True)
class SfAddress:
    """A compound address (BillingStreet, BillingCity, ... share one prefix)."""

    street: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None

    @property
    def is_empty(self) -> bool:
        """True when no part of the address is set."""
        return not any((self.street, self.city, self.state, self.postal_code, self.country))


_NO_ADDRESS = SfAddress()


@dataclass(frozen=True, slots=True, kw_only=True)
class SfRecord:
    """What every sObject record has: its 18-character Id and its SystemModstamp."""

    SOBJECT: ClassVar[str] = ""
    CHILDREN: ClassVar[Mapping[str, type[SfRecord]]] = MappingProxyType({})

    id: str
    system_modstamp: datetime
    extras: Mapping[str, Any] = field(default_factory=lambda: _EMPTY, compare=False)

    @classmethod
    def api_fields(cls) -> tuple[str, ...]:
        """The Salesforce fields a SOQL query must select to fill this record type."""
        names = ["Id", "SystemModstamp"]
        for _, mark in mapped_fields(cls):
            if mark.kind == "address":
                names.extend(mark.api_name + part for part in _ADDRESS_PARTS)
            else:
                names.append(mark.api_name)
        return tuple(names)

    @classmethod
    def from_json(cls: type[R], raw: Mapping[str, Any]) -> R:
        """Build the record from one JSON object of a query result; raises RecordShapeError."""
        if not isinstance(raw, Mapping):
            raise RecordShapeError(f"a {cls.SOBJECT} record is not a JSON object")
        values: dict[str, Any] = {
            "id": _require_str(raw, "Id", cls.SOBJECT),
            "system_modstamp": _datetime(raw.get("SystemModstamp"), "SystemModstamp"),
        }
        consumed, fields, addresses = _parser(cast(Hashable, cls))
        for attribute, name, convert in fields:
            values[attribute] = convert(raw.get(name), name)
        for attribute, parts in addresses:
            values[attribute] = SfAddress(*(_text(raw.get(p), p) for p in parts))
        for relationship, child_type in cls.CHILDREN.items():
            values.update(cls._children(relationship, child_type, raw.get(relationship)))
        extras = {k: _freeze(v) for k, v in raw.items() if k not in consumed}
        values["extras"] = MappingProxyType(extras) if extras else _EMPTY
        return cls(**values)

    @classmethod
    def _children(cls, relationship: str, child_type: type[SfRecord], value: Any) -> dict[str, Any]:
        return {}

    def to_payload(self) -> dict[str, Any]:
        """The record as Salesforce field names to values (addresses flattened, children listed).

        This is the plain shape the field maps of `sfqb.mapping` read.
        """
        payload: dict[str, Any] = {"Id": self.id, "SystemModstamp": self.system_modstamp}
        for attribute, mark in mapped_fields(type(self)):
            value = getattr(self, attribute)
            if mark.kind == "address":
                parts = (value.street, value.city, value.state, value.postal_code, value.country)
                payload.update(zip((mark.api_name + p for p in _ADDRESS_PARTS), parts, strict=True))
            else:
                payload[mark.api_name] = value
        for relationship in self.CHILDREN:
            children = self._child_records(relationship)
            payload[relationship] = [child.to_payload() for child in children]
        payload.update({k: v for k, v in self.extras.items() if k not in payload})
        return payload

    def _child_records(self, relationship: str) -> tuple[SfRecord, ...]:
        return ()

    def get(self, api_name: str) -> Any:
        """A value by its Salesforce field name (mapped attributes first, then extras)."""
        if api_name == "Id":
            return self.id
        if api_name == "SystemModstamp":
            return self.system_modstamp
        for attribute, mark in mapped_fields(type(self)):
            if mark.api_name == api_name:
                return getattr(self, attribute)
        return self.extras.get(api_name)


R = TypeVar("R", bound=SfRecord)


def mapped_fields(cls: type[SfRecord]) -> tuple[tuple[str, Sf], ...]:
    """(attribute, Sf mark) of every mapped attribute of a record class, in field order."""
    return _mapped(cast(Hashable, cls))


@cache
def _parser(
    key: Hashable,
) -> tuple[
    frozenset[str],
    tuple[tuple[str, str, Callable[[Any, str], Any]], ...],
    tuple[tuple[str, tuple[str, ...]], ...],
]:
    """What `from_json` reads for a record class, worked out once: the JSON keys it consumes,
    (attribute, field, converter) of each plain field, (attribute, parts) of each address."""
    cls = cast(type[SfRecord], key)
    fields, addresses = [], []
    consumed = {"attributes", "Id", "SystemModstamp", *cls.CHILDREN}
    for attribute, mark in mapped_fields(cls):
        if mark.kind == "address":
            parts = tuple(mark.api_name + part for part in _ADDRESS_PARTS)
            addresses.append((attribute, parts))
            consumed.update(parts)
        else:
            fields.append((attribute, mark.api_name, _CONVERTERS[mark.kind]))
            consumed.add(mark.api_name)
    return frozenset(consumed), tuple(fields), tuple(addresses)


@cache
def _mapped(key: Hashable) -> tuple[tuple[str, Sf], ...]:
    cls = cast(type, key)
    hints = get_type_hints(cls, include_extras=True)
    found = []
    for f in dataclasses.fields(cls):
        hint = hints.get(f.name)
        if hint is not None and get_origin(hint) is Annotated:
            marks = [m for m in hint.__metadata__ if isinstance(m, Sf)]
            if marks:
                found.append((f.name, marks[0]))
    return tuple(found)


@dataclass(frozen=True, slots=True, kw_only=True)
class SfAccount(SfRecord):
    """An Account: becomes a QuickBooks customer (and a vendor when the vendor rule picks it)."""

    SOBJECT: ClassVar[str] = "Account"

    name: Annotated[str | None, Sf("Name")] = None
    # The parent account (Salesforce's account hierarchy): a QuickBooks job's parent customer.
    parent_id: Annotated[str | None, Sf("ParentId")] = None
    account_number: Annotated[str | None, Sf("AccountNumber")] = None
    phone: Annotated[str | None, Sf("Phone")] = None
    fax: Annotated[str | None, Sf("Fax")] = None
    website: Annotated[str | None, Sf("Website")] = None
    billing_address: Annotated[SfAddress, Sf("Billing", "address")] = _NO_ADDRESS
    shipping_address: Annotated[SfAddress, Sf("Shipping", "address")] = _NO_ADDRESS
    quickbooks_id: Annotated[str | None, Sf("QuickBooks_ID__c")] = None
    sync_status: Annotated[str | None, Sf("QuickBooks_Sync_Status__c")] = None
    # Who changed the record last (Salesforce's System Fields): names who edited QuickBooks_ID__c.
    last_modified_by: Annotated[str | None, Sf("LastModifiedById")] = None
    # The account's type (a standard picklist): the default vendor rule reads it.
    account_type: Annotated[str | None, Sf("Type")] = None
    # The QuickBooks vendor the account is bound to, apart from its customer's Id.
    quickbooks_vendor_id: Annotated[str | None, Sf("QuickBooks_Vendor_ID__c")] = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SfContact(SfRecord):
    """A Contact of an Account (name, e-mail and phone of a customer's person)."""

    SOBJECT: ClassVar[str] = "Contact"

    account_id: Annotated[str | None, Sf("AccountId")] = None
    first_name: Annotated[str | None, Sf("FirstName")] = None
    last_name: Annotated[str | None, Sf("LastName")] = None
    title: Annotated[str | None, Sf("Title")] = None
    email: Annotated[str | None, Sf("Email")] = None
    phone: Annotated[str | None, Sf("Phone")] = None
    mobile_phone: Annotated[str | None, Sf("MobilePhone")] = None
    mailing_address: Annotated[SfAddress, Sf("Mailing", "address")] = _NO_ADDRESS


@dataclass(frozen=True, slots=True, kw_only=True)
class SfAccountContactRole(SfRecord):
    """An AccountContactRole: a contact's role on an account, one of them the primary."""

    SOBJECT: ClassVar[str] = "AccountContactRole"

    account_id: Annotated[str | None, Sf("AccountId")] = None
    contact_id: Annotated[str | None, Sf("ContactId")] = None
    role: Annotated[str | None, Sf("Role")] = None
    is_primary: Annotated[bool | None, Sf("IsPrimary", "bool")] = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SfProduct(SfRecord):
    """A Product2: becomes a QuickBooks item."""

    SOBJECT: ClassVar[str] = "Product2"

    name: Annotated[str | None, Sf("Name")] = None
    product_code: Annotated[str | None, Sf("ProductCode")] = None
    description: Annotated[str | None, Sf("Description")] = None
    family: Annotated[str | None, Sf("Family")] = None
    is_active: Annotated[bool | None, Sf("IsActive", "bool")] = None
    quickbooks_id: Annotated[str | None, Sf("QuickBooks_ID__c")] = None
    sync_status: Annotated[str | None, Sf("QuickBooks_Sync_Status__c")] = None
    # Who changed the record last (Salesforce's System Fields): names who edited QuickBooks_ID__c.
    last_modified_by: Annotated[str | None, Sf("LastModifiedById")] = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SfPricebookEntry(SfRecord):
    """A product's price in a price book."""

    SOBJECT: ClassVar[str] = "PricebookEntry"

    pricebook_id: Annotated[str | None, Sf("Pricebook2Id")] = None
    product_id: Annotated[str | None, Sf("Product2Id")] = None
    unit_price: Annotated[Decimal | None, Sf("UnitPrice", "decimal")] = None
    is_active: Annotated[bool | None, Sf("IsActive", "bool")] = None
    use_standard_price: Annotated[bool | None, Sf("UseStandardPrice", "bool")] = None


# The fields an org with multiple currencies adds to its records (Salesforce's "Multiple
# Currencies" help: CurrencyIsoCode on every record once the org enables them). Read as extra
# fields only for a company whose policy says multicurrency: other orgs have no such field.
CURRENCY_FIELDS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {"Account": ("CurrencyIsoCode",), "Opportunity": ("CurrencyIsoCode",)}
)


@dataclass(frozen=True, slots=True, kw_only=True)
class SfOpportunityLine(SfRecord):
    """An OpportunityLineItem: one line of an invoice or sales receipt."""

    SOBJECT: ClassVar[str] = "OpportunityLineItem"

    opportunity_id: Annotated[str | None, Sf("OpportunityId")] = None
    pricebook_entry_id: Annotated[str | None, Sf("PricebookEntryId")] = None
    product_id: Annotated[str | None, Sf("Product2Id")] = None
    quantity: Annotated[Decimal | None, Sf("Quantity", "decimal")] = None
    unit_price: Annotated[Decimal | None, Sf("UnitPrice", "decimal")] = None
    total_price: Annotated[Decimal | None, Sf("TotalPrice", "decimal")] = None
    discount: Annotated[Decimal | None, Sf("Discount", "decimal")] = None  # a percent
    description: Annotated[str | None, Sf("Description")] = None
    service_date: Annotated[date | None, Sf("ServiceDate", "date")] = None
    sort_order: Annotated[int | None, Sf("SortOrder", "int")] = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SfOpportunity(SfRecord):
    """An Opportunity with its line items (read through a parent-child subquery)."""

    SOBJECT: ClassVar[str] = "Opportunity"
    CHILDREN: ClassVar[Mapping[str, type[SfRecord]]] = MappingProxyType(
        {"OpportunityLineItems": SfOpportunityLine}
    )

    name: Annotated[str | None, Sf("Name")] = None
    account_id: Annotated[str | None, Sf("AccountId")] = None
    stage_name: Annotated[str | None, Sf("StageName")] = None
    # The Opportunity's Type: of the company's credit type it becomes a credit memo.
    opportunity_type: Annotated[str | None, Sf("Type")] = None
    close_date: Annotated[date | None, Sf("CloseDate", "date")] = None
    amount: Annotated[Decimal | None, Sf("Amount", "decimal")] = None
    is_closed: Annotated[bool | None, Sf("IsClosed", "bool")] = None
    is_won: Annotated[bool | None, Sf("IsWon", "bool")] = None
    pricebook_id: Annotated[str | None, Sf("Pricebook2Id")] = None
    description: Annotated[str | None, Sf("Description")] = None
    quickbooks_id: Annotated[str | None, Sf("QuickBooks_ID__c")] = None
    sync_status: Annotated[str | None, Sf("QuickBooks_Sync_Status__c")] = None
    # Who changed the record last (Salesforce's System Fields): names who edited QuickBooks_ID__c.
    last_modified_by: Annotated[str | None, Sf("LastModifiedById")] = None
    amount_paid: Annotated[Decimal | None, Sf("QuickBooks_Amount_Paid__c", "decimal")] = None
    balance: Annotated[Decimal | None, Sf("QuickBooks_Balance__c", "decimal")] = None
    payment_status: Annotated[str | None, Sf("QuickBooks_Payment_Status__c")] = None
    last_payment_date: Annotated[date | None, Sf("QuickBooks_Last_Payment_Date__c", "date")] = None
    lines: tuple[SfOpportunityLine, ...] = ()

    def _child_records(self, relationship: str) -> tuple[SfRecord, ...]:
        return self.lines if relationship == "OpportunityLineItems" else ()

    @classmethod
    def _children(cls, relationship: str, child_type: type[SfRecord], value: Any) -> dict[str, Any]:
        # The connector replaces the subquery result with the complete list of child records.
        if value is None:
            return {"lines": ()}
        if not isinstance(value, list):
            raise RecordShapeError(f"{relationship} is not a list of records")
        lines = tuple(SfOpportunityLine.from_json(item) for item in value)
        return {"lines": tuple(sorted(lines, key=_line_order))}


def _line_order(line: SfOpportunityLine) -> tuple[int, str]:
    return (line.sort_order if line.sort_order is not None else 1 << 30, line.id)


def _require_str(raw: Mapping[str, Any], key: str, sobject: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value:
        raise RecordShapeError(f"a {sobject or 'record'} without {key}")
    return value


def _text(value: Any, name: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise RecordShapeError(f"{name} should be text, got {type(value).__name__}")


def _decimal(value: Any, name: str) -> Decimal | None:
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise RecordShapeError(f"{name} should be a number, got a boolean")
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise RecordShapeError(f"{name} should be a number, got {value!r}") from None


def _int(value: Any, name: str) -> int | None:
    number = _decimal(value, name)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise RecordShapeError(f"{name} should be a whole number, got {value!r}")
    return int(number)


def _bool(value: Any, name: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise RecordShapeError(f"{name} should be true or false, got {value!r}")


def _date(value: Any, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise RecordShapeError(f"{name} should be a date, got {value!r}") from None


def _datetime(value: Any, name: str) -> datetime:
    """Salesforce dateTime values: 2024-01-15T10:30:00.000+0000 (always with an offset)."""
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None:
        raise RecordShapeError(f"{name} should be a date and time, got {value!r}")
    return parsed


def parse_datetime(value: str) -> datetime | None:
    """An aware datetime from Salesforce's dateTime text, or None if it is not one."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _optional_datetime(value: Any, name: str) -> datetime | None:
    return None if value is None else _datetime(value, name)


_CONVERTERS = MappingProxyType(
    {
        "str": _text,
        "decimal": _decimal,
        "int": _int,
        "bool": _bool,
        "date": _date,
        "datetime": _optional_datetime,
    }
)


def _freeze(value: Any) -> Any:
    if isinstance(value, Mapping):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value
