"""The engine's QbOps against QuickBooks Online: `QboDriver(api, catalog).execute(ops)`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime

from sfqb.codes import Catalog
from sfqb.connectors.qbo.api import QboApi, QboFault
from sfqb.connectors.qbo.operations.reads import MergedInto, Reader, quote, select
from sfqb.connectors.qbo.operations.writes import MAX_BATCH, Writer
from sfqb.connectors.qbo.unanswered import BatchJournal
from sfqb.domain.status import Remedy, System
from sfqb.sync.ops import QbAction, QbOp, QbResult, QuickBooksUnavailable

_WRITES = frozenset({QbAction.ADD, QbAction.MOD})
# QuickBooks Online has no marker writes (the profile's MarkerKind.NONE): the binding lives in
# the store and in QuickBooks_ID__c, so these are never sent (a company's custom field for the
# Salesforce Id, `marker_field`, travels in the Add or Mod itself).
_MARKERS = frozenset(
    {
        QbAction.SET_MARKER,
        QbAction.CLEAR_MARKER,
        QbAction.DEFINE_MARKER,
        QbAction.READ_FIELD_DEFS,
        QbAction.READ_FIELD_SLOTS,
    }
)


def _now() -> datetime:
    return datetime.now(UTC)


class QboDriver:
    """Carries ops to one QuickBooks Online company and answers one QbResult per op, in order.

    Adds and Mods go in batch requests of at most `max_batch` (30) items; reads are queries and
    Change Data Capture calls. A Fault answers the op (or batch item) it belongs to; ReplyLost,
    QuickBooksUnavailable and QboAuthLost from the api propagate: the runner decides.
    `clock` (aware, UTC) bounds Change Data Capture's 30-day window; `merged_into` names the
    record a deleted one was merged into (the webhook Merge events sfqb stored), if known.
    `marker_field` (the company's binding_definition_id, "" for none) is the custom field a
    customer's Add and Mod carry its Salesforce Id in, read back as the record's marker; a
    Mod reads the records' custom fields first so their other values are kept.
    `journal` keeps every batch until its answer is safe (in memory when not given); a
    REPLAY_UNANSWERED op sends the kept ones again, before anything else of its batch.
    """

    def __init__(
        self,
        api: QboApi,
        catalog: Catalog,
        *,
        max_batch: int = MAX_BATCH,
        clock: Callable[[], datetime] = _now,
        merged_into: MergedInto | None = None,
        marker_field: str = "",
        journal: BatchJournal | None = None,
    ) -> None:
        self._api = api
        self._catalog = catalog
        self._names: dict[tuple[str, str], str | None] = {}
        self._writer = Writer(
            api, catalog, self._named, max_batch,
            marker_field=marker_field, clock=clock, journal=journal,
        )  # fmt: skip
        self._reader = Reader(api, catalog, clock, merged_into, marker_field)

    def execute(self, ops: Sequence[QbOp]) -> list[QbResult]:
        """One QbResult per op_id, in op order."""
        answers: dict[str, QbResult] = {}
        for op in ops:  # first: the look-ups in the same batch then see what it created
            if op.action is QbAction.REPLAY_UNANSWERED:
                answers[op.op_id] = self._writer.replay(op)
        answers.update(self._reader.changed([o for o in ops if o.action is QbAction.READ_CHANGED]))
        answers.update(self._reader.deleted([o for o in ops if o.action is QbAction.READ_DELETED]))
        for op in ops:
            if op.action is QbAction.READ_PREFERENCES:
                answers[op.op_id] = self._reader.preferences(op)
            elif op.action is QbAction.READ:
                answers[op.op_id] = self._reader.read(op)
            elif op.action is QbAction.READ_LIST:
                answers[op.op_id] = self._reader.read_list(op)
            elif op.action in _MARKERS:
                message = f"QuickBooks Online keeps no marker: {op.action.value} is never sent"
                status = self._catalog.decode(System.TRANSPORT, "UNSUPPORTED_OPERATION", message)
                answers[op.op_id] = QbResult(op.op_id, status)
        _company_wide(answers.values())  # before any write: nothing is sent to a closed company
        writes = [o for o in ops if o.action in _WRITES]
        mods = [o for o in writes if o.action is QbAction.MOD and self._writer.marked(o)]
        current = self._reader.custom_fields(mods) if mods else {}
        answers.update(self._writer.write(writes, current))
        _company_wide(answers.values())
        return [answers[op.op_id] for op in ops]

    def _named(self, entity: str, name: str) -> str | None:
        """The Id of the active `entity` named `name` (a policy's account or tax code), cached
        for the driver's life; None when QuickBooks Online has none."""
        key = (entity, name.casefold())
        if key not in self._names:
            field = "FullyQualifiedName" if entity == "Account" else "Name"
            try:
                found = self._api.query(select(entity, f"{field} = {quote(name)}"))
            except QboFault:
                return None  # not cached: asked again with the next op that names it
            self._names[key] = str(found[0]["Id"]) if found else None
        return self._names[key]


def _company_wide(results: Iterable[QbResult]) -> None:
    """A fault the catalog says stops the whole company (its remedy opens the connector
    circuit: the subscription ended, the connecting user lost access) is not one record's: it
    is raised as QuickBooks Online being unavailable, so the runner pauses the company with one
    alert and tries again later, instead of failing every record on its own."""
    for result in results:
        if result.status.remedy is Remedy.OPEN_CIRCUIT:
            raise QuickBooksUnavailable(result.status)
