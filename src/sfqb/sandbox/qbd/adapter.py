"""The sandbox company as a QuickBooks the runner can push to directly (no Web Connector)."""

from __future__ import annotations

from collections.abc import Callable

from sfqb.codes import Catalog
from sfqb.domain.status import System
from sfqb.sandbox.qbd.company import CompanyFile
from sfqb.sandbox.qbd.faults import ConnectorDown, LostReply, SandboxFault
from sfqb.sync.ops import QuickBooksUnavailable, ReplyLost


def direct_processor(company: CompanyFile, catalog: Catalog) -> Callable[[str], str]:
    """`process` for a DirectDriver: the sandbox's faults become the engine's driver errors."""

    def process(request_xml: str) -> str:
        try:
            return company.process(request_xml)
        except LostReply:
            raise ReplyLost("the sandbox processed the batch and lost the reply") from None
        except (ConnectorDown, SandboxFault) as exc:
            status = catalog.decode(System.HRESULT, exc.hresult, exc.message)
            raise QuickBooksUnavailable(status) from None

    return process
