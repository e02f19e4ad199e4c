"""A qbXML response -> one QbResult per op of the composed set, in op order."""

from __future__ import annotations

from collections.abc import Sequence

from sfqb.codes import Catalog
from sfqb.connectors.qbd.operations.compose import ComposedSet
from sfqb.connectors.qbd.operations.records import to_qb_record
from sfqb.connectors.qbd.qbxml import (
    MessageSetResponse,
    RequestResult,
    match_responses,
    parse_response,
)
from sfqb.domain.status import System
from sfqb.sync.ops import QbAction, QbOp, QbRecord, QbResult

_ENDPOINT = "QuickBooks"


def results(
    response_xml: str | None,
    composed: ComposedSet,
    catalog: Catalog,
    parsed: Sequence[RequestResult] | None = None,
) -> list[QbResult]:
    """QuickBooks' answers to `composed`, one QbResult per op in op order.

    Refused ops get their refusal status; an op QuickBooks did not answer (stopOnError, or a
    cut-off reply) gets the transport status MALFORMED_RESPONSE: its outcome is unknown.
    `response_xml` may be None only when nothing was sent; `parsed`, when given, is that
    response already decoded (it is not parsed again). Raises the codec's QbxmlParseError
    (carrying a decoded status) when the response cannot be read.
    """
    answered: dict[str, RequestResult] = {}
    if parsed is not None or response_xml is not None:
        response = (
            MessageSetResponse(tuple(parsed))
            if parsed is not None
            else parse_response(str(response_xml), catalog)
        )
        match = match_responses(composed.sent_ids, response)
        answered = {r.request_id: r for r in match.answered}
    out: list[QbResult] = []
    for op_id in composed.op_ids:
        refusal = composed.refused.get(op_id)
        result = answered.get(op_id)
        if refusal is not None:
            out.append(QbResult(op_id, refusal))
        elif result is None:
            message = f"{_ENDPOINT} sent no answer for request {op_id}"
            out.append(
                QbResult(op_id, catalog.decode(System.TRANSPORT, "MALFORMED_RESPONSE", message))
            )
        else:
            records = _records(composed.ops[op_id], result)
            remaining = result.iterator_remaining_count or 0
            out.append(QbResult(op_id, result.status, records, result.iterator_id, remaining))
    return out


def _records(op: QbOp, result: RequestResult) -> tuple[QbRecord, ...]:
    converted = (to_qb_record(r) for r in result.records)
    records = tuple(r for r in converted if r is not None)
    if op.qb_type.startswith("Item") and op.qb_type != "Item":
        # ItemQuery answers every item type; keep the one the op asked about.
        records = tuple(r for r in records if r.qb_type == op.qb_type)
    if op.action is QbAction.READ_DELETED and op.ids:
        # The deleted queries cannot select by id; narrow to the ids the op asked about.
        wanted = {i.upper() for i in op.ids}
        records = tuple(r for r in records if r.id.upper() in wanted)
    return records
