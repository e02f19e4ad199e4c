"""Service tests run on the runner tests' whole world (Salesforce and QuickBooks sandboxes)."""

from __future__ import annotations

from tests.jobs.conftest import world

__all__ = ["world"]
