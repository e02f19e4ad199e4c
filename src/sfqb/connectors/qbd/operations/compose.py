"""QbOps -> one qbXML message set; ops that cannot be sent are set aside with a status."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from sfqb.codes import Catalog
from sfqb.connectors.qbd.operations.errors import (
    OBJECT_ID,
    STRUCTURE,
    TEXT,
    OperationsError,
    OpRefused,
)
from sfqb.connectors.qbd.operations.requests import to_request
from sfqb.connectors.qbd.qbxml import (
    BuiltRequest,
    OnError,
    QbxmlFieldError,
    QbxmlRequestError,
    TextChange,
    build_request,
    message_set_of,
)
from sfqb.domain.status import DecodedStatus
from sfqb.sync.ops import QbOp

_ID_FIELDS = frozenset({"ListID", "TxnID", "TxnLineID", "EditSequence"})


@dataclass(frozen=True, slots=True)
class ComposedSet:
    """A message set ready to send, and what `results` needs to read the answer.

    `xml` is None when every op was refused (nothing to send). `op_ids` lists every op in
    order; `sent_ids` those in `xml` (each op's requestID is its op_id). `changes` holds the
    text changes per sent op; `refused` the status of each op that could not be sent.
    """

    xml: str | None
    op_ids: tuple[str, ...]
    sent_ids: tuple[str, ...]
    ops: Mapping[str, QbOp]
    changes: Mapping[str, tuple[TextChange, ...]]
    refused: Mapping[str, DecodedStatus]

    @property
    def all_changes(self) -> tuple[TextChange, ...]:
        """Every text change of the set, in op order."""
        return tuple(c for op_id in self.sent_ids for c in self.changes.get(op_id, ()))


def compose(
    ops: Sequence[QbOp],
    version: str,
    on_error: OnError | str = OnError.CONTINUE,
    *,
    catalog: Catalog,
) -> ComposedSet:
    """One message set with a request per op (requestID = op_id).

    An op whose fields the codec refuses does not sink the set: it is left out and reported in
    `refused` (3070 for text, 3040 numbers, 3020 dates, 3010 flags, 3000 ids, and the parser's
    0x80040400 for a request of the wrong shape). DEFINE_MARKER sends DataExtDefAdd: QuickBooks
    answers 3100 when the SalesforceID field is already defined, which callers treat as done.
    Raises OperationsError for repeated op_ids, and the codec's QbxmlRequestError for a bad
    version or onError (checked only when there is something to send).
    """
    seen: set[str] = set()
    for op in ops:
        if op.op_id in seen:
            raise OperationsError(f"op_id {op.op_id!r} appears more than once in the set")
        seen.add(op.op_id)
    requests: list[BuiltRequest] = []  # each built once: the set is assembled from them
    own_changes: dict[str, tuple[TextChange, ...]] = {}
    refused: dict[str, DecodedStatus] = {}
    for op in ops:
        try:
            made = to_request(op)
            requests.append(build_request(made.request, op.op_id))
        except QbxmlRequestError as exc:
            refused[op.op_id] = _refusal(exc, catalog)
            continue
        own_changes[op.op_id] = made.changes
    xml: str | None = None
    changes: dict[str, tuple[TextChange, ...]] = {}
    if requests:
        message_set = message_set_of(requests, version, on_error)
        xml = message_set.xml
        changes = {rid: own_changes[rid] + message_set.changes[rid] for rid in own_changes}
    return ComposedSet(
        xml=xml,
        op_ids=tuple(op.op_id for op in ops),
        sent_ids=tuple(own_changes),
        ops=MappingProxyType({op.op_id: op for op in ops}),
        changes=MappingProxyType(changes),
        refused=MappingProxyType(refused),
    )


def _refusal(exc: QbxmlRequestError, catalog: Catalog) -> DecodedStatus:
    if isinstance(exc, OpRefused):
        system, code = exc.status
        return catalog.decode(system, code, str(exc))
    if isinstance(exc, QbxmlFieldError):
        element = exc.field.rsplit("/", 1)[-1]
        if element in _ID_FIELDS:
            system, code = OBJECT_ID
            message = f'The given object ID "{exc.value}" in the field "{element}" is invalid.'
            return catalog.decode(system, code, message)
        system, code = TEXT
        return catalog.decode(system, code, str(exc))
    system, code = STRUCTURE
    return catalog.decode(system, code, str(exc))
