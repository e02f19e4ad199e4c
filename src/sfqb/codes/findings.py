"""Finding every status in a document: qbXML responses, QBO faults, Salesforce errors, QWC logs.

`find_statuses` takes the raw text or bytes of one document and returns one `Finding` per status
it carries, in document order. A document that parses as XML or JSON is read strictly (with
paths as locations); anything else, or one that does not parse, is read leniently line by line
(textscan). A document sfqb cannot read at all (bad encoding, a DTD, malformed with no status
in it) raises `FindingsError` with a one-line reason; no other exception escapes.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from sfqb.codes.catalog import Catalog
from sfqb.codes.doctext import UndecodableText, document_text
from sfqb.codes.finding import Finding, Unreadable
from sfqb.codes.jsonreader import from_json, json_problem
from sfqb.codes.safexml import MAX_XML_BYTES
from sfqb.codes.textscan import scan
from sfqb.codes.xmlreader import from_xml

__all__ = ["MAX_INPUT_BYTES", "Finding", "FindingsError", "find_statuses", "find_statuses_in_file"]

MAX_INPUT_BYTES = MAX_XML_BYTES
_DTD = re.compile(r"<!DOCTYPE|<!ENTITY", re.I)


class FindingsError(ValueError):
    """The document is not one sfqb can read; the text says why, in one line."""


def find_statuses(data: str | bytes, catalog: Catalog, source: str = "input") -> list[Finding]:
    """Decode every status code in a document, whatever its format; raises FindingsError."""
    try:
        text = document_text(data, MAX_INPUT_BYTES)
        if not text.strip():
            raise Unreadable("empty document")
        try:
            return _strict(text, catalog)
        except Unreadable as strict:
            # Not well-formed, or a status it cannot read: what a lenient reading finds, if any.
            # A DTD is refused outright, never read around.
            found = [] if _DTD.search(text) else _lenient(text, catalog)
            if found:
                return found
            raise strict from None
    except (Unreadable, UndecodableText) as exc:
        # One line, whatever the parser or the document put into the reason.
        raise FindingsError(" ".join(f"{source}: {exc}".split())) from None
    except RecursionError:
        raise FindingsError(f"{source}: the document is nested too deeply") from None


def find_statuses_in_file(path: Path, catalog: Catalog) -> list[Finding]:
    """Read `path` and decode every status in it; raises FindingsError (also when unreadable)."""
    if path.is_dir():
        raise FindingsError(f"{path} is a directory, not a file")
    if not path.is_file():
        raise FindingsError(f"no such file: {path}")
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_INPUT_BYTES + 1)
    except OSError as exc:
        raise FindingsError(f"cannot read {path}: {exc.strerror or exc}") from None
    return find_statuses(data, catalog, source=str(path))


def _strict(text: str, catalog: Catalog) -> list[Finding]:
    """The document read as XML or JSON; text that is neither is read line by line."""
    stripped = text.lstrip()
    if stripped.startswith("<"):
        skipped = text[: len(text) - len(stripped)].count("\n")
        return list(from_xml(stripped, catalog, "", 0, skipped))
    if stripped[0] in "[{" and not _looks_like_log(stripped):
        try:
            document = json.loads(text)
        except RecursionError:
            raise Unreadable("JSON is nested too deeply") from None
        except ValueError as exc:
            raise Unreadable(json_problem(exc)) from None
        return list(from_json(document, catalog, "$", (), 0))
    return scan(text, catalog)


def _lenient(text: str, catalog: Catalog) -> list[Finding]:
    try:
        return scan(text, catalog)
    except RecursionError:
        return []


def _looks_like_log(text: str) -> bool:
    """A bracketed prefix such as `[2024-03-14 08:00:02] INFO ...` rather than JSON."""
    first = text.splitlines()[0]
    return re.match(r"\[[^\[\]{}\"]*\]\s*[A-Za-z0-9]", first) is not None
