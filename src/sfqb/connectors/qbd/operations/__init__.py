"""QuickBooks Desktop side of the engine's QbOp contract: ops -> qbXML -> QbResults.

`compose(ops, version, catalog=...)` builds one message set (requestID = op_id) and sets aside
ops the codec refuses; `results(response_xml, composed, catalog)` reads QuickBooks' answer into
one QbResult per op; `DirectDriver(process, catalog)` does both around an in-process call.
"""

from sfqb.connectors.qbd.operations.compose import ComposedSet, compose
from sfqb.connectors.qbd.operations.driver import DirectDriver
from sfqb.connectors.qbd.operations.errors import OperationsError, OpRefused
from sfqb.connectors.qbd.operations.marker import marker_text, split_marker, with_marker
from sfqb.connectors.qbd.operations.records import salesforce_id, to_qb_record
from sfqb.connectors.qbd.operations.results import results

__all__ = [
    "ComposedSet",
    "DirectDriver",
    "OpRefused",
    "OperationsError",
    "compose",
    "marker_text",
    "results",
    "salesforce_id",
    "split_marker",
    "to_qb_record",
    "with_marker",
]
