"""Loading the catalog data files and decoding codes against them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from sfqb.codes.normalize import UnknownCodeFormat, normalize_code, systems_for
from sfqb.codes.template import blank, extract, fill, placeholders
from sfqb.domain.status import (
    Actor,
    Category,
    Confidence,
    DecodedStatus,
    Remedy,
    Severity,
    System,
)


class CatalogError(ValueError):
    """A catalog data file is missing, malformed or fails the schema."""


@dataclass(frozen=True, slots=True)
class CodeEntry:
    """One catalog entry as written in a data file."""

    system: System
    code: str
    severity: Severity
    message: str
    title: str
    meaning: str
    fix: tuple[str, ...]
    category: Category
    retryable: bool
    remedy: Remedy
    actor: Actor
    confidence: Confidence = Confidence.CONFIRMED
    applies_when: str = ""
    placeholders: Mapping[str, str] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()
    source: str = ""

    def decode(
        self, message: str | None = None, values: Mapping[str, str] | None = None
    ) -> DecodedStatus:
        """This entry as a decoded status, placeholders filled from `message` where possible.

        `values` fills placeholders sfqb knows better than the message (the exact preference
        that is off); without a message, the message reads with "…" for its placeholders.
        """
        found = {**extract(self.message, message or ""), **(values or {})}
        values = {**self.placeholders, **found}
        return DecodedStatus(
            system=self.system,
            code=self.code,
            severity=self.severity,
            message=message if message else blank(self.message),
            title=fill(self.title, values),
            meaning=fill(self.meaning, values),
            fix=tuple(fill(step, values) for step in self.fix),
            category=self.category,
            retryable=self.retryable,
            remedy=self.remedy,
            actor=self.actor,
            known=True,
            confidence=self.confidence,
            applies_when=self.applies_when,
            details=found,
        )


@dataclass(frozen=True, slots=True)
class Fallback:
    """The meaning of an unknown code by its range (or for the whole system)."""

    low: int | None
    high: int | None
    data: Mapping[str, Any]

    @property
    def is_http(self) -> bool:
        """True for a range of HTTP statuses (codes written http-NNN)."""
        return bool(self.data.get("http", False))

    def covers(self, number: int | None) -> bool:
        """True if this fallback applies to `number` (a catch-all covers everything)."""
        if self.low is None or self.high is None:
            return True
        return number is not None and self.low <= number <= self.high


def _fix(value: str | list[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def _schema() -> dict[str, Any]:
    text = resources.files("sfqb.codes").joinpath("schema.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


_SCHEMA = _schema()
# One checked validator for every file: jsonschema.validate() re-checks the schema on each call.
_VALIDATOR = jsonschema.validators.validator_for(_SCHEMA)(_SCHEMA)
_VALIDATOR.check_schema(_SCHEMA)
# libyaml's loader where PyYAML was built with it: the same documents, ten times faster.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _check_entry(system: System, raw: Mapping[str, Any], where: str) -> None:
    names = set(placeholders(str(raw["message"])))
    declared = set(raw.get("placeholders", {}))
    for text in [raw["title"], raw["meaning"], *_fix(raw["fix"])]:
        for name in placeholders(str(text)):
            if name not in names and name not in declared:
                raise CatalogError(f"{where}: placeholder {{{name}}} has no source or default")
    if names - declared:
        missing = ", ".join(sorted(names - declared))
        raise CatalogError(f"{where}: placeholders without a default value: {missing}")
    normalized = normalize_code(system, str(raw["code"]))
    if normalized != raw["code"]:
        raise CatalogError(f"{where}: write the code as {normalized!r}, not {raw['code']!r}")


def parse_file(document: Any, origin: str) -> tuple[System, list[CodeEntry], list[Fallback]]:
    """Validate one loaded data file and build its entries; raises CatalogError."""
    exc = jsonschema.exceptions.best_match(_VALIDATOR.iter_errors(document))
    if exc is not None:  # the error jsonschema.validate() would raise
        path = "/".join(str(p) for p in exc.absolute_path) or "(top)"
        raise CatalogError(f"{origin}: {path}: {exc.message}")
    system = System(document["system"])
    entries: list[CodeEntry] = []
    for i, raw in enumerate(document["entries"]):
        where = f"{origin}: entries/{i} ({raw['code']})"
        try:
            _check_entry(system, raw, where)
        except UnknownCodeFormat as exc:
            raise CatalogError(f"{where}: {exc}") from None
        entries.append(
            CodeEntry(
                system=system,
                code=raw["code"],
                severity=Severity(raw["severity"]),
                message=raw["message"],
                title=raw["title"],
                meaning=raw["meaning"].strip(),
                fix=tuple(s.strip() for s in _fix(raw["fix"])),
                category=Category(raw["category"]),
                retryable=raw["retryable"],
                remedy=Remedy(raw["remedy"]),
                actor=Actor(raw["actor"]),
                confidence=Confidence(raw.get("confidence", "confirmed")),
                applies_when=raw.get("applies_when", "").strip(),
                placeholders=dict(raw.get("placeholders", {})),
                aliases=tuple(raw.get("aliases", ())),
                source=raw.get("source", ""),
            )
        )
    fallbacks = [Fallback(f.get("from"), f.get("to"), f) for f in document["fallbacks"]]
    if not any(f.low is None for f in fallbacks):
        raise CatalogError(f"{origin}: fallbacks need one catch-all entry without from/to")
    return system, entries, fallbacks


class Catalog:
    """Every known status code of every system, and the fallbacks for unknown ones."""

    def __init__(self, files: Iterable[tuple[System, list[CodeEntry], list[Fallback]]]) -> None:
        self._entries: dict[tuple[System, str], CodeEntry] = {}
        self._fallbacks: dict[System, list[Fallback]] = {}
        for system, entries, fallbacks in files:
            if system in self._fallbacks:
                raise CatalogError(f"two data files for system {system.value}")
            self._fallbacks[system] = fallbacks
            for entry in entries:
                for key in (entry.code, *entry.aliases):
                    k = (system, normalize_code(system, key))
                    if k in self._entries:
                        raise CatalogError(f"{system.value} code {key} is listed twice")
                    self._entries[k] = entry
        missing = set(System) - set(self._fallbacks)
        if missing:
            raise CatalogError(f"no data file for: {', '.join(sorted(s.value for s in missing))}")

    def __iter__(self) -> Iterator[CodeEntry]:
        seen: set[int] = set()
        for entry in self._entries.values():
            if id(entry) not in seen:
                seen.add(id(entry))
                yield entry

    def entry(self, system: System, code: str) -> CodeEntry | None:
        """The catalog entry for a code, or None when the catalog does not list it."""
        return self._entries.get((system, normalize_code(system, code)))

    def decode(
        self,
        system: System,
        code: str | int,
        message: str | None = None,
        values: Mapping[str, str] | None = None,
    ) -> DecodedStatus:
        """Decode one status; unknown codes get their range meaning and `known=False`.

        `values` fills the entry's placeholders where sfqb knows more than the message says.
        """
        key = normalize_code(system, str(code))
        entry = self._entries.get((system, key))
        if entry is not None:
            return entry.decode(message, values)
        return self._fallback(system, key, message)

    def interpret(self, text: str, system: System | None = None) -> list[DecodedStatus]:
        """All readings of a code as a person typed it; raises UnknownCodeFormat."""
        if system is not None:
            return [self.decode(system, text)]
        candidates = systems_for(text)
        found = []
        for candidate in candidates:
            try:
                key = normalize_code(candidate, text)
            except UnknownCodeFormat:
                continue
            if (candidate, key) in self._entries:
                found.append(self._entries[(candidate, key)].decode())
        if re.fullmatch(r"[1-5]\d\d", text.strip()):
            # A bare 429 or 500 may be an HTTP status too: offer those readings after.
            for http_system in (System.QBO, System.SALESFORCE):
                http = self._entries.get((http_system, f"http-{text.strip()}"))
                if http is not None:
                    found.append(http.decode())
        return found or [self.decode(candidates[0], text)]

    def _fallback(self, system: System, key: str, message: str | None) -> DecodedStatus:
        number: int | None
        if system is System.HRESULT:
            number = int(key, 16)
        elif system is System.QBWC:
            number = int(key.removeprefix("QBWC"))
        else:
            digits = key.removeprefix("http-")
            number = int(digits) if digits.lstrip("-").isdigit() else None
        fallbacks = self._fallbacks[system]
        # HTTP statuses and a system's own numbers overlap (QBO 500 vs HTTP 500): ranges marked
        # `http: true` serve only http-NNN codes, the others only the system's own codes.
        is_http = key.startswith("http-")
        ranged = (
            f for f in fallbacks if f.low is not None and f.is_http == is_http and f.covers(number)
        )
        chosen = next(ranged, None) or next(f for f in fallbacks if f.low is None)
        data = chosen.data
        return DecodedStatus(
            system=system,
            code=key,
            severity=Severity(data["severity"]),
            message=message or "",
            title=data["title"],
            meaning=data["meaning"].strip(),
            fix=tuple(s.strip() for s in _fix(data["fix"])),
            category=Category(data["category"]),
            retryable=data["retryable"],
            remedy=Remedy(data["remedy"]),
            actor=Actor(data["actor"]),
            known=False,
            confidence=Confidence.UNCONFIRMED,
        )


def load_catalog(directory: Path | None = None) -> Catalog:
    """Load and validate the bundled data files (or those in `directory`)."""
    files = []
    if directory is None:
        root = resources.files("sfqb.codes").joinpath("data")
        sources = [(p.name, p.read_text(encoding="utf-8")) for p in root.iterdir()]
    else:
        sources = [(p.name, p.read_text(encoding="utf-8")) for p in directory.iterdir()]
    for name, text in sorted(sources):
        if not name.endswith(".yaml"):
            continue
        try:
            document = yaml.load(text, Loader=_LOADER)  # noqa: S506 (a safe loader)
        except yaml.YAMLError as exc:
            raise CatalogError(f"{name}: not valid YAML: {exc}") from None
        files.append(parse_file(document, name))
    return Catalog(files)
