"""One hardened XML parser for everything sfqb reads: no DTDs, no entities, no network.

Every XML document sfqb accepts from outside (SOAP bodies, qbXML responses, QuickBooks Online
faults, files given to `explain`) goes through `parse_xml`. The document is decoded first (BOM,
then the byte pattern of its first characters, then its declared encoding, as the XML 1.0
specification's appendix F describes), the decoded text is searched for a DTD or an entity
declaration, and lxml only ever sees UTF-8. The parsed tree is checked once more, so an encoding
sfqb did not foresee cannot smuggle a DTD past the text check.
"""

from __future__ import annotations

import codecs
import re
from typing import Any

from lxml import etree

MAX_XML_BYTES = 20 * 1024 * 1024

_REFUSED = "XML with a DTD or entity declarations is refused"
_DTD_TEXT = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_DECL = re.compile(r"""\A(\s*<\?xml[^>]*?)\s+encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']""")
_DECL_BYTES = re.compile(rb"""\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']""")

# (leading bytes, codec): BOMs first (UTF-32 before UTF-16: FF FE 00 00 starts with FF FE),
# then the first character '<' without a BOM.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<\x00", "utf-16-be"),
    (b"<\x00", "utf-16-le"),
)


class UnsafeXMLError(ValueError):
    """The document is malformed, too large, or carries a DTD or entity declaration."""


def xml_encoding(raw: bytes) -> str:
    """The codec for `raw`: its BOM, its first characters' pattern, else its declaration."""
    for signature, codec in _SIGNATURES:
        if raw.startswith(signature):
            return codec
    declared = _DECL_BYTES.match(raw)
    if not declared:
        return "utf-8"
    name = declared.group(1).decode("ascii")
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        raise UnsafeXMLError(f"unknown encoding {name!r} declared") from None
    # A declaration readable as ASCII can only name an ASCII-compatible encoding.
    return "utf-8" if codec.startswith(("utf-16", "utf-32")) else codec


def decode_xml(data: str | bytes) -> str:
    """The text of an XML document given as bytes or str; raises UnsafeXMLError."""
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    encoding = xml_encoding(data)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise UnsafeXMLError(f"not {encoding} text (undecodable byte at {exc.start})") from None
    except LookupError:
        raise UnsafeXMLError(f"{encoding!r} is not a text encoding") from None
    return text.removeprefix("\ufeff")


def refuse_dtd(text: str) -> None:
    """Raise UnsafeXMLError when decoded XML text declares a DTD or an entity."""
    if _DTD_TEXT.search(text):
        raise UnsafeXMLError(_REFUSED)


def parse_xml(data: str | bytes, *, limit: int = MAX_XML_BYTES) -> etree._Element:
    """Parse untrusted XML; raises UnsafeXMLError with a one-line reason."""
    if len(data) > limit:
        raise UnsafeXMLError(f"XML document is larger than {limit} bytes")
    text = decode_xml(data)
    refuse_dtd(text)
    # Already decoded: the declared encoding no longer applies; lxml reads UTF-8.
    text = _DECL.sub(r"\1", text, count=1)
    try:
        raw = text.encode("utf-8")
    except UnicodeEncodeError:
        raise UnsafeXMLError("not valid Unicode text (lone surrogate)") from None
    if len(raw) > limit:
        raise UnsafeXMLError(f"XML document is larger than {limit} bytes")
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_pis=False,
        encoding="utf-8",
    )
    try:
        root = etree.fromstring(raw, parser)
    except etree.XMLSyntaxError as exc:
        line = f" at line {exc.lineno}" if exc.lineno else ""
        raise UnsafeXMLError(f"malformed XML{line}: {exc.msg}") from None
    if root is None:
        raise UnsafeXMLError("empty XML document")
    docinfo: Any = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise UnsafeXMLError(_REFUSED)
    return root
