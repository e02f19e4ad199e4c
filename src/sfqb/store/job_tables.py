"""procrastinate's tables share the store's schema on PostgreSQL (migration 0023) but are not
sfqb's models: schema comparisons leave them out."""

from __future__ import annotations

JOB_TABLE_PREFIX = "procrastinate_"


def sfqb_owns(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic's `include_name`: False for procrastinate's tables."""
    return not (type_ == "table" and (name or "").startswith(JOB_TABLE_PREFIX))
