"""Store fixtures: a database of the test's own on each backend, migrated to head."""

from __future__ import annotations

from datetime import UTC, datetime

from sfqb.domain.status import Actor, Category, DecodedStatus, Remedy, Severity, System

T0 = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)


def status(
    code: str = "0",
    severity: Severity = Severity.INFO,
    system: System = System.QBXML,
    fix: tuple[str, ...] = ("Nothing to do.",),
) -> DecodedStatus:
    """A decoded status for tests (no catalog needed)."""
    failed = severity is Severity.ERROR
    return DecodedStatus(
        system=system,
        code=code,
        severity=severity,
        message=f"message {code}",
        title=f"title {code}",
        meaning=f"meaning {code}",
        fix=fix,
        category=Category.DUPLICATE if failed else Category.OK,
        retryable=False,
        remedy=Remedy.BIND_EXISTING if failed else Remedy.NONE,
        actor=Actor.SFQB,
        known=True,
    )
