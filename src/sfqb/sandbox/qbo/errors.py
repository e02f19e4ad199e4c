"""Faults as QuickBooks Online answers them: the API's `Fault`, the gateway's `fault`, 429.

Bodies follow real answers quoted in public issue threads (cited per function).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape, quoteattr

NS = "http://schema.intuit.com/finance/v3"


class QboError(Exception):
    """One Fault the API answers with (HTTP `status`, Fault `type`, one Error item)."""

    def __init__(
        self,
        code: str,
        message: str,
        detail: str = "",
        element: str = "",
        *,
        status: int = 400,
        fault_type: str = "ValidationFault",
    ) -> None:
        super().__init__(f"{code} {message}: {detail}")
        self.code, self.message, self.detail, self.element = code, message, detail, element
        self.status, self.fault_type = status, fault_type

    def fault(self) -> dict[str, Any]:
        """The `Fault` object (as a batch item or a whole answer carries it)."""
        error = {"Message": self.message, "Detail": self.detail, "code": self.code}
        error["element"] = self.element
        return {"Error": [error], "type": self.fault_type}


# -- the API's own faults -------------------------------------------------------------------


def duplicate_name(name: str) -> QboError:
    """6240: DisplayName used by another customer, vendor or employee (Workato QBO runtime
    errors page; Intuit's Customer reference: DisplayName must be unique across the three)."""
    return QboError(
        "6240",
        "Duplicate Name Exists Error",
        f"The name supplied already exists. : Another customer, vendor or employee is already "
        f"using this name ({name}). Please use a different name.",
    )


def stale(entity: str, sent: str, current: str) -> QboError:
    """5010: the SyncToken sent is not the record's current one (routablehq/python-quickbooks
    #127 quotes the real body)."""
    return QboError(
        "5010",
        "Stale Object Error",
        f"Stale Object Error : You and another user were working on this {entity} at the same "
        f"time (SyncToken {sent}, current {current}). The other finished first, so your work "
        "was not saved.",
    )


def not_found(entity: str, ident: str, element: str = "") -> QboError:
    """610: the object is missing or made inactive (intuit/QuickBooks-V3-DotNET-SDK #353)."""
    return QboError(
        "610",
        "Object Not Found",
        "Object Not Found : Something you're trying to use has been made inactive. Check the "
        f"fields with accounts, customers, items, vendors or employees. ({entity} {ident})",
        element,
    )


def invalid_reference(element: str) -> QboError:
    """2500: a reference to an Id QuickBooks Online does not know (QuickBooks-V3-PHP-SDK #102:
    element="Line.SalesItemLineDetail.ItemRef", Detail "Invalid Reference Id : <element>")."""
    return QboError("2500", "Invalid Reference Id", f"Invalid Reference Id : {element}", element)


def too_long(element: str, maximum: int, supplied: int) -> QboError:
    """2050: a string over its documented length (ruckus/quickbooks-ruby #436 quotes it)."""
    return QboError(
        "2050",
        "String length is either shorter or longer than supported by specification",
        f"String length specified does not match the supported length. Min:0 Max:{maximum} "
        f"supported. Supplied length:{supplied}",
        element,
    )


def required(element: str) -> QboError:
    """2020: a required field is missing (message from routablehq/python-quickbooks #24)."""
    return QboError(
        "2020",
        "Required param missing, need to supply the required value for the API",
        f"Required parameter {element} is missing in the request",
        element,
    )


def invalid_property(detail: str, element: str = "") -> QboError:
    """2010: a property the API does not accept (routablehq/python-quickbooks #24)."""
    return QboError("2010", "Request has invalid or unsupported property", detail, element)


def business(detail: str, code: str = "6000", element: str = "") -> QboError:
    """6000 (or another 6xxx): a business rule refused the record (activepieces #8539)."""
    return QboError(
        code,
        "A business validation error has occurred while processing your request",
        f"Business Validation Error: {detail}",
        element,
    )


def inventory_off() -> QboError:
    """6000: an Item of Type Inventory in a company whose "Track quantity on hand" is off. The
    Detail is the one quoted in intuit/QuickBooks-V3-DotNET-SDK issue #10; Intuit's pages give
    no code for it, so it is the generic business-validation code its Message names."""
    return business(
        "When you create an item, if Track quantity on hand is turned off, the item cannot be "
        "of type Inventory.",
        element="Type",
    )


def unsupported(detail: str) -> QboError:
    """500 Unsupported Operation (QuickBooks-V3-PHP-SDK/SampleApp-CRUD-PHP #7)."""
    return QboError("500", "Unsupported Operation", f"Operation {detail} is not supported.")


def query_parser(detail: str) -> QboError:
    """4000 QueryParserError (mcohen01/node-quickbooks #56; QuickBooks-V3-PHP-SDK #8)."""
    return QboError("4000", "Error parsing query", f"QueryParserError: {detail}")


# -- rendering ------------------------------------------------------------------------------


def stamp(now: datetime) -> str:
    """The `time` attribute of an answer, in Intuit's style (Pacific offset dropped: UTC)."""
    return now.isoformat(timespec="milliseconds")


def fault_json(error: QboError, now: datetime) -> bytes:
    """`{"Fault": {...}, "time": ...}`."""
    return json.dumps({"Fault": error.fault(), "time": stamp(now)}).encode()


def fault_xml(error: QboError, now: datetime) -> bytes:
    """`<IntuitResponse><Fault type=..><Error code=.. element=..>` (QuickBooks-V3-PHP-SDK #110)."""
    element = f" element={quoteattr(error.element)}" if error.element is not None else ""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<IntuitResponse xmlns="{NS}" time="{stamp(now)}">'
        f"<Fault type={quoteattr(error.fault_type)}>"
        f"<Error code={quoteattr(error.code)}{element}>"
        f"<Message>{escape(error.message)}</Message><Detail>{escape(error.detail)}</Detail>"
        "</Error></Fault></IntuitResponse>"
    ).encode()


def gateway_auth(detail: str, now: datetime) -> bytes:
    """The gateway's 401 body: lower-case `fault` and `error`, type AUTHENTICATION, `time` in
    epoch milliseconds (quoted in routablehq/python-quickbooks #250)."""
    body: dict[str, Any] = {
        "warnings": None,
        "intuitObject": None,
        "fault": {
            "error": [
                {
                    "message": "message=AuthenticationFailed; errorCode=003200; statusCode=401",
                    "detail": detail,
                    "code": "3200",
                    "element": None,
                }
            ],
            "type": "AUTHENTICATION",
        },
        "report": None,
        "queryResponse": None,
        "batchItemResponse": [],
        "attachableResponse": [],
        "syncErrorResponse": None,
        "requestId": None,
        "time": int(now.timestamp() * 1000),
        "status": None,
        "cdcresponse": [],
    }
    return json.dumps(body).encode()


THROTTLED = QboError(
    "3001",
    "message=ThrottleExceeded; errorCode=003001; statusCode=429",
    "The request limit was reached.  Try again later",
    status=429,
    fault_type="SERVICE",
)


def throttle_xml(now: datetime) -> bytes:
    """The 429 body. Intuit answers it in XML even to `Accept: application/json` (the bug
    ej2 reports in routablehq/python-quickbooks #43; body from quickbooks-ruby #348), so the
    sandbox does the same: the stricter choice, a client must read XML Faults."""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<IntuitResponse time="{stamp(now)}" xmlns="{NS}">'
        '<Fault type="SERVICE"><Error code="3001">'
        f"<Message>{THROTTLED.message}</Message><Detail>{THROTTLED.detail}</Detail>"
        "</Error></Fault></IntuitResponse>"
    ).encode()
