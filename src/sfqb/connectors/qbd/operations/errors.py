"""Why an op could not become a qbXML request, as the status code it is reported with."""

from __future__ import annotations

from sfqb.connectors.qbd.qbxml import QbxmlRequestError
from sfqb.domain.status import System

# The status an op is refused with, by what is wrong with it. All of them are request_bug /
# hold_for_review in the catalog; the message says which field and why.
TEXT = (System.QBXML, "3070")  # text too long, forbidden character, blank name
OBJECT_ID = (System.QBXML, "3000")  # a ListID/TxnID/EditSequence that is not an ID
AMOUNT = (System.QBXML, "3040")  # not a number, too many decimals or digits
DATE = (System.QBXML, "3020")  # not a date
BOOLEAN = (System.QBXML, "3010")  # not true/false
# Anything else (an unknown field, a missing required one, a broken choice): QuickBooks'
# parser would refuse such a request, so it is reported with the parser's HRESULT.
STRUCTURE = (System.HRESULT, "0x80040400")


class OpRefused(QbxmlRequestError):
    """An op that cannot be sent; `status` names the code it is reported with."""

    def __init__(self, message: str, status: tuple[System, str] = STRUCTURE) -> None:
        self.status = status
        super().__init__(message)


class OperationsError(ValueError):
    """The ops handed to `compose` cannot form a set at all (e.g. a repeated op_id)."""
