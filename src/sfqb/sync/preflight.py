"""What sfqb checks before sending, and how a company-level hold names what to change.

The facts (which preference a record needs, which user-rights area covers a type) are data:
`sfqb/sync/data/preflight.yaml`.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

import yaml

from sfqb.domain.status import DecodedStatus
from sfqb.sync.ops import QbAction, QbOp


@cache
def preflight() -> dict[str, Any]:
    """The preflight data file, loaded once."""
    text = resources.files("sfqb.sync").joinpath("data/preflight.yaml").read_text("utf-8")
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


def block_message(op: QbOp, status: DecodedStatus, preferences: Mapping[str, Any]) -> str:
    """The company message of a hold: the exact preference or user right to change."""
    if status.category.value == "feature_off":
        off = [f for f in preflight()["features"] if preferences.get(f["preference"]) is False]
        needed = [
            f
            for f in off
            if f["when"].get("type") == op.qb_type or f["when"].get("field") in op.fields
        ]
        if needed or len(off) == 1:
            return " ".join(f["setting"] for f in needed or off)
    if status.category.value == "permission":
        area = preflight()["permissions"].get(op.qb_type, op.qb_type)
        verb = "create" if op.action is QbAction.ADD else "modify"
        return (
            f"the Web Connector's QuickBooks user may not {verb} {op.qb_type} records: as the "
            f"QuickBooks Admin, open Company > Users > Set Up Users, edit that user and give "
            f"'{area}' the right to {verb}"
        )
    return f"{status.title}: {status.fix_text()}"
