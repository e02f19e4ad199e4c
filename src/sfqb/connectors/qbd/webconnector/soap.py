"""SOAP 1.1 document/literal for the Web Connector: read a call, answer it, or fault.

The envelope is parsed with sfqb's hardened parser (no DTD, no entities, size cap); the body's
first element names the operation. Anything else gets a SOAP 1.1 Fault, never a traceback.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from sfqb.codes.safexml import UnsafeXMLError, parse_xml
from sfqb.connectors.qbd.webconnector.service import WebConnectorService

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_ENV = "http://www.w3.org/2003/05/soap-envelope"
INTUIT_NS = "http://developer.intuit.com/"
CONTENT_TYPE = "text/xml; charset=utf-8"
XML_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>\n'

log = logging.getLogger(__name__)
_XML_UNSAFE = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class SoapFault(Exception):
    """A call sfqb refuses: faultcode (Client, Server, VersionMismatch) and a one-line reason."""

    def __init__(self, code: str, reason: str, http_status: int = 500) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.http_status = http_status


@dataclass(frozen=True, slots=True)
class SoapReply:
    """What /qbwc sends back: HTTP status and the XML body."""

    status: int
    body: bytes
    content_type: str = CONTENT_TYPE


Result = str | int | list[str]
Handler = Callable[[WebConnectorService, "Call"], Result]


class Call:
    """The parameters of one operation element, read by name."""

    def __init__(self, element: etree._Element, client: str | None = None) -> None:
        self._element = element
        self.client = client  # the caller's address; None when not known

    def text(self, name: str) -> str:
        """The parameter's text; "" when absent or empty (QBWC sends empty strings that way)."""
        found = self._element.find(f"{{{INTUIT_NS}}}{name}")
        return found.text or "" if found is not None else ""

    def integer(self, name: str) -> int:
        """An xs:int parameter; a missing or non-numeric value is the caller's fault."""
        raw = self.text(name).strip()
        try:
            return int(raw)
        except ValueError:
            raise SoapFault("Client", f"{name} must be an integer, got {raw[:40]!r}") from None


_OPERATIONS: dict[str, Handler] = {
    "serverVersion": lambda s, c: s.server_version(),
    "clientVersion": lambda s, c: s.client_version(c.text("strVersion")),
    "authenticate": lambda s, c: s.authenticate(
        c.text("strUserName"), c.text("strPassword"), c.client
    ),
    "sendRequestXML": lambda s, c: s.send_request_xml(
        c.text("ticket"),
        c.text("strHCPResponse"),
        c.text("strCompanyFileName"),
        c.text("qbXMLCountry"),
        c.integer("qbXMLMajorVers"),
        c.integer("qbXMLMinorVers"),
    ),
    "receiveResponseXML": lambda s, c: s.receive_response_xml(
        c.text("ticket"), c.text("response"), c.text("hresult"), c.text("message")
    ),
    "connectionError": lambda s, c: s.connection_error(
        c.text("ticket"), c.text("hresult"), c.text("message")
    ),
    "getLastError": lambda s, c: s.get_last_error(c.text("ticket")),
    "closeConnection": lambda s, c: s.close_connection(c.text("ticket")),
    "getInteractiveURL": lambda s, c: s.get_interactive_url(
        c.text("wcTicket"), c.text("sessionID")
    ),
    "interactiveDone": lambda s, c: s.interactive_done(c.text("wcTicket")),
    "interactiveRejected": lambda s, c: s.interactive_rejected(
        c.text("wcTicket"), c.text("reason")
    ),
}

OPERATIONS = tuple(_OPERATIONS)
# The operations that carry a large field (strHCPResponse, response): read up to the full limit.
LARGE_OPERATIONS = frozenset({"sendRequestXML", "receiveResponseXML"})


class SoapEndpoint:
    """Turns a POSTed SOAP body into the reply bytes, whatever the body holds."""

    def __init__(self, service: WebConnectorService, max_body_bytes: int | None = None) -> None:
        self._service = service
        self.settings = service.settings
        self.max_body_bytes = max_body_bytes or service.settings.max_body_bytes

    def reader(self) -> BodyReader:
        """A reader for one request body, fed as it arrives, that cuts it off when too big."""
        settings = self.settings
        return BodyReader(
            self.max_body_bytes, min(settings.max_small_body_bytes, self.max_body_bytes)
        )

    def handle(self, body: bytes, client: str | None = None) -> SoapReply:
        """Answer one call from `client` (None: address not known); faults for malformed,
        unknown or failing calls."""
        try:
            operation, call = self._read(body, client)
            result = _OPERATIONS[operation](self._service, call)
            return SoapReply(200, response_envelope(operation, result))
        except SoapFault as fault:
            return fault_reply(fault)
        except Exception:
            log.exception("Web Connector call failed")
            return fault_reply(SoapFault("Server", "sfqb could not process the call; see its log"))

    def _read(self, body: bytes, client: str | None) -> tuple[str, Call]:
        if len(body) > self.max_body_bytes:
            raise SoapFault("Client", f"request body over {self.max_body_bytes} bytes", 413)
        if not body.strip():
            raise SoapFault("Client", "empty request body: expected a SOAP 1.1 envelope")
        try:
            envelope = parse_xml(body, limit=self.max_body_bytes)
        except UnsafeXMLError as exc:
            raise SoapFault("Client", str(exc)) from None
        tag = etree.QName(envelope)
        if tag.localname != "Envelope":
            raise SoapFault("Client", f"expected a SOAP Envelope, got <{tag.localname}>")
        if tag.namespace != SOAP_ENV:
            code = "VersionMismatch"
            if tag.namespace == SOAP12_ENV:
                raise SoapFault(code, "SOAP 1.2 is not served here: use the SOAP 1.1 binding")
            raise SoapFault(code, f"envelope namespace {tag.namespace!r} is not SOAP 1.1")
        bodies = [c for c in envelope if c.tag == f"{{{SOAP_ENV}}}Body"]
        if len(bodies) != 1:
            raise SoapFault("Client", "the envelope must have exactly one soap:Body")
        calls = [c for c in bodies[0] if isinstance(c.tag, str)]
        if len(calls) != 1:
            raise SoapFault("Client", "soap:Body must hold exactly one operation element")
        name = etree.QName(calls[0])
        if name.namespace != INTUIT_NS:
            raise SoapFault("Client", f"operation must be in namespace {INTUIT_NS}")
        if name.localname not in _OPERATIONS:
            raise SoapFault("Client", f"unknown operation {name.localname[:60]!r}")
        return name.localname, Call(calls[0], client)


