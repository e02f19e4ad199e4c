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
from collections.abc import Collection

from sfqb.domain.entities import InvalidRef

_QBD_ID = re.compile(r"[0-9A-Fa-f]{1,16}-[0-9]{1,10}")


class InvalidQbId(InvalidRef):
    """A value that cannot be a record Id of the company's QuickBooks; the text is one line."""


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


def qbd_id_cut_short(qb_id: str, known: Collection[str]) -> None:
    """InvalidQbId for a well-formed Id that looks cut short: the start of an Id sfqb knows, or
    a creation stamp shorter than QuickBooks Desktop's ten digits (Unix seconds; the stricter
    reading, since Intuit does not document the form)."""
    if qb_id in known:
        return
    serial, stamp = qb_id.split("-", 1)
    near = sorted(k for k in known if k.startswith(qb_id) or k.split("-", 1)[0] == serial)
    if near:
        raise InvalidQbId(
            f"{qb_id!r} is not a QuickBooks Id sfqb has seen; was it cut short? "
            f"Did you mean {near[0]}?"
        )
    if len(stamp) < 10:
        raise InvalidQbId(
            f"{qb_id!r} looks cut short: a QuickBooks Desktop Id ends in a 10-digit creation "
            f"stamp after the dash (80000002-1700000000), this one has {len(stamp)}"
        )
