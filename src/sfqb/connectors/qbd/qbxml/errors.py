"""Typed errors of the qbXML codec; each carries a one-line message a person can act on."""

from __future__ import annotations

from sfqb.domain.status import DecodedStatus


class QbxmlError(Exception):
    """Base class of every qbXML codec error."""


class QbxmlRequestError(QbxmlError, ValueError):
    """A request record cannot become valid qbXML (a choice broken, a required part missing)."""


class QbxmlFieldError(QbxmlRequestError):
    """One field's value cannot be sent to QuickBooks: too long, forbidden character, bad format."""

    def __init__(self, obj: str, field: str, value: str, problem: str, limit: int | None = None):
        self.obj = obj
        self.field = field
        self.value = value
        self.problem = problem
        self.limit = limit
        shown = value if len(value) <= 60 else value[:57] + "..."
        super().__init__(f"{obj}.{field} {problem}: {shown!r}")


class QbxmlParseError(QbxmlError):
    """QuickBooks' response cannot be read; `status` is the decoded transport status."""

    def __init__(self, status: DecodedStatus, reason: str):
        self.status = status
        self.reason = reason
        super().__init__(status.message or reason)


class QbxmlVersionError(QbxmlError):
    """No qbXML version both sfqb and the QuickBooks host speak."""
