"""Request records -> qbXML element trees and message sets (lxml only, never string joins).

    built = compose_message_set({"c1": CustomerAdd(name="Acme")}, version="13.0")
    built.xml          # the message set to hand to the Web Connector
    built.changes      # {"c1": (TextChange(...), ...)}: text altered to fit QuickBooks

Values are written per the qbXML simple types: amounts with exactly two decimals, prices and
quantities with up to five, dates as YYYY-MM-DD, date-times as YYYY-MM-DDThh:mm:ss[+hh:mm].
Every text value goes through the text rule and the field rules before it is placed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import Enum, StrEnum
from types import MappingProxyType

from lxml import etree

from sfqb.connectors.qbd.qbxml.errors import QbxmlFieldError, QbxmlRequestError
from sfqb.connectors.qbd.qbxml.model import Kind, Request
from sfqb.connectors.qbd.qbxml.rules import FieldRules, load_field_rules
from sfqb.connectors.qbd.qbxml.text import TextChange, sanitize

XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
MAX_REQUEST_ID = 50
DEFAULT_RULES = load_field_rules()

_GUID = re.compile(r"(?:0|\{[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}\})\Z")
_ID = re.compile(r"[\x21-\x7e]+\Z")
_VERSION = re.compile(r"\d{1,2}\.\d\Z")
# (integer digits, most decimals, exact decimals) per numeric kind
_NUMBERS = {Kind.AMOUNT: (13, 2, True), Kind.PRICE: (10, 5, False), Kind.QUANTITY: (10, 5, False)}


class OnError(StrEnum):
    """What QuickBooks does with the rest of a message set after a failed request."""

    CONTINUE = "continueOnError"
    STOP = "stopOnError"
    ROLLBACK = "rollbackOnError"


@dataclass(frozen=True, slots=True)
class BuiltRequest:
    """One `...Rq` element and the text changes made while building it."""

    request_type: str
    request_id: str
    element: etree._Element = field(compare=False)
    changes: tuple[TextChange, ...]


@dataclass(frozen=True, slots=True)
class MessageSet:
    """A serialized message set, its requestIDs in order, and text changes per requestID."""

    xml: str
    request_ids: tuple[str, ...]
    request_types: Mapping[str, str]
    changes: Mapping[str, tuple[TextChange, ...]]

    @property
    def all_changes(self) -> tuple[TextChange, ...]:
        """Every text change of the set, in request order."""
        return tuple(c for rid in self.request_ids for c in self.changes[rid])


def format_decimal(value: Decimal | int, kind: Kind, path: str) -> str:
    """An amount (two decimals) or a price/quantity (up to five decimals) as qbXML text."""
    obj, _, name = path.partition("/")
    digits, places, exact = _NUMBERS[kind]
    try:
        number = Decimal(value)
        if not number.is_finite():
            raise InvalidOperation
        quantized = number.quantize(Decimal(1).scaleb(-places))
    except (InvalidOperation, TypeError, ValueError):
        raise QbxmlFieldError(obj, name, str(value), "is not a finite number") from None
    if quantized != number:
        raise QbxmlFieldError(obj, name, str(value), f"has more than {places} decimals")
    if abs(quantized) >= Decimal(10) ** digits:
        raise QbxmlFieldError(obj, name, str(value), f"has more than {digits} integer digits")
    text = f"{abs(quantized) if quantized == 0 else quantized:f}"
    if not exact and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def format_datetime(value: datetime) -> str:
    """DATETIMETYPE: seconds precision, with the UTC offset when the value has one."""
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    offset = value.utcoffset()
    if offset is not None:
        minutes = int(offset.total_seconds()) // 60
        sign = "-" if minutes < 0 else "+"
        text += f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    return text


# Per request dataclass, its qbXML elements in order: (attribute, element name, kind); the
# classes are fixed, so their fields' metadata is read once.
_ELEMENTS: dict[type, tuple[tuple[str, str, Kind], ...]] = {}


def _elements(cls: type) -> tuple[tuple[str, str, Kind], ...]:
    known = _ELEMENTS.get(cls)
    if known is None:
        known = _ELEMENTS[cls] = tuple(
            (f.name, f.metadata["qb"], f.metadata.get("kind", Kind.TEXT))
            for f in fields(cls)
            if f.metadata.get("qb") is not None
        )
    return known


class _Builder:
    """Writes one request's fields, collecting its text changes."""

    def __init__(self, rules: FieldRules) -> None:
        self.rules = rules
        self.changes: list[TextChange] = []

    def emit(self, parent: etree._Element, record: object, path: str) -> None:
        for attr, name, kind in _elements(type(record)):
            value = getattr(record, attr)
            if value is None:
                continue
            for item in value if isinstance(value, tuple) else (value,):
                child_path = f"{path}/{name}"
                child = etree.SubElement(parent, name)
                if is_dataclass(item):
                    self.emit(child, item, child_path)
                else:
                    child.text = self.text(item, kind, child_path)

    def text(self, value: object, kind: Kind, path: str) -> str:
        if type(value) is str:  # most values: the type checks below are for the others
            return self._str(value, kind, path)
        obj, _, name = path.partition("/")
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, Enum):
            return str(value.value)
        if isinstance(value, int | Decimal) and kind in _NUMBERS:
            return format_decimal(value, kind, path)
        if isinstance(value, int):
            return str(value)
        if isinstance(value, datetime):
            return format_datetime(value)
        if isinstance(value, date):
            return value.isoformat()
        if not isinstance(value, str):
            raise QbxmlFieldError(obj, name, repr(value), f"cannot be written as {kind.value}")
        return self._str(value, kind, path)

    def _str(self, value: str, kind: Kind, path: str) -> str:
        obj, _, name = path.partition("/")
        if kind is Kind.GUID:
            if not _GUID.match(value):
                raise QbxmlFieldError(obj, name, value, "is not 0 or a GUID like {8-4-4-4-12}")
            return value
        if kind is Kind.ID:
            if not _ID.match(value):
                raise QbxmlFieldError(obj, name, value, "is not a QuickBooks ID (printable ASCII)")
            self.rules.check(path, value)
            return value
        sent, change = sanitize(value, path, self.rules.text)
        self.rules.check(path, sent)
        if change is not None:
            self.changes.append(change)
        return sent


