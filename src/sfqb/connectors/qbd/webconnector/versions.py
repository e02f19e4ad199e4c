"""The qbXML version a session speaks: read from the HostQuery answer, never above the host's."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from sfqb.codes.safexml import UnsafeXMLError, parse_xml

_VERSION = re.compile(r"^\s*(\d{1,3})\.(\d{1,3})\s*$")


class VersionError(ValueError):
    """No qbXML version both sides speak, or a message set sfqb cannot read."""


@dataclass(frozen=True, slots=True)
class HostInfo:
    """What the first sendRequestXML call tells about QuickBooks and its company file."""

    supported: tuple[str, ...]
    product: str = ""
    country: str = ""


def version_key(version: str) -> tuple[int, int] | None:
    """`"13.0"` as (13, 0); None for versions that are not plain numbers (e.g. `CA3.0`)."""
    found = _VERSION.match(version)
    return (int(found.group(1)), int(found.group(2))) if found else None


def parse_host_response(hcp_response: str) -> HostInfo:
    """Supported qbXML versions from the HostQuery + CompanyQuery + PreferencesQuery answer."""
    try:
        root = parse_xml(hcp_response)
    except UnsafeXMLError as exc:
        raise VersionError(f"the HostQuery response is not readable: {exc}") from None
    host = next(root.iter("{*}HostRet", "HostRet"), None)
    if host is None:
        return HostInfo(supported=())
    versions = tuple(
        (e.text or "").strip()
        for e in host.iter("{*}SupportedQBXMLVersion", "SupportedQBXMLVersion")
    )
    return HostInfo(
        supported=tuple(v for v in versions if v),
        product=(host.findtext("ProductName") or "").strip(),
        country=(host.findtext("Country") or "").strip(),
    )


def declared_version(request_xml: str) -> str | None:
    """The version in a message set's `<?qbxml version="..."?>`, or None when it has none."""
    root = _parse(request_xml)
    pi = _qbxml_pi(root)
    return _pi_version(pi) if pi is not None else None


def with_version(request_xml: str, version: str) -> str:
    """The message set with its `<?qbxml version?>` set to `version` (added when missing)."""
    root = _parse(request_xml)
    pi = _qbxml_pi(root)
    if version_key(version) is None:
        raise VersionError(f"{version!r} is not a qbXML version")
    if pi is not None:
        pi.text = f'version="{version}"'
    else:
        root.addprevious(etree.ProcessingInstruction("qbxml", f'version="{version}"'))
    body = etree.tostring(root.getroottree(), encoding="unicode")
    return f'<?xml version="1.0" encoding="utf-8"?>\n{body}'


def _parse(request_xml: str) -> etree._Element:
    try:
        return parse_xml(request_xml)
    except UnsafeXMLError as exc:
        raise VersionError(f"queued message set is not readable: {exc}") from None


def _qbxml_pi(root: etree._Element) -> etree._ProcessingInstruction | None:
    node = root.getprevious()
    while node is not None:
        if isinstance(node, etree._ProcessingInstruction) and node.target == "qbxml":
            return node
        node = node.getprevious()
    return None


def _pi_version(pi: etree._ProcessingInstruction) -> str | None:
    found = re.search(r"""version\s*=\s*["']([^"']*)["']""", pi.text or "")
    return found.group(1) if found else None
