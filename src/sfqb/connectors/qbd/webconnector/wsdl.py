"""sfqb's own WSDL (sfqb-qbwc.wsdl beside this module), with the endpoint address filled in."""

from __future__ import annotations

from importlib import resources

from lxml import etree

WSDL_FILE = "sfqb-qbwc.wsdl"
_SOAP_WSDL = "http://schemas.xmlsoap.org/wsdl/soap/"


def wsdl_text() -> bytes:
    """The WSDL as shipped (its address is a placeholder)."""
    return resources.files(__package__).joinpath(WSDL_FILE).read_bytes()


def wsdl_for(address: str) -> bytes:
    """The WSDL with every soap:address pointing at `address` (e.g. https://host/qbwc)."""
    root = etree.fromstring(wsdl_text())  # our own file: trusted
    for element in root.iter(f"{{{_SOAP_WSDL}}}address"):
        element.set("location", address)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")
