"""Where the message decides: a code's reading by QuickBooks' reason, a code by its message."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from sfqb.codes.catalog import Catalog
from sfqb.domain.status import DecodedStatus, System

_MIN_FINGERPRINT = 24  # a catalog template's literal start must be this long to identify it


@dataclass(frozen=True, slots=True)
class _ByMessage:
    system: System
    code: str
    when: re.Pattern[str]
    like: str
    title: str
    meaning: str
    fix: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Template:
    """A message that identifies its code when the document gives none."""

    system: System
    code: str
    pattern: re.Pattern[str]


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    text = resources.files("sfqb.codes").joinpath("readings.yaml").read_text(encoding="utf-8")
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


@lru_cache(maxsize=1)
def _by_message() -> tuple[_ByMessage, ...]:
    rules = []
    for raw in _data().get("by_message", []):
        fix = raw["fix"]
        rules.append(
            _ByMessage(
                system=System(raw["system"]),
                code=str(raw["code"]),
                when=re.compile(raw["when"], re.IGNORECASE),
                like=str(raw["like"]),
                title=raw["title"],
                meaning=" ".join(raw["meaning"].split()),
                fix=(fix,) if isinstance(fix, str) else tuple(fix),
            )
        )
    return tuple(rules)


def refine(catalog: Catalog, status: DecodedStatus, message: str) -> DecodedStatus:
    """The status as its message reads it (3180 'in use' is a lock), else unchanged."""
    if not message:
        return status
    for rule in _by_message():
        if (rule.system, rule.code) != (status.system, status.code):
            continue
        if not rule.when.search(message):
            continue
        system, _, code = rule.like.rpartition(":")
        like = catalog.entry(System(system) if system else rule.system, code)
        if like is None:
            return status
        return replace(
            status,
            title=rule.title,
            meaning=rule.meaning,
            fix=rule.fix,
            category=like.category,
            retryable=like.retryable,
            remedy=like.remedy,
            actor=like.actor,
        )
    return status


def templates(catalog: Catalog) -> tuple[Template, ...]:
    """Every message that names its code: the listed ones, then the catalog's own templates."""
    return _templates(catalog)


@lru_cache(maxsize=4)
def _templates(catalog: Catalog) -> tuple[Template, ...]:
    found = [
        Template(System(raw["system"]), str(raw["code"]), re.compile(raw["pattern"], re.I))
        for raw in _data().get("templates", [])
    ]
    listed = {(t.system, t.code) for t in found}
    for entry in catalog:
        if entry.system not in (System.QBXML, System.HRESULT, System.QBWC):
            continue
        if (entry.system, entry.code) in listed:
            continue
        literal = entry.message.split("{", 1)[0].strip()
        if len(literal) >= _MIN_FINGERPRINT:
            pattern = re.compile(r"\s+".join(map(re.escape, literal.split())), re.I)
            found.append(Template(entry.system, entry.code, pattern))
    return tuple(found)
