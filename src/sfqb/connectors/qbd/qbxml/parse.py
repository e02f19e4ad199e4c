"""qbXML responses -> per-request results, decoded with the status-code catalog.

`parse_response` reads a `<QBXML><QBXMLMsgsRs>` document with sfqb's hardened parser; every
`...Rs` becomes a `RequestResult` (request type, requestID, decoded status, typed records,
iterator state). Status 1 on a query means "no match": zero records, not a failure. Anything
unreadable raises `QbxmlParseError` carrying the transport status MALFORMED_RESPONSE.
`match_responses` pairs the requestIDs sent with the results and flags missing answers.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

from lxml import etree

from sfqb.codes import Catalog
from sfqb.codes.safexml import UnsafeXMLError, parse_xml
from sfqb.connectors.qbd.qbxml.errors import QbxmlParseError
from sfqb.connectors.qbd.qbxml.readers import READERS, BadValue
from sfqb.connectors.qbd.qbxml.records import Record
from sfqb.domain.status import DecodedStatus, System

ENDPOINT = "QuickBooks Desktop"
R = TypeVar("R", bound=Record)
NO_MATCH = 1


@dataclass(frozen=True, slots=True)
class RequestResult:
    """QuickBooks' answer to one request of a message set."""

    request_type: str
    request_id: str
    status_code: int
    status_severity: str
    status: DecodedStatus
    records: tuple[Record, ...]
    ret_count: int | None = None
    iterator_id: str | None = None
    iterator_remaining_count: int | None = None

    def records_of(self, kind: type[R]) -> tuple[R, ...]:
        """The records of one type, e.g. `result.records_of(CustomerRecord)`."""
        return tuple(r for r in self.records if isinstance(r, kind))

    @property
    def ok(self) -> bool:
        """True unless the status is an error (0, status 1 'no match' and warnings are ok)."""
        return not self.status.is_failure

    @property
    def no_match(self) -> bool:
        """True when a query found nothing (status 1): an empty result, not a failure."""
        return self.status_code == NO_MATCH

    @property
    def more_to_read(self) -> bool:
        """True when an iterator still holds records (send the query again with Continue)."""
        return bool(self.iterator_id) and (self.iterator_remaining_count or 0) > 0


@dataclass(frozen=True, slots=True)
class MessageSetResponse:
    """Every `...Rs` of a response, in document order."""

    results: tuple[RequestResult, ...]

    def __iter__(self) -> Iterator[RequestResult]:
        return iter(self.results)

    def __len__(self) -> int:
        return len(self.results)

    def get(self, request_id: str) -> RequestResult | None:
        """The (first) result answering `request_id`, or None."""
        return next((r for r in self.results if r.request_id == request_id), None)


@dataclass(frozen=True, slots=True)
class ResponseMatch:
    """The results for the requestIDs sent: answered, missing, and answers nobody asked for."""

    answered: tuple[RequestResult, ...]
    missing: tuple[str, ...]
    unexpected: tuple[RequestResult, ...]

    @property
    def complete(self) -> bool:
        """True when every request got exactly one answer and nothing else came back."""
        return not self.missing and not self.unexpected


def _malformed(catalog: Catalog, reason: str) -> QbxmlParseError:
    message = f"{ENDPOINT} sent a response sfqb cannot read: {reason}"
    return QbxmlParseError(catalog.decode(System.TRANSPORT, "MALFORMED_RESPONSE", message), reason)


def _int_attr(element: etree._Element, name: str) -> int | None:
    value = element.get(name)
    if value is None or value.strip() == "":
        return None
    try:
        return int(value.strip())
    except ValueError:
        raise BadValue(f"{element.tag} {name}={value!r} is not an integer") from None


def _result(element: etree._Element, catalog: Catalog) -> RequestResult:
    tag = str(element.tag)
    if not tag.endswith("Rs"):
        raise BadValue(f"{tag} is not a response element")
    code = _int_attr(element, "statusCode")
    if code is None:
        raise BadValue(f"{tag} has no statusCode")
    message = element.get("statusMessage")
    records = tuple(
        READERS[str(child.tag)](child)
        for child in element
        if isinstance(child.tag, str) and str(child.tag) in READERS
    )
    return RequestResult(
        request_type=tag.removesuffix("Rs"),
        request_id=element.get("requestID", ""),
        status_code=code,
        status_severity=element.get("statusSeverity", ""),
        status=catalog.decode(System.QBXML, code, message),
        records=records,
        ret_count=_int_attr(element, "retCount"),
        iterator_id=element.get("iteratorID"),
        iterator_remaining_count=_int_attr(element, "iteratorRemainingCount"),
    )


def parse_response(xml: str | bytes, catalog: Catalog) -> MessageSetResponse:
    """Parse a qbXML response; raises QbxmlParseError (with a decoded status) if unreadable."""
    try:
        root = parse_xml(xml)
    except UnsafeXMLError as exc:
        raise _malformed(catalog, str(exc)) from None
    if root.tag != "QBXML":
        raise _malformed(catalog, f"the document element is <{root.tag}>, not <QBXML>")
    msgs = root.find("QBXMLMsgsRs")
    if msgs is None:
        raise _malformed(catalog, "there is no <QBXMLMsgsRs> element")
    try:
        results = tuple(_result(child, catalog) for child in msgs if isinstance(child.tag, str))
    except BadValue as exc:
        raise _malformed(catalog, str(exc)) from None
    return MessageSetResponse(results)


def match_responses(request_ids: Sequence[str], response: MessageSetResponse) -> ResponseMatch:
    """Pair each requestID sent with its answer, in the order sent.

    A request without an answer is `missing` (QuickBooks may have stopped early, or the reply
    was lost: its outcome is unknown). Answers with an unknown or repeated requestID are
    `unexpected`.
    """
    wanted = set(request_ids)
    first: dict[str, RequestResult] = {}
    unexpected: list[RequestResult] = []
    for result in response:
        if result.request_id in wanted and result.request_id not in first:
            first[result.request_id] = result
        else:
            unexpected.append(result)
    return ResponseMatch(
        answered=tuple(first[rid] for rid in request_ids if rid in first),
        missing=tuple(rid for rid in request_ids if rid not in first),
        unexpected=tuple(unexpected),
    )
