"""QuickBooks Online record identifiers: their form, checked before any use.

Every QuickBooks Online entity has an `Id` that QuickBooks Online assigns when it is created
(Intuit's Accounting API reference, e.g. Customer: "Id: String, read only, system defined";
Intuit's "Basic ID and field definitions" page). The type is a string, but every Id QuickBooks
Online returns is a decimal number ("1", "42", "1027"); Intuit does not publish a longer form.
sfqb takes the stricter reading: digits only, at most 20 of them, so a QuickBooks Desktop ListID
(80000002-1700000000) or a Salesforce Id pasted by mistake is refused before it is stored.
"""

from __future__ import annotations

import re

from sfqb.domain.qbd_ids import InvalidQbId

_QBO_ID = re.compile(r"[0-9]{1,20}")


def check_qbo_id(value: str) -> str:
    """The id, stripped, when it has QuickBooks Online's form (digits); else InvalidQbId."""
    text = value.strip()
    if _QBO_ID.fullmatch(text):
        return text
    shown = text or "an empty value"
    hint = ""
    if "-" in text:
        hint = " (this one has the form of a QuickBooks Desktop Id: is the company on Desktop?)"
    raise InvalidQbId(
        f"{shown!r} is not a QuickBooks Online Id: those are digits only, like 42 or 1027{hint}"
    )