def too_large(limit: int) -> SoapFault:
    """The fault for a request body over `limit` bytes (HTTP 413)."""
    return SoapFault("Client", f"request body over {limit} bytes", 413)


class BodyReader:
    """Collects a request body chunk by chunk, refusing it as soon as it is too big.

    Until the operation is known the body may hold `small_limit` bytes; the operations that
    carry a large field (LARGE_OPERATIONS) may hold `limit`. The operation is found by an
    incremental parse of the first bytes only, so a 10 MB authenticate is cut off after its
    first `small_limit` bytes instead of being read whole.
    """

    def __init__(self, limit: int, small_limit: int) -> None:
        self._chunks: list[bytes] = []
        self.size = 0
        self.limit = self._small_limit = small_limit
        self._full_limit = limit
        self._sniffer: etree.XMLPullParser | None = etree.XMLPullParser(
            events=("start", "end"), resolve_entities=False, no_network=True, load_dtd=False
        )
        self._depth = 0
        self._in_body = False

    def feed(self, chunk: bytes) -> None:
        """Add a chunk; raises the 413 fault when the body is now over its limit."""
        unsniffed = self._small_limit - self.size
        self.size += len(chunk)
        if self._sniffer is not None and unsniffed > 0:
            self._sniff(chunk[:unsniffed])  # only the first bytes are ever parsed here
        if self.size > self.limit:
            raise too_large(self.limit)
        self._chunks.append(chunk)

    def body(self) -> bytes:
        """The whole body read so far."""
        self._sniffer = None
        body = b"".join(self._chunks)
        self._chunks = []
        return body

    def _sniff(self, chunk: bytes) -> None:
        sniffer = self._sniffer
        assert sniffer is not None
        try:
            sniffer.feed(chunk)
            for event, element in sniffer.read_events():
                if isinstance(element, etree._Element) and self._on_event(event, element):
                    self._sniffer = None
                    return
        except etree.XMLSyntaxError:
            self._sniffer = None  # the full parse will say what is wrong; keep the small limit

    def _on_event(self, event: str, element: etree._Element) -> bool:
        """Track the depth; True once the operation element was seen (or cannot be)."""
        if event == "end":
            self._depth -= 1
            return False
        self._depth += 1
        tag = element.tag if isinstance(element.tag, str) else ""
        if self._depth == 2:
            self._in_body = tag == f"{{{SOAP_ENV}}}Body"
        elif self._depth == 3 and self._in_body:
            name = etree.QName(tag)
            if name.namespace == INTUIT_NS and name.localname in LARGE_OPERATIONS:
                self.limit = self._full_limit
            return True
        return False


def _envelope() -> tuple[etree._Element, etree._Element]:
    envelope = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soap": SOAP_ENV})
    return envelope, etree.SubElement(envelope, f"{{{SOAP_ENV}}}Body")


def _serialize(envelope: etree._Element) -> bytes:
    return XML_DECLARATION + etree.tostring(envelope, encoding="utf-8", xml_declaration=False)


def response_envelope(operation: str, result: Result) -> bytes:
    """`<{op}Response xmlns="http://developer.intuit.com/"><{op}Result>` around the result."""
    envelope, body = _envelope()
    default_ns: dict[str | None, str] = {None: INTUIT_NS}
    response = etree.SubElement(
        body,
        f"{{{INTUIT_NS}}}{operation}Response",
        nsmap=default_ns,  # type: ignore[arg-type]
    )
    value = etree.SubElement(response, f"{{{INTUIT_NS}}}{operation}Result")
    if isinstance(result, list):
        for item in result:
            etree.SubElement(value, f"{{{INTUIT_NS}}}string").text = item
    else:
        value.text = str(result)
    return _serialize(envelope)


def fault_reply(fault: SoapFault) -> SoapReply:
    """A SOAP 1.1 Fault (HTTP 500 as SOAP 1.1 requires, or the fault's own 4xx)."""
    envelope, body = _envelope()
    element = etree.SubElement(body, f"{{{SOAP_ENV}}}Fault")
    etree.SubElement(element, "faultcode").text = f"soap:{fault.code}"
    etree.SubElement(element, "faultstring").text = _XML_UNSAFE.sub("?", fault.reason)
    return SoapReply(fault.http_status, _serialize(envelope))
