"""One qbXML message set in, one response message set out, with QuickBooks' onError rules."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from lxml import etree

from sfqb.codes.safexml import UnsafeXMLError, parse_xml
from sfqb.sandbox.qbd.faults import (
    BAD_VERSION_HRESULT,
    BAD_VERSION_MESSAGE,
    PARSE_ERROR_HRESULT,
    PARSE_ERROR_MESSAGE,
    Faults,
    InjectedStatus,
    RequestRejected,
)
from sfqb.sandbox.qbd.fields import element_text
from sfqb.sandbox.qbd.schema import QBStatusError, Schema, Status
from sfqb.sandbox.qbd.settings import SandboxSettings, version_key

Handler = Callable[[etree._Element, etree._Element], Status | None]
Shape = tuple[str, tuple[str, ...]]
ON_ERROR = ("continueOnError", "stopOnError", "rollbackOnError")
_VERSION = re.compile(r"""version\s*=\s*["']([0-9]+(?:\.[0-9]+)?)["']""")


def severity(code: int) -> str:
    """qbXML's statusSeverity for a code: Info below 500, Warn below 1000, else Error."""
    if code < 500:
        return "Info"
    return "Warn" if code < 1000 else "Error"


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "(sandbox)"


def _reject(detail: str) -> RequestRejected:
    return RequestRejected(PARSE_ERROR_HRESULT, f"{PARSE_ERROR_MESSAGE} {detail}".strip())


class MessageSetProcessor:
    """Parses a request message set, runs each request, and builds the response document."""

    def __init__(
        self,
        schema: Schema,
        settings: Callable[[], SandboxSettings],
        faults: Faults,
        handlers: Mapping[str, Handler],
        shapes: Mapping[str, Shape],
    ) -> None:
        self._schema = schema
        self._settings = settings
        self._faults = faults
        self._handlers = handlers
        self._shapes = shapes

    def process(self, request_xml: str) -> str:
        """The response document; raises RequestRejected where QuickBooks' parser would throw."""
        try:
            root = parse_xml(request_xml)
        except UnsafeXMLError as exc:
            raise _reject(str(exc)) from None
        self._check_version(root)
        messages = root.find("QBXMLMsgsRq") if root.tag == "QBXML" else None
        if messages is None:
            raise _reject("The document has no QBXML/QBXMLMsgsRq element.")
        on_error = messages.get("onError")
        if on_error not in ON_ERROR:
            raise _reject('QBXMLMsgsRq needs onError="continueOnError" or "stopOnError".')
        requests = [child for child in messages if isinstance(child.tag, str)]
        for request in requests:
            self._check_shape(request)
        response = etree.Element("QBXML")
        responses = etree.SubElement(response, "QBXMLMsgsRs")
        for request in requests:
            rs, code = self._run(request)
            responses.append(rs)
            # stopOnError: QuickBooks stops at the first error; later requests get no response.
            # rollbackOnError is not honoured by QuickBooks Desktop and behaves the same here.
            if code >= 1000 and on_error != "continueOnError":
                break
        body = etree.tostring(response, encoding="unicode", pretty_print=True)
        return '<?xml version="1.0" ?>\n' + body

    def _check_version(self, root: etree._Element) -> None:
        version = None
        for sibling in root.itersiblings(preceding=True):
            if isinstance(sibling, etree._ProcessingInstruction) and sibling.target == "qbxml":
                found = _VERSION.search(sibling.text or "")
                version = found.group(1) if found else ""
        if version is None:
            raise _reject('The <?qbxml version="..."?> processing instruction is missing.')
        top = version_key(self._settings().max_qbxml_version)
        if not version or version_key(version) > top or version_key(version) < (1, 0):
            raise RequestRejected(BAD_VERSION_HRESULT, BAD_VERSION_MESSAGE)

    def _check_shape(self, request: etree._Element) -> None:
        tag = str(request.tag)
        if not tag.endswith("Rq"):
            raise _reject(f"Element {tag} is not a request.")
        request_id = request.get("requestID")
        if request_id is not None and len(request_id) > 50:
            return  # answered with status 1060 by _run, as QuickBooks does
        shape = self._shapes.get(tag[:-2])
        if shape is None:
            return
        body_name, required = shape
        body = request.find(body_name)
        if body is None:
            raise _reject(f"{tag} has no {body_name} element.")
        for name in required:
            if body.find(name) is None:
                raise _reject(f"{body_name} is missing its required element {name}.")

    def _run(self, request: etree._Element) -> tuple[etree._Element, int]:
        name = str(request.tag)[:-2]
        rs = etree.Element(f"{name}Rs")
        request_id = request.get("requestID")
        if request_id is not None:
            rs.set("requestID", request_id)
        for attribute in ("statusCode", "statusSeverity", "statusMessage"):
            rs.set(attribute, "")
        status: Status | None
        try:
            if request_id is not None and len(request_id) > 50:
                raise QBStatusError(1060, f'The requestID "{request_id}" is invalid.')
            injected = self._faults.take_status(name)
            if injected is not None:
                raise self._injected(injected, request)
            for hook in self._faults.hooks(name):
                code = hook(request)
                if code is not None:
                    raise self._injected(InjectedStatus(name, code, None), request)
            handler = self._handlers.get(name)
            if handler is None:
                raise self._schema.status("unsupported", request=f"{name}Rq")
            status = handler(request, rs)
        except QBStatusError as error:
            for child in list(rs):
                rs.remove(child)
            for attribute in ("retCount", "iteratorRemainingCount", "iteratorID"):
                if attribute in rs.attrib:
                    del rs.attrib[attribute]
            status = Status(error.code, error.message)
        status = status or Status(0, self._schema.messages["ok"].text)
        rs.set("statusCode", str(status.code))
        rs.set("statusSeverity", severity(status.code))
        rs.set("statusMessage", status.message)
        return rs, status.code

    def _injected(self, injected: InjectedStatus, request: etree._Element) -> QBStatusError:
        if injected.message is not None:
            return QBStatusError(injected.code, injected.message)
        spec = self._schema.message_for_code(injected.code)
        if spec is None:
            return QBStatusError(injected.code, f"Injected status {injected.code} (sfqb sandbox).")
        body = next((c for c in request if isinstance(c.tag, str)), None)
        value = ""
        if body is not None:
            for field in ("ListID", "TxnID", "Name", "FullName"):
                value = value or element_text(body, field) or ""
        kind = injected.request.removesuffix("Add").removesuffix("Mod").removesuffix("Query")
        spec_kind = self._schema.kinds.get(kind)
        values = _Blank(
            value=value or kind,
            kind=kind,
            what="transaction" if spec_kind is not None and spec_kind.is_txn else "list element",
            field="ListID",
            ref_type="Customer",
            where=kind,
            detail="Injected by the sfqb sandbox.",
            request=f"{injected.request}Rq",
        )
        return QBStatusError(injected.code, spec.text.format_map(values))
