"""Field ownership: which side may write a field, and who wins when both changed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sfqb.mapping import FlowMap, Owner


def top_level_owners(flow: FlowMap) -> dict[str, frozenset[Owner]]:
    """The owners of each top-level target field (an aggregate has its parts' owners)."""
    owners: dict[str, set[Owner]] = {}
    for spec in flow.fields:
        owners.setdefault(spec.target.split("/")[0], set()).add(spec.owner)
    if flow.lines is not None:
        owners.setdefault(flow.lines.target, set()).update(s.owner for s in flow.lines.fields)
    return {k: frozenset(v) for k, v in owners.items()}


def writable(flow: FlowMap, side: Owner, this_newer: bool) -> Callable[[str], bool]:
    """A predicate: may `side` write this top-level field? `newest` fields go to the newer side."""
    owners = top_level_owners(flow)

    def allowed(field: str) -> bool:
        own = owners.get(field, frozenset())
        return side in own or (Owner.NEWEST in own and this_newer)

    return allowed


def newer(ours: datetime | None, theirs: datetime | None) -> bool:
    """True when our change is at least as new as theirs (no other change counts as older)."""
    if theirs is None:
        return True
    if ours is None:
        return False
    return ours >= theirs
