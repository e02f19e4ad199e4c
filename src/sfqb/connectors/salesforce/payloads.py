"""Wire shapes: SOQL text, sObject Collections bodies, and reading their results."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sfqb.codes import Catalog
from sfqb.connectors.salesforce.errors import decode_items, decode_salesforce
from sfqb.connectors.salesforce.models import (
    DeletedRecord,
    FieldDescription,
    FieldValue,
    SObjectDescription,
    WriteResult,
    check_id,
    check_name,
)
from sfqb.connectors.salesforce.records import RecordShapeError, SfRecord, parse_datetime
from sfqb.domain.status import DecodedStatus
from sfqb.mapping.soql import Condition, render

# Field names sfqb writes back (see data/custom_fields.yaml for their definitions).
QUICKBOOKS_ID = "QuickBooks_ID__c"
SYNC_STATUS = "QuickBooks_Sync_Status__c"
SYNC_ERROR = "QuickBooks_Sync_Error__c"
AMOUNT_PAID = "QuickBooks_Amount_Paid__c"
BALANCE = "QuickBooks_Balance__c"
PAYMENT_STATUS = "QuickBooks_Payment_Status__c"
LAST_PAYMENT_DATE = "QuickBooks_Last_Payment_Date__c"


def soql_datetime(when: datetime) -> str:
    """A SOQL dateTime literal in UTC, rounded down to the millisecond (never skips a record).

    SystemModstamp carries milliseconds (2024-01-15T10:30:00.000+0000). Salesforce's date
    formats page lists literals to the second, but orgs take a fraction too (a real org ran
    `CreatedDate >= 2022-12-01T10:47:53.299852-06:00`: Illuminated Cloud issue 2283; clients
    commonly send `...T00:00:00.000Z`). To the second, a read from a checkpoint read again every
    record of the checkpoint's second: a bulk load saves thousands in one, and every quiet cycle
    paged through them. The connector still drops records at or before the checkpoint itself,
    for an org that reads the literal to the second only.
    """
    if when.tzinfo is None:
        raise ValueError("a checkpoint must be timezone-aware")
    utc = when.astimezone(UTC)
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z"


def _select(record_type: type[SfRecord], extra_fields: Sequence[str]) -> str:
    fields = _unique([*record_type.api_fields(), *(check_name("field", f) for f in extra_fields)])
    select = list(fields)
    for relationship, child in record_type.CHILDREN.items():
        select.append(f"(SELECT {', '.join(child.api_fields())} FROM {relationship})")  # noqa: S608
    return f"SELECT {', '.join(select)} FROM {record_type.SOBJECT}"  # noqa: S608


def _and(where: Condition | None) -> str:
    """A company's flow filter AND-ed to sfqb's own condition: the text is rendered from the
    checked tree (sfqb.mapping.soql), never the text a person wrote."""
    return f" AND ({render(where)})" if where is not None else ""


def changes_query(
    record_type: type[SfRecord],
    lower: datetime,
    extra_fields: Sequence[str] = (),
    where: Condition | None = None,
) -> str:
    """SOQL for the records of `record_type` changed after `lower`, children included, that
    meet `where` (a company's flow filter) when given.

    Every name in it is a checked API name and the only values a formatted dateTime literal
    and the filter's literals re-escaped from its parse tree, so nothing from outside can
    change the query's shape.
    """
    return (
        f"{_select(record_type, extra_fields)} "
        f"WHERE SystemModstamp > {soql_datetime(lower)}{_and(where)} ORDER BY SystemModstamp, Id"
    )


def records_query(
    record_type: type[SfRecord],
    ids: Sequence[str],
    extra_fields: Sequence[str] = (),
    by: str = "Id",
    where: Condition | None = None,
) -> str:
    """SOQL for the records of `record_type` whose `by` field (an Id field) is one of `ids`
    (and that meet `where`, a company's flow filter, when given).

    Every Id is checked to have the shape of a Salesforce Id before it is quoted, and `by` to
    be an API name.
    """
    check_name("field", by)
    quoted = ", ".join(f"'{check_id(i)}'" for i in ids)
    select = _select(record_type, extra_fields)
    return f"{select} WHERE {by} IN ({quoted}){_and(where)} ORDER BY Id"


def _unique(names: Sequence[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for name in names:
        if name.lower() not in seen:
            seen.add(name.lower())
            out.append(name)
    return out


def query_page(content: Any) -> tuple[list[Any], bool, str | None]:
    """The records, done flag and nextRecordsUrl of a query page; RecordShapeError if not one."""
    if not isinstance(content, Mapping) or not isinstance(content.get("records"), list):
        raise RecordShapeError("a query result without a records list")
    done = content.get("done")
    if not isinstance(done, bool):
        raise RecordShapeError("a query result without a done flag")
    next_url = content.get("nextRecordsUrl")
    if not done and not (isinstance(next_url, str) and next_url.startswith("/")):
        raise RecordShapeError("a query result that is not done but has no nextRecordsUrl")
    return content["records"], done, next_url if not done else None


def json_value(value: FieldValue) -> Any:
    """A field value as Salesforce's JSON expects it (dates ISO, money exact)."""
    if isinstance(value, bool) or value is None or isinstance(value, int | str):
        return value
    if isinstance(value, Decimal):
        as_float = float(value)
        # Send a JSON number when it round-trips exactly, else the exact text.
        return as_float if Decimal(repr(as_float)) == value else str(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("datetime values written to Salesforce must be timezone-aware")
        text = value.astimezone(UTC).isoformat(timespec="milliseconds")
        return text.replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot send a {type(value).__name__} to Salesforce")


def collection_body(records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """An sObject Collections request body; records are written independently (allOrNone off)."""
    return {"allOrNone": False, "records": list(records)}


def update_record(sobject: str, record_id: str, fields: Mapping[str, FieldValue]) -> dict[str, Any]:
    """One record of a collection update."""
    body: dict[str, Any] = {"attributes": {"type": sobject}, "Id": record_id}
    body.update({name: json_value(value) for name, value in fields.items()})
    return body


def read_results(
    catalog: Catalog,
    content: Any,
    sent: Sequence[tuple[int, str, str | None, str | None]],
) -> list[WriteResult]:
    """Per-record results of one collection call; `sent` is (index, sObject, id, external id).

    Raises RecordShapeError when the answer is not one result object per record sent.
    """
    if not isinstance(content, list) or len(content) != len(sent):
        count = len(content) if isinstance(content, list) else "no"
        raise RecordShapeError(f"{count} results for {len(sent)} records")
    results = []
    for (index, sobject, record_id, external_id), item in zip(sent, content, strict=True):
        if not isinstance(item, Mapping) or not isinstance(item.get("success"), bool):
            raise RecordShapeError("a collection result without a success flag")
        errors = item.get("errors") or []
        if not isinstance(errors, list):
            raise RecordShapeError("a collection result whose errors is not a list")
        statuses: list[DecodedStatus] = decode_items(catalog, errors)
        if not item["success"] and not statuses:
            statuses = [decode_salesforce(catalog, "UNKNOWN_EXCEPTION", "failed without an error")]
        found_id = item.get("id")
        created = item.get("created")
        results.append(
            WriteResult(
                index=index,
                sobject=sobject,
                record_id=found_id if isinstance(found_id, str) and found_id else record_id,
                success=item["success"],
                created=created if isinstance(created, bool) else None,
                statuses=tuple(statuses),
                external_id=external_id,
            )
        )
    return results


def failed_results(
    sent: Sequence[tuple[int, str, str | None, str | None]],
    statuses: Sequence[DecodedStatus],
    attempted: bool,
) -> list[WriteResult]:
    """Results for records of a call that failed as a whole (or was never made)."""
    return [
        WriteResult(
            index=index,
            sobject=sobject,
            record_id=record_id,
            success=False,
            statuses=tuple(statuses),
            attempted=attempted,
            external_id=external_id,
        )
        for index, sobject, record_id, external_id in sent
    ]


def error_text(status: DecodedStatus, limit: int = 32768) -> str:
    """The decoded error as written to QuickBooks_Sync_Error__c: code, meaning, fix, message."""
    parts = [f"{status.system.value} {status.code}: {status.title}.", status.meaning]
    if status.fix:
        parts.append(f"Fix: {status.fix_text()}")
    if status.message:
        parts.append(f"Message: {status.message}")
    text = " ".join(p.strip() for p in parts if p.strip())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def sync_fields(
    *,
    quickbooks_id: str | None = None,
    sync_status: str | None = None,
    error: DecodedStatus | None = None,
    clear_error: bool = False,
    error_limit: int = 32768,
) -> dict[str, FieldValue]:
    """The write-back fields for a sync outcome; only what is given is set."""
    fields: dict[str, FieldValue] = {}
    if quickbooks_id is not None:
        fields[QUICKBOOKS_ID] = quickbooks_id
    if sync_status is not None:
        fields[SYNC_STATUS] = sync_status
    if error is not None:
        fields[SYNC_ERROR] = error_text(error, error_limit)
    elif clear_error:
        fields[SYNC_ERROR] = None
    return fields


def payment_fields(
    *,
    amount_paid: Decimal,
    balance: Decimal,
    payment_status: str,
    last_payment_date: date | None,
) -> dict[str, FieldValue]:
    """The payment fields sfqb writes on an Opportunity from QuickBooks."""
    return {
        AMOUNT_PAID: amount_paid,
        BALANCE: balance,
        PAYMENT_STATUS: payment_status,
        LAST_PAYMENT_DATE: last_payment_date,
    }


def iso_param(when: datetime) -> str:
    """A getDeleted start/end parameter: UTC, whole seconds, with its offset."""
    return when.astimezone(UTC).replace(microsecond=0).isoformat()


def deleted_result(
    content: Any,
) -> tuple[tuple[DeletedRecord, ...], datetime | None, datetime | None]:
    """Deleted records, earliestDateAvailable and latestDateCovered of a getDeleted answer."""
    if not isinstance(content, Mapping) or not isinstance(content.get("deletedRecords"), list):
        raise RecordShapeError("a getDeleted result without deletedRecords")
    deleted = []
    for item in content["deletedRecords"]:
        when = parse_datetime(str(item.get("deletedDate"))) if isinstance(item, Mapping) else None
        if when is None or not isinstance(item.get("id"), str):
            raise RecordShapeError("a deleted record without id or deletedDate")
        deleted.append(DeletedRecord(id=item["id"], deleted_date=when))
    return (
        tuple(deleted),
        _when(content, "earliestDateAvailable"),
        _when(content, "latestDateCovered"),
    )


def _when(content: Mapping[str, Any], key: str) -> datetime | None:
    value = content.get(key)
    return parse_datetime(value) if isinstance(value, str) else None


def description(sobject: str, content: Any) -> SObjectDescription:
    """The fields of a /sobjects/X/describe answer."""
    if not isinstance(content, Mapping) or not isinstance(content.get("fields"), list):
        raise RecordShapeError(f"a describe result of {sobject} without fields")
    fields: dict[str, FieldDescription] = {}
    for item in content["fields"]:
        if not isinstance(item, Mapping) or not isinstance(item.get("name"), str):
            raise RecordShapeError("a described field without a name")
        length = item.get("length")
        fields[item["name"]] = FieldDescription(
            name=item["name"],
            type=str(item.get("type") or ""),
            length=int(length) if isinstance(length, int | Decimal) and length else None,
            external_id=bool(item.get("externalId")),
            unique=bool(item.get("unique")),
            label=str(item.get("label") or ""),
            createable=item.get("createable") is not False,
            updateable=item.get("updateable") is not False,
        )
    prefix = content.get("keyPrefix")
    return SObjectDescription(
        name=str(content.get("name") or sobject),
        fields=fields,
        key_prefix=prefix if isinstance(prefix, str) and len(prefix) == 3 else None,
    )
