"""One decoded status found in a document, and the decoding every reader shares."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sfqb.codes.catalog import Catalog
from sfqb.codes.normalize import UnknownCodeFormat
from sfqb.codes.readings import refine
from sfqb.domain.status import DecodedStatus, Severity, System

MAX_MESSAGE = 1000  # longer messages are cut before template matching


class Unreadable(Exception):
    """Raised inside the readers; find_statuses prefixes the source and re-raises."""


@dataclass(frozen=True, slots=True)
class Finding:
    """A decoded status, where in the document it was found, and extra text from there."""

    status: DecodedStatus
    location: str
    detail: str = ""

    def to_json(self) -> dict[str, Any]:
        """The status as `sfqb explain --json` prints it, plus `location` and `detail`."""
        return {**self.status.to_json(), "location": self.location, "detail": self.detail}


def given_severity(text: str | None) -> Severity | None:
    """The severity a document states (qbXML's statusSeverity), or None if it states none."""
    word = (text or "").strip().lower()
    return Severity(word) if word in {s.value for s in Severity} else None


def decode(
    catalog: Catalog,
    system: System,
    code: str,
    message: str | None,
    where: str,
    *,
    detail: str = "",
    severity: str | None = None,
) -> Finding:
    """Decode one status as found in a document; raises Unreadable if `code` is not a code."""
    text = (message or "")[:MAX_MESSAGE]
    try:
        status = catalog.decode(system, code, text or None)
        if detail and not status.details:
            # QBO puts the specifics (the name, the field) in Detail rather than in Message.
            from_detail = catalog.decode(system, code, detail[:MAX_MESSAGE])
            if from_detail.details:
                status = replace(from_detail, message=status.message)
    except UnknownCodeFormat as exc:
        raise Unreadable(f"{where}: {exc}") from None
    status = refine(catalog, status, " ".join(part for part in (text, detail) if part))
    stated = given_severity(severity)
    if stated is not None and stated is not status.severity:
        # What the document says wins over what the catalog expects for the code.
        status = replace(status, severity=stated)
    return Finding(status, where, detail)
