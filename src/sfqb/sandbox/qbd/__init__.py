"""An emulated QuickBooks Desktop company file that answers qbXML with QuickBooks' rules.

`CompanyFile(settings, clock, rng).process(request_xml) -> response_xml`. Choices where
QuickBooks' behaviour is not publicly documented (see data/messages.yaml for the texts):

* A value longer than QuickBooks' limit (Name 41, Item Name 31, ...) is answered with 3070
  `The string "X" in the field "Name" is too long.`; a Name with a colon gets 3210.
* Schema-level faults (malformed XML, no <?qbxml version?>, a DTD, an *Add without its
  required element) make the whole set fail with RequestRejected 0x80040400, as QuickBooks'
  parser does; a version above settings.max_qbxml_version gives 0x80040423.
* stopOnError (and rollbackOnError, which QuickBooks Desktop does not honour) stops at the
  first Error: later requests get no response element. Status 1 and warnings do not stop.
* A query by ListID/FullName/TxnID/RefNumber that misses some answers 500 (Warn) with what
  it found; a filter query that matches nothing answers 1 (Info).
* Text is stored as Windows-1252: characters outside it become "?".
* DataExt rules (slots, inheritance, DataExtDel, the parent modified) are in dataext.py.
* Other references (accounts, classes, terms) are not checked.
* Iterators, user holds and one-shot faults live in memory only; save()/load() keep the data.
* A one-shot outage (faults.connector_down_next) hits the next begin_session() or process().
"""

from sfqb.sandbox.qbd.books import SandboxError
from sfqb.sandbox.qbd.company import CompanyFile, SandboxStateError
from sfqb.sandbox.qbd.faults import (
    ConnectorDown,
    Faults,
    LostReply,
    RequestRejected,
    SandboxFault,
)
from sfqb.sandbox.qbd.meta import HostInfo
from sfqb.sandbox.qbd.records import Deletion, Record
from sfqb.sandbox.qbd.settings import SandboxSettings, SettingsError

__all__ = [
    "CompanyFile",
    "ConnectorDown",
    "Deletion",
    "Faults",
    "HostInfo",
    "LostReply",
    "Record",
    "RequestRejected",
    "SandboxError",
    "SandboxFault",
    "SandboxSettings",
    "SandboxStateError",
    "SettingsError",
]
