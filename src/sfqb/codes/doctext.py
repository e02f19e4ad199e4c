"""Turning the bytes of a document sfqb is asked to read into text, or a one-line refusal."""

from __future__ import annotations

import codecs
import re


class UndecodableText(ValueError):
    """The bytes are not text sfqb can read (bad encoding, binary data, too large)."""


_XML_DECL = re.compile(rb"""\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']""")
_STR_DECL = re.compile(r"""\A(\s*<\?xml[^>]*?)\s+encoding\s*=\s*["'][^"']*["']""")


def document_text(data: str | bytes, limit: int) -> str:
    """The text of a document given as bytes or str; raises UndecodableText."""
    if isinstance(data, bytes):
        if len(data) > limit:
            raise UndecodableText(f"larger than {limit} bytes")
        text = _decode_bytes(data)
    else:
        text = data
        if len(text) > limit:
            raise UndecodableText(f"larger than {limit} characters")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise UndecodableText("not valid Unicode text (lone surrogate)") from None
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        raise UndecodableText("binary data (NUL bytes), not text")
    return text


def _decode_bytes(data: bytes) -> str:
    """Honour a BOM, then an XML encoding declaration, else UTF-8 (strict)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif data.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    else:
        # An XML declaration readable as ASCII can only name an ASCII-compatible encoding.
        declared = _XML_DECL.match(data)
        encoding = declared.group(1).decode("ascii") if declared else "utf-8"
        try:
            if codecs.lookup(encoding).name.startswith(("utf-16", "utf-32")):
                encoding = "utf-8"
        except LookupError:
            raise UndecodableText(f"unknown encoding {encoding!r} declared") from None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise UndecodableText(
            f"not {encoding} text (undecodable byte at offset {exc.start})"
        ) from None
    except LookupError:
        raise UndecodableText(f"{encoding!r} is not a text encoding") from None


def without_encoding_declaration(text: str) -> str:
    """The text with the XML declaration's encoding dropped: it is already decoded."""
    return _STR_DECL.sub(r"\1", text, count=1)
