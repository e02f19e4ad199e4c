"""The same XML document in every encoding an attacker might choose to hide a DTD in."""

from __future__ import annotations

import codecs

# (id, codec, byte-order mark); the declaration names the encoding as a real sender would.
ENCODINGS = [
    ("utf-8", "utf-8", b""),
    ("utf-8-bom", "utf-8", codecs.BOM_UTF8),
    ("utf-16-le", "utf-16-le", b""),
    ("utf-16-be", "utf-16-be", b""),
    ("utf-16-le-bom", "utf-16-le", codecs.BOM_UTF16_LE),
    ("utf-16-be-bom", "utf-16-be", codecs.BOM_UTF16_BE),
    ("utf-32-le", "utf-32-le", b""),
    ("utf-32-be", "utf-32-be", b""),
    ("utf-32-le-bom", "utf-32-le", codecs.BOM_UTF32_LE),
    ("utf-32-be-bom", "utf-32-be", codecs.BOM_UTF32_BE),
]
IDS = [name for name, _, _ in ENCODINGS]
PARAMS = [(codec, bom) for _, codec, bom in ENCODINGS]

DTD = '<!DOCTYPE r [<!ENTITY x "entity text">]>'


def encoded(document: str, codec: str, bom: bytes) -> bytes:
    """`document` (starting with its root element) with a declaration, in `codec` after `bom`."""
    name = codec.upper().removesuffix("-LE").removesuffix("-BE")
    return bom + f'<?xml version="1.0" encoding="{name}"?>{document}'.encode(codec)
