"""QuickBooks Online side of the engine's QbOp contract: ops -> batch, query and CDC calls.

`QboDriver(api, catalog)` implements `jobs.runner.Driver`; `to_record` turns a QuickBooks
Online entity into the engine's QbRecord; `request_id` derives a batch's requestid.
"""

from sfqb.connectors.qbo.operations.driver import QboDriver
from sfqb.connectors.qbo.operations.records import to_record
from sfqb.connectors.qbo.operations.writes import request_id

__all__ = ["QboDriver", "request_id", "to_record"]
