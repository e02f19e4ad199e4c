"""Run ops directly against a qbXML processor (the sandbox's CompanyFile.process)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sfqb.codes import Catalog
from sfqb.connectors.qbd.operations.compose import compose
from sfqb.connectors.qbd.operations.results import results
from sfqb.sync.ops import QbOp, QbResult


class DirectDriver:
    """Compose ops, hand the set to `process` in-process, and read the answers.

    Whatever `process` raises (the sandbox's ConnectorDown, LostReply...) propagates; so does
    the codec's QbxmlParseError for an unreadable response. The caller decides what follows.
    """

    def __init__(
        self, process: Callable[[str], str], catalog: Catalog, version: str = "13.0"
    ) -> None:
        self._process = process
        self._catalog = catalog
        self._version = version

    def execute(self, ops: Sequence[QbOp]) -> list[QbResult]:
        """One round trip: a QbResult per op, in op order (refused ops are not sent)."""
        if not ops:
            return []
        composed = compose(ops, self._version, catalog=self._catalog)
        response = self._process(composed.xml) if composed.xml is not None else None
        return results(response, composed, self._catalog)
