"""A stand-in for the QuickBooks Web Connector: drives any QBWC endpoint as QBWC does, via zeep.

One run is one QBWC session (given several addresses, its calls go to each in turn, as through
a load balancer in front of several sfqb processes):
serverVersion, clientVersion, authenticate; then (for a ticket without none/nvu/busy) the
HostQuery + CompanyQuery + PreferencesQuery of the company for the first sendRequestXML, and the
sendRequestXML -> QuickBooks -> receiveResponseXML loop until 100 or a negative percent (then
getLastError); closeConnection at the end. A sendRequestXML answered "" whose getLastError says
"NoOp" is a pause: QBWC waits 5 s (`noop_pause`) and calls sendRequestXML again.

Faults of the QuickBooks side map to what QBWC does:
* ConnectorDown while opening the connection (begin_session, or the HCP queries):
  connectionError(hresult, message) instead of sendRequestXML, then closeConnection.
* Any other SandboxFault (ProcessRequest threw): receiveResponseXML with hresult and message.
* LostReply: models QBWC's HTTP post of receiveResponseXML failing. Real QBWC then logs the
  exception and ends the update without further calls to the service (it cannot reach it), so
  the stand-in stops without receiveResponseXML or closeConnection; the service sees an
  abandoned session (and fails its unanswered message set when the session times out).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

import zeep
from lxml import etree
from zeep.transports import Transport
from zeep.wsdl.bindings.soap import Soap11Binding

from sfqb.connectors.qbd.webconnector.versions import parse_host_response, version_key
from sfqb.sandbox.qbd.faults import ConnectorDown, LostReply, SandboxFault

DEFAULT_COMPANY_FILE = r"C:\Users\Public\Documents\Intuit\QuickBooks\Company Files\sandbox.qbw"
QBWC_VERSION = "2.3.0.215"
NOOP = "NoOp"  # getLastError's "pause 5 s, then call sendRequestXML again"
HCP_QBXML_VERSION = "2.0"  # HostQuery, CompanyQuery and PreferencesQuery all exist since 2.0


class QuickBooksProcessor(Protocol):
    """QuickBooks as the Web Connector sees it: a qbXML request in, a response out."""

    def process(self, request_xml: str) -> str:
        """Answer one message set (may raise ConnectorDown, SandboxFault or LostReply)."""
        ...


@runtime_checkable
class QuickBooksConnection(Protocol):
    """A QuickBooks that also models opening and closing the connection (e.g. CompanyFile)."""

    def begin_session(self) -> None:
        """OpenConnection + BeginSession; raises ConnectorDown during an outage."""
        ...

    def end_session(self) -> None:
        """EndSession + CloseConnection."""
        ...


class Outcome(StrEnum):
    """How a session ended."""

    DONE = "done"  # receiveResponseXML reached 100
    NOTHING_SENT = "nothing_sent"  # sendRequestXML answered ""
    NO_WORK = "none"
    INVALID_USER = "nvu"
    BUSY = "busy"
    ERROR = "error"  # a negative percent; see last_error
    CONNECTION_ERROR = "connection_error"
    REPLY_LOST = "reply_lost"
    TOO_MANY_ROUNDS = "too_many_rounds"


@dataclass
class Exchange:
    """One sendRequestXML / receiveResponseXML round trip."""

    request: str
    response: str | None
    percent: int | None
    hresult: str = ""
    message: str = ""


@dataclass
class RunResult:
    """Everything one stand-in session saw."""

    outcome: Outcome = Outcome.DONE
    server_version: str = ""
    client_version_answer: str = ""
    ticket: str = ""
    auth_answer: list[str] = field(default_factory=list)
    exchanges: list[Exchange] = field(default_factory=list)
    connection_error_answer: str = ""
    last_error: str = ""
    close_answer: str = ""
    calls: list[str] = field(default_factory=list)
    pauses: int = 0  # sendRequestXML answered "" and getLastError "NoOp": QBWC paused


class WebConnectorClient:
    """Behaves like QBWC against the endpoint described by `wsdl` (a path or URL)."""

    def __init__(
        self,
        wsdl: str,
        quickbooks: QuickBooksProcessor,
        *,
        address: str | Sequence[str] | None = None,
        version: str = QBWC_VERSION,
        company_file: str = DEFAULT_COMPANY_FILE,
        timeout: float = 30.0,
        max_rounds: int = 1000,
        noop_pause: float = 5.0,
    ) -> None:
        self._quickbooks = quickbooks
        self._noop_pause = noop_pause
        self._version = version
        self._company_file = company_file
        self._max_rounds = max_rounds
        transport = Transport(timeout=timeout, operation_timeout=timeout)  # type: ignore[no-untyped-call]
        self._http = transport.session
        client = zeep.Client(wsdl, transport=transport)  # type: ignore[no-untyped-call]
        binding = next(
            (b for b in client.wsdl.bindings.values() if isinstance(b, Soap11Binding)), None
        )
        if binding is None:
            raise ValueError(f"{wsdl} has no SOAP 1.1 binding")
        self._client = client
        addresses = [address] if isinstance(address, str) else list(address or ())
        self._services: list[Any] = [
            client.create_service(binding.name, where)  # type: ignore[no-untyped-call]
            for where in addresses
        ] or [client.service]
        self.served = [0] * len(self._services)  # calls per address

    def _call(self, result: RunResult, operation: str, *args: Any) -> Any:
        result.calls.append(operation)
        # Several addresses: a load balancer in front of them, each call to the next in turn.
        turn = sum(self.served) % len(self._services)
        self.served[turn] += 1
        return getattr(self._services[turn], operation)(*args)

    def run(self, username: str, password: str) -> RunResult:
        """One full Web Connector session; returns what happened."""
        result = RunResult()
        result.server_version = self._call(result, "serverVersion") or ""
        result.client_version_answer = self._call(result, "clientVersion", self._version) or ""
        if result.client_version_answer.startswith("E:"):
            result.outcome = Outcome.ERROR
            result.last_error = result.client_version_answer[2:]
            return result
        answer = [a or "" for a in (self._call(result, "authenticate", username, password) or [])]
        result.auth_answer = answer
        result.ticket = answer[0] if answer else ""
        verdict = answer[1] if len(answer) > 1 else ""
        for special in (Outcome.INVALID_USER, Outcome.NO_WORK, Outcome.BUSY):
            if verdict.lower() == special.value:
                result.outcome = special
                return result
        self._session(result, company_file=verdict or self._company_file)
        return result

    def _session(self, result: RunResult, company_file: str) -> None:
        ticket = result.ticket
        connection = (
            self._quickbooks if isinstance(self._quickbooks, QuickBooksConnection) else None
        )
        try:
            if connection is not None:
                connection.begin_session()
            hcp = self._quickbooks.process(host_queries())
        except ConnectorDown as down:
            result.connection_error_answer = self._call(
                result, "connectionError", ticket, down.hresult, down.message
            )
            result.outcome = Outcome.CONNECTION_ERROR
            result.close_answer = self._call(result, "closeConnection", ticket) or ""
            return
        except LostReply:
            result.outcome = Outcome.REPLY_LOST  # the post carrying the HCP answers failed
            return
        try:
            self._loop(result, hcp, company_file)
        finally:
            if connection is not None:
                connection.end_session()

    def _loop(self, result: RunResult, hcp: str, company_file: str) -> None:
        ticket = result.ticket
        major, minor, country = host_version(hcp)
        first = True
        pauses = rounds = 0
        while rounds < self._max_rounds:
            request = self._call(
                result,
                "sendRequestXML",
                ticket,
                hcp if first else "",
                company_file,
                country,
                major,
                minor,
            )
            first = False
            if not request:
                result.last_error = self._call(result, "getLastError", ticket) or ""
                if result.last_error == NOOP and pauses < self._max_rounds:
                    pauses += 1  # QBWC waits, then asks again (Programmer's Guide, getLastError)
                    result.pauses += 1
                    time.sleep(self._noop_pause)
                    # The pause is as long as a server's usual keep-alive (uvicorn: 5 s): a kept
                    # connection may be closing just as the next call goes out on it (a reset).
                    self._http.close()
                    continue
                result.outcome = Outcome.NOTHING_SENT
                break
            rounds += 1
            exchange = Exchange(request=request, response=None, percent=None)
            result.exchanges.append(exchange)
            try:
                exchange.response = self._quickbooks.process(request)
            except LostReply:
                result.outcome = Outcome.REPLY_LOST
                return
            except SandboxFault as fault:
                exchange.hresult, exchange.message = fault.hresult, fault.message
            percent = self._call(
                result,
                "receiveResponseXML",
                ticket,
                exchange.response or "",
                exchange.hresult,
                exchange.message,
            )
            exchange.percent = int(percent)
            if exchange.percent < 0:
                result.outcome = Outcome.ERROR
                result.last_error = self._call(result, "getLastError", ticket) or ""
                break
            if exchange.percent >= 100:
                result.outcome = Outcome.DONE
                break
        else:
            result.outcome = Outcome.TOO_MANY_ROUNDS
        result.close_answer = self._call(result, "closeConnection", ticket) or ""


def host_queries(version: str = HCP_QBXML_VERSION) -> str:
    """The HostQuery + CompanyQuery + PreferencesQuery message set QBWC sends on connect."""
    root = etree.Element("QBXML")
    messages = etree.SubElement(root, "QBXMLMsgsRq", onError="continueOnError")
    for number, name in enumerate(("HostQueryRq", "CompanyQueryRq", "PreferencesQueryRq"), 1):
        etree.SubElement(messages, name, requestID=str(number))
    root.addprevious(etree.ProcessingInstruction("qbxml", f'version="{version}"'))
    body = etree.tostring(root.getroottree(), encoding="unicode")
    return f'<?xml version="1.0" encoding="utf-8"?>\n{body}'


def host_version(hcp_response: str) -> tuple[int, int, str]:
    """Highest supported qbXML version (major, minor) and country from the HostQuery answer."""
    info = parse_host_response(hcp_response)
    keys = [k for k in (version_key(v) for v in info.supported) if k is not None]
    major, minor = max(keys) if keys else (0, 0)
    return major, minor, info.country or "US"
