"""Field values: JSON in, typed Python values inside the org, Salesforce's JSON formats out."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from sfqb.sandbox.salesforce.errors import OrgError, malformed_id
from sfqb.sandbox.salesforce.ids import IdError, normalize
from sfqb.sandbox.salesforce.schema import FieldDef

_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME_RE = re.compile(
    r"(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?(Z|[+-]\d{2}:?\d{2})?"
)
_TEXT = frozenset({"string", "textarea", "email", "phone", "url", "picklist"})


def parse_datetime(text: str) -> datetime:
    """An aware UTC datetime from Salesforce's forms: 2026-01-01T00:00:00Z, .000+0000, +00:00."""
    match = _DATETIME_RE.fullmatch(text.strip())
    if not match:
        raise ValueError(f"not a datetime: {text!r}")
    day, hh, mm, ss, frac, zone = match.groups()
    micro = int((frac or ".0")[1:].ljust(6, "0"))
    base = datetime.fromisoformat(f"{day}T{hh}:{mm}:{ss}").replace(microsecond=micro)
    zone = zone or "Z"
    if zone == "Z":
        return base.replace(tzinfo=UTC)
    offset = zone.replace(":", "")
    aware = datetime.strptime(offset, "%z").tzinfo
    return base.replace(tzinfo=aware).astimezone(UTC)


def format_datetime(value: datetime) -> str:
    """Salesforce's JSON datetime form: 2026-01-15T09:00:00.000+0000."""
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}+0000"


def to_json(value: Any) -> Any:
    """A stored value as Salesforce writes it in JSON."""
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def truncate_ms(value: datetime) -> datetime:
    """`value` in UTC with millisecond precision, as Salesforce stores timestamps."""
    value = value.astimezone(UTC)
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def coerce(fdef: FieldDef, value: Any, sobject: str) -> Any:
    """The typed value to store for `value` given as JSON; raises OrgError when it does not fit."""
    if value is None:
        return None
    kind = fdef.type
    if kind in _TEXT:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise _bad(fdef, value)
        text = str(value)
        if fdef.length is not None and len(text) > fdef.length:
            raise OrgError(
                "STRING_TOO_LONG",
                f"{fdef.name}: data value too large: {text} (max length={fdef.length})",
                [fdef.name],
            )
        if kind == "email" and text and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", text):
            raise OrgError(
                "INVALID_EMAIL_ADDRESS", f"{fdef.name}: invalid email address: {text}", [fdef.name]
            )
        return text
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise _bad(fdef, value)
    if fdef.numeric:
        return _number(fdef, value)
    if kind == "date":
        if isinstance(value, str) and _DATE_RE.fullmatch(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        raise _bad(fdef, value)
    if kind == "datetime":
        try:
            return truncate_ms(parse_datetime(str(value)))
        except ValueError:
            raise _bad(fdef, value) from None
    if kind in ("reference", "id"):
        if not isinstance(value, str):
            raise _bad(fdef, value)
        try:
            return normalize(value)
        except IdError:
            raise malformed_id(fdef.reference_to or sobject, value) from None
    return value


def _number(fdef: FieldDef, value: Any) -> int | float:
    if isinstance(value, bool):
        raise _bad(fdef, value)
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise _bad(fdef, value) from None
    if not isinstance(value, int | float):
        raise _bad(fdef, value)
    return int(value) if fdef.type == "int" else float(value)


def _bad(fdef: FieldDef, value: Any) -> OrgError:
    return OrgError(
        "JSON_PARSER_ERROR",
        f"Cannot deserialize instance of {fdef.type} from value {value!r} at [field {fdef.name}]",
        [fdef.name],
    )
