"""Field rules checked before sending: length limits, forbidden characters, non-blank fields.

The rules live in `data/limits.yaml` (from the qbXML 12.0 schema); a rule's key is an element
name or a path suffix, and the longest key a field's path ends with wins.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType
from typing import Any, TypeVar

import yaml

from sfqb.connectors.qbd.qbxml.errors import QbxmlFieldError
from sfqb.connectors.qbd.qbxml.text import TextRules, load_text_rules

T = TypeVar("T")


def _lookup(table: Mapping[str, T], path: str) -> T | None:
    """The entry for the longest key `path` ends with."""
    parts = path.split("/")
    for start in range(len(parts)):
        key = "/".join(parts[start:])
        if key in table:
            return table[key]
    return None


@dataclass(frozen=True, slots=True)
class Forbidden:
    """Characters a field may not contain, and why."""

    characters: str
    reason: str


@dataclass(frozen=True, slots=True)
class FieldRules:
    """Every rule the builder applies to text: limits, forbidden characters, the text rule."""

    limits: Mapping[str, int]
    forbidden: Mapping[str, Forbidden]
    not_blank: frozenset[str]
    text: TextRules

    def limit_for(self, path: str) -> int | None:
        """The maximum length of the field at `path` (e.g. "CustomerAdd/Name"), if any."""
        return _lookup(self.limits, path)

    def check(self, path: str, value: str) -> None:
        """Raise QbxmlFieldError when the text about to be sent breaks a rule."""
        obj, _, field = path.partition("/")
        limit = self.limit_for(path)
        if limit is not None and len(value) > limit:
            problem = f"is {len(value)} characters long; QuickBooks allows at most {limit}"
            raise QbxmlFieldError(obj, field, value, problem, limit)
        forbidden = _lookup(self.forbidden, path)
        if forbidden is not None and any(ch in value for ch in forbidden.characters):
            raise QbxmlFieldError(obj, field, value, forbidden.reason)
        if not value.strip() and _lookup(dict.fromkeys(self.not_blank, True), path):
            raise QbxmlFieldError(obj, field, value, "is empty; QuickBooks needs a value")


def load_field_rules(document: Mapping[str, Any] | None = None) -> FieldRules:
    """The bundled field rules (or those of an already-loaded document) with the text rules."""
    if document is None:
        raw = resources.files("sfqb.connectors.qbd.qbxml").joinpath("data", "limits.yaml")
        document = yaml.safe_load(raw.read_text(encoding="utf-8"))
    forbidden = {
        str(k): Forbidden(str(v["characters"]), " ".join(str(v["reason"]).split()))
        for k, v in document.get("forbidden", {}).items()
    }
    return FieldRules(
        limits=MappingProxyType({str(k): int(v) for k, v in document["limits"].items()}),
        forbidden=MappingProxyType(forbidden),
        not_blank=frozenset(str(x) for x in document.get("not_blank", ())),
        text=load_text_rules(),
    )
