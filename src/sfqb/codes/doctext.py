"""Turning the bytes of a document sfqb is asked to read into text, or a one-line refusal."""

from __future__ import annotations

import re

from sfqb.codes.safexml import UnsafeXMLError, xml_encoding


class UndecodableText(ValueError):
    """The bytes are not text sfqb can read (bad encoding, binary data, too large)."""


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
    """Honour a BOM, the first characters' byte pattern, an XML declaration, else UTF-8."""
    try:
        encoding = xml_encoding(data)
    except UnsafeXMLError as exc:
        raise UndecodableText(str(exc)) from None
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
