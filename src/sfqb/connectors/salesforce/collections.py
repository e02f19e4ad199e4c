"""How sfqb cuts writes into sObject Collections calls: by object, then by size, smaller again
when the org's automation cannot keep up (a row lock, the Apex CPU limit)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sfqb.connectors.salesforce import payloads
from sfqb.connectors.salesforce.errors import SalesforceError
from sfqb.connectors.salesforce.models import WriteResult
from sfqb.domain.status import DecodedStatus

Sent = tuple[int, str, str | None, str | None]
"""(index in the caller's list, sObject, record Id, external ID) of one record sent."""
Send = Callable[[Sequence[Sent], Sequence[Mapping[str, Any]]], list[WriteResult]]
"""One collection call: the records sent and their bodies in; one result per record out."""

_LOCKED = "UNABLE_TO_LOCK_ROW"
_CPU_LIMIT = "apex cpu time limit exceeded"


def smaller_helps(statuses: Sequence[DecodedStatus]) -> bool:
    """True for failures a smaller batch may avoid: a row lock, or the org's triggers running
    out of Apex CPU time on a large batch (the error's code varies, its text does not)."""
    return any(s.code == _LOCKED or _CPU_LIMIT in (s.message or "").lower() for s in statuses)


def write_in_collections(
    send: Send,
    sent: Sequence[Sent],
    bodies: Sequence[Mapping[str, Any]],
    *,
    size: int,
    max_retry_calls: int,
) -> list[WriteResult]:
    """Every record written through calls of at most `size` records; one result per record.

    Records are sorted by sObject first (stable), so a call holds as few chunks as there are
    types: Salesforce processes a mixed collection in chunks by type and refuses more than 10
    ("Create Records Using sObject Collections", REST API Developer Guide). Records that fail
    with a row lock or the Apex CPU limit are sent again within the same cycle in calls of half
    the size, down to one record, using at most `max_retry_calls` more calls. A call that fails
    as a whole for another reason stops the write: its records and the unsent ones fail with
    its statuses.
    """
    order = sorted(range(len(sent)), key=lambda i: sent[i][1].lower())
    results: dict[int, WriteResult] = {}
    pending, budget, first = order, max_retry_calls, True
    while pending:
        again: list[int] = []
        for start in range(0, len(pending), size):
            chunk = pending[start : start + size]
            if not first:
                if budget <= 0:
                    break
                budget -= 1
            try:
                answered = send([sent[i] for i in chunk], [bodies[i] for i in chunk])
            except SalesforceError as exc:
                failed = payloads.failed_results([sent[i] for i in chunk], exc.statuses, True)
                results.update(zip(chunk, failed, strict=True))
                if smaller_helps(exc.statuses) and size > 1:
                    again.extend(chunk)
                    continue
                rest = [i for i in order if i not in results]
                unsent = payloads.failed_results([sent[i] for i in rest], exc.statuses, False)
                results.update(zip(rest, unsent, strict=True))
                return [results[i] for i in range(len(sent))]
            for index, result in zip(chunk, answered, strict=True):
                results[index] = result
                if not result.success and size > 1 and smaller_helps(result.statuses):
                    again.append(index)
        if size == 1 or not again:
            break
        pending, size, first = again, max(1, size // 2), False
    return [results[i] for i in range(len(sent))]
