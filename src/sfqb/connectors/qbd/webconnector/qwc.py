"""The .qwc file a QuickBooks user adds to the Web Connector to connect a company to sfqb."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from lxml import etree


class QwcError(ValueError):
    """The .qwc cannot be written as asked (e.g. an http:// URL that is not localhost)."""


@dataclass(frozen=True, slots=True)
class QwcSpec:
    """Everything a .qwc file says about one company's connection."""

    app_name: str
    app_url: str
    username: str
    owner_id: str
    file_id: str
    description: str = "Keeps this QuickBooks company in step with Salesforce."
    app_id: str = "sfqb"
    run_every_minutes: int = 15
    read_only: bool = False


_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


def support_url(app_url: str) -> str:
    """AppSupport: the WSDL on the same host (QBWC requires AppSupport on AppURL's host)."""
    parts = urlsplit(app_url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "wsdl", ""))


def check_url(app_url: str) -> None:
    """QBWC refuses plain HTTP except for localhost; raise QwcError for such a URL."""
    parts = urlsplit(app_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise QwcError(f"AppURL {app_url!r} is not an http(s) URL")
    if parts.scheme == "http" and parts.hostname not in _LOCAL_HOSTS:
        raise QwcError(f"AppURL {app_url!r}: the Web Connector needs https:// except for localhost")


def build_qwc(spec: QwcSpec) -> bytes:
    """The .qwc XML (root QBWCXML) for `spec`; raises QwcError for an unusable URL."""
    check_url(spec.app_url)
    if spec.run_every_minutes < 1:
        raise QwcError("RunEveryNMinutes must be at least 1")
    root = etree.Element("QBWCXML")
    fields = [
        ("AppName", spec.app_name),
        ("AppID", spec.app_id),
        ("AppURL", spec.app_url),
        ("AppDescription", spec.description),
        ("AppSupport", support_url(spec.app_url)),
        ("UserName", spec.username),
        ("OwnerID", spec.owner_id),
        ("FileID", spec.file_id),
        ("QBType", "QBFS"),
        ("Style", "Document"),
        ("AuthFlags", "0xF"),
    ]
    for tag, text in fields:
        etree.SubElement(root, tag).text = text
    if spec.read_only:
        etree.SubElement(root, "IsReadOnly").text = "true"
    scheduler = etree.SubElement(root, "Scheduler")
    etree.SubElement(scheduler, "RunEveryNMinutes").text = str(spec.run_every_minutes)
    etree.indent(root, space="  ")
    return etree.tostring(root, xml_declaration=True, encoding="utf-8") + b"\n"
