"""QuickBooks Desktop record identifiers (ListID, TxnID): their form, checked before any use.

QuickBooks Desktop generates a ListID for each list record and a TxnID for each transaction
(Intuit's qbXML reference, e.g. "CustomerAdd" and "InvoiceAdd": "QuickBooks generates a unique
ListID/TxnID for each ... that is added"); both are `IDTYPE` in qbxml120.xsd. Intuit does not
publish the inner form, but every id QuickBooks Desktop returns is a hexadecimal serial, a dash
and a decimal creation stamp (`80000002-1700000000`, `1A-1700000000`), and QuickBooks answers
3000 ("The given object ID ... is invalid") for anything else. sfqb takes the stricter reading:
an id without both parts (cut short when copied, `80000002`) is refused before it is stored.
"""

from __future__ import annotations

import re

from sfqb.domain.entities import InvalidRef

_QBD_ID = re.compile(r"[0-9A-Fa-f]{1,16}-[0-9]{1,10}")


class InvalidQbId(InvalidRef):
    """A value that cannot be a QuickBooks Desktop ListID or TxnID; the text is one line."""


def check_qbd_id(value: str) -> str:
    """The id, stripped and upper-cased, when it has QuickBooks Desktop's form; else InvalidQbId."""
    text = value.strip()
    if not _QBD_ID.fullmatch(text):
        shown = text or "an empty value"
        raise InvalidQbId(
            f"{shown!r} is not a QuickBooks Desktop ListID or TxnID: those look like "
            "80000002-1700000000 (hex digits, a dash, then digits); was it cut short?"
        )
    return text.upper()