def _check_request_id(request_id: str) -> None:
    if not request_id or len(request_id) > MAX_REQUEST_ID or not _ID.match(request_id):
        raise QbxmlRequestError(
            f"requestID {request_id!r} must be 1-{MAX_REQUEST_ID} printable ASCII characters"
        )


def build_request(
    request: Request, request_id: str, rules: FieldRules = DEFAULT_RULES
) -> BuiltRequest:
    """One request as a `...Rq` element; raises QbxmlFieldError/QbxmlRequestError."""
    _check_request_id(request_id)
    kind = request.request_type
    element = etree.Element(f"{kind}Rq", {"requestID": request_id, **request.attributes()})
    builder = _Builder(rules)
    target = etree.SubElement(element, kind) if request.WRAPPED else element
    builder.emit(target, request, kind)
    return BuiltRequest(kind, request_id, element, tuple(builder.changes))


def compose_message_set(
    requests: Sequence[Request] | Mapping[str, Request],
    version: str,
    on_error: OnError | str = OnError.CONTINUE,
    rules: FieldRules = DEFAULT_RULES,
) -> MessageSet:
    """A message set of `requests` (a mapping requestID -> request, or a sequence numbered 1..n).

    Nothing is returned unless every request builds: one bad field fails the whole set.
    """
    policy = _check_set(version, on_error)
    if not requests:
        raise QbxmlRequestError("a message set needs at least one request")
    named = (
        dict(requests)
        if isinstance(requests, Mapping)
        else {str(i): r for i, r in enumerate(requests, start=1)}
    )
    built = [build_request(request, request_id, rules) for request_id, request in named.items()]
    return message_set_of(built, version, policy)


def message_set_of(
    built: Sequence[BuiltRequest], version: str, on_error: OnError | str = OnError.CONTINUE
) -> MessageSet:
    """The message set of requests built already (`build_request`), in their order.

    Each request's element is moved into the set: build it again to send it twice.
    """
    policy = _check_set(version, on_error)
    if not built:
        raise QbxmlRequestError("a message set needs at least one request")
    root = etree.Element("QBXML")
    root.addprevious(etree.ProcessingInstruction("qbxml", f'version="{version}"'))
    msgs = etree.SubElement(root, "QBXMLMsgsRq", onError=policy.value)
    changes: dict[str, tuple[TextChange, ...]] = {}
    types: dict[str, str] = {}
    for request in built:
        if request.request_id in types:
            raise QbxmlRequestError(f"requestID {request.request_id!r} appears twice in the set")
        msgs.append(request.element)
        changes[request.request_id] = request.changes
        types[request.request_id] = request.request_type
    body = etree.tostring(root.getroottree(), encoding="unicode")
    return MessageSet(
        xml=XML_DECLARATION + body,
        request_ids=tuple(types),
        request_types=MappingProxyType(types),
        changes=MappingProxyType(changes),
    )


def _check_set(version: str, on_error: OnError | str) -> OnError:
    if not _VERSION.match(version):
        raise QbxmlRequestError(f"qbXML version {version!r} is not of the form X.Y")
    try:
        return OnError(on_error)
    except ValueError:
        raise QbxmlRequestError(f"onError {on_error!r} is not one of {list(OnError)}") from None


def build_message_set(
    requests: Sequence[Request] | Mapping[str, Request],
    version: str,
    on_error: OnError | str = OnError.CONTINUE,
) -> str:
    """The qbXML text of a message set; use compose_message_set to also get text changes."""
    return compose_message_set(requests, version, on_error).xml
