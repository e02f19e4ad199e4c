"""Reading a qbXML *request* message set (what QuickBooks receives): for the sandbox and tests.

`read_message_set(xml)` returns the qbXML version of the `<?qbxml?>` instruction, the onError
policy and each `...Rq` element with its request type and requestID; the element is left for
the caller to interpret.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from sfqb.codes.safexml import UnsafeXMLError, parse_xml
from sfqb.connectors.qbd.qbxml.errors import QbxmlRequestError

_VERSION = re.compile(r"""version\s*=\s*["']([^"']*)["']""")


@dataclass(frozen=True, slots=True)
class IncomingRequest:
    """One `...Rq` of a message set."""

    request_type: str
    request_id: str
    element: etree._Element = field(compare=False)


@dataclass(frozen=True, slots=True)
class IncomingMessageSet:
    """A request message set as QuickBooks would receive it."""

    version: str | None
    on_error: str
    requests: tuple[IncomingRequest, ...]


def read_message_set(xml: str | bytes) -> IncomingMessageSet:
    """Split a qbXML request document; raises QbxmlRequestError with a one-line reason."""
    try:
        root = parse_xml(xml)
    except UnsafeXMLError as exc:
        raise QbxmlRequestError(f"qbXML request: {exc}") from None
    if root.tag != "QBXML":
        raise QbxmlRequestError(f"qbXML request: the document element is <{root.tag}>")
    version = None
    node = root.getprevious()
    while node is not None:
        if isinstance(node, etree._ProcessingInstruction) and node.target == "qbxml":
            match = _VERSION.search(node.text or "")
            version = match.group(1) if match else None
        node = node.getprevious()
    msgs = root.find("QBXMLMsgsRq")
    if msgs is None:
        raise QbxmlRequestError("qbXML request: there is no <QBXMLMsgsRq> element")
    requests = []
    for child in msgs:
        if not isinstance(child.tag, str):
            continue
        if not child.tag.endswith("Rq"):
            raise QbxmlRequestError(f"qbXML request: <{child.tag}> is not a request")
        requests.append(IncomingRequest(child.tag[:-2], child.get("requestID", ""), child))
    return IncomingMessageSet(version, msgs.get("onError", ""), tuple(requests))
