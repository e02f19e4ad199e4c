"""The catalog for people: browse and search it, one code's page as `sfqb explain` shows it,
and decoding a pasted log line or file."""

from __future__ import annotations

from dataclasses import dataclass, replace

from sfqb.codes import Catalog, UnknownCodeFormat
from sfqb.codes.docs import catalog_rows
from sfqb.codes.findings import MAX_INPUT_BYTES, FindingsError, find_statuses
from sfqb.codes.words import (
    actor_text,
    category_text,
    confidence_text,
    kind_text,
    remedy_phrase,
    status_label,
    system_text,
)
from sfqb.domain.policy import CompanyPolicy
from sfqb.domain.status import DecodedStatus, System
from sfqb.jobs.health import policy_effect
from sfqb.mapping import fold_name

MAX_QUERY = 200


class CodeNotFound(LookupError):
    """The catalog does not list the code (or the text is no code at all)."""


class DecodeError(ValueError):
    """A pasted text or file sfqb cannot decode (too large, not text); the text says why."""


@dataclass(frozen=True, slots=True)
class StatusView:
    """One reading of a code as `sfqb explain` shows it, in the catalog's words."""

    system: str
    system_words: str
    code: str
    label: str
    title: str
    severity: str
    known: bool
    message: str
    meaning: str
    fix: tuple[str, ...]
    will: str
    who_acts: str
    kind: str
    category: str
    how_sure: str
    applies_when: str
    location: str = ""
    policy: str = ""  # what sfqb does under the default policy, where the policy decides

    def rows(self) -> list[tuple[str, str]]:
        """(label, text) in the order of `sfqb explain`'s panel; Fix steps are numbered."""
        fix = self.fix[0] if len(self.fix) == 1 else "\n".join(
            f"{i}. {step}" for i, step in enumerate(self.fix, start=1)
        )  # fmt: skip
        rows = [("Found at", self.location), ("Message", self.message)]
        rows += [("Meaning", self.meaning), ("Fix", fix), ("sfqb will", self.will)]
        rows += [("Who acts", self.who_acts), ("Kind", self.kind), ("How sure", self.how_sure)]
        rows += [("Applies when", self.applies_when)]
        return [(label, text) for label, text in rows if text or label in ("Meaning", "Fix")]


def status_view(status: DecodedStatus, location: str = "") -> StatusView:
    """A decoded status as data a page or a terminal panel shows."""
    effect = policy_effect(CompanyPolicy(), status.remedy)
    sureness = confidence_text(status.confidence)
    return StatusView(
        system=status.system.value, system_words=system_text(status.system), code=status.code,
        label=status_label(status.system, status.code, status.title), title=status.title,
        severity=status.severity.value, known=status.known, message=status.message,
        meaning=status.meaning, fix=status.fix, will=remedy_phrase(status.remedy),
        who_acts=actor_text(status.actor), kind=kind_text(status),
        category=category_text(status.category),
        how_sure=sureness if sureness and status.known else "",
        applies_when=status.applies_when, location=location,
        policy=f"Under the default policy, sfqb {effect}." if effect else "",
    )  # fmt: skip


def browse(catalog: Catalog, q: str | None = None, system: str | None = None) -> list[StatusView]:
    """The catalog in a stable order; `q` keeps the codes whose code, system or words (title,
    meaning, fix) hold every word of it; `system` keeps one system's."""
    if q is not None and len(q) > MAX_QUERY:
        raise DecodeError(f"the search is too long (at most {MAX_QUERY} characters)")
    chosen = None
    if system:
        try:
            chosen = System(system.lower())
        except ValueError:
            known = ", ".join(s.value for s in System)
            raise DecodeError(f"unknown system {system!r}; the systems are {known}") from None
    words = fold_name(q or "").split()
    views = []
    for status in catalog_rows(catalog, chosen):
        entry = catalog.entry(status.system, status.code)
        aliases = " ".join(entry.aliases) if entry else ""
        text = " ".join(
            (status.system.value, system_text(status.system), status.code, aliases, status.title,
             status.meaning, " ".join(status.fix))
        )  # fmt: skip
        haystack = fold_name(text)
        if all(word in haystack for word in words):
            views.append(status_view(status))
    return views


def code_page(catalog: Catalog, code: str, system: str | None = None) -> list[StatusView]:
    """Every catalog reading of a code as a person typed it; CodeNotFound when none is listed."""
    text = code.strip()
    if not text or len(text) > MAX_QUERY:
        raise CodeNotFound(f"{code[:MAX_QUERY]!r} is not a status code sfqb knows")
    try:
        chosen = System(system.lower()) if system else None
        statuses = catalog.interpret(text, chosen)
    except (UnknownCodeFormat, ValueError):
        raise CodeNotFound(f"{text!r} is not a status code sfqb knows") from None
    known = [s for s in statuses if s.known]
    if not known:
        raise CodeNotFound(f"the catalog does not list {text!r}")
    return [status_view(s) for s in known]


def decode_text(
    catalog: Catalog, data: str | bytes, source: str = "the pasted text", limit: int = 0
) -> list[StatusView]:
    """Every status in a pasted log line or file, as `sfqb explain` decodes it (the QBO
    Detail or fields joined to the message); DecodeError when larger than `limit` bytes (at
    most, and by default, what `sfqb explain --file` reads) or unreadable."""
    most = min(limit or MAX_INPUT_BYTES, MAX_INPUT_BYTES)
    size = len(data.encode("utf-8", "surrogatepass")) if isinstance(data, str) else len(data)
    if size > most:
        raise DecodeError(
            f"{source} is {size:,} bytes; sfqb decodes at most {most:,} bytes at a time: "
            "paste the lines around the error"
        )
    if not data.strip():
        raise DecodeError(f"{source} is empty: paste a log line or choose a file")
    try:
        findings = find_statuses(data, catalog, source=source)
    except FindingsError as exc:
        raise DecodeError(str(exc)) from None
    views = []
    for finding in findings:
        view = status_view(finding.status, finding.location)
        message = " - ".join(part for part in (finding.status.message, finding.detail) if part)
        views.append(replace(view, message=message))
    return views
