"""Decoding what QuickBooks answered to a message set, with the qbXML codec's parser."""

from __future__ import annotations

from dataclasses import dataclass

from sfqb.codes.catalog import Catalog
from sfqb.connectors.qbd.qbxml import QbxmlParseError, parse_response
from sfqb.connectors.qbd.qbxml.parse import RequestResult
from sfqb.connectors.qbd.qbxml.records import (
    CustomerRecord,
    ItemRecord,
    PaymentRecord,
    SalesTxnRecord,
    VendorRecord,
)
from sfqb.domain.status import DecodedStatus


class ResponseError(ValueError):
    """QuickBooks' answer is not a qbXML response sfqb can read; `status` says so, decoded."""

    def __init__(self, status: DecodedStatus) -> None:
        super().__init__(status.message)
        self.status = status


def _object_id(result: RequestResult) -> str:
    """The ListID or TxnID of the first object the response returned ("" for none)."""
    for record in result.records:
        if isinstance(record, CustomerRecord | VendorRecord | ItemRecord):
            return record.core.list_id
        if isinstance(record, SalesTxnRecord | PaymentRecord):
            return record.core.txn_id
    return ""


def _line(result: RequestResult) -> str:
    ident = f" requestID={result.request_id}" if result.request_id else ""
    object_id = _object_id(result)
    found = f" -> {object_id}" if object_id else ""
    return f"{result.request_type}{ident}: {result.status.code} {result.status.title}{found}"


@dataclass(frozen=True, slots=True)
class ResponseSummary:
    """Every decoded result of one message set's response."""

    results: tuple[RequestResult, ...]

    @property
    def failed(self) -> tuple[RequestResult, ...]:
        """The results QuickBooks refused."""
        return tuple(r for r in self.results if r.status.is_failure)

    def text(self) -> str:
        """The summary stored on the outbox row: one line per response."""
        return "\n".join(_line(r) for r in self.results) or "no responses in the message set"


def summarize_response(response_xml: str, catalog: Catalog) -> ResponseSummary:
    """Decode every response of a message set; raises ResponseError when it is unreadable."""
    try:
        parsed = parse_response(response_xml, catalog)
    except QbxmlParseError as exc:
        raise ResponseError(exc.status) from None
    return ResponseSummary(tuple(parsed))
